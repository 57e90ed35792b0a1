/** The Equivocation circuit (slashing evidence) and its TypeScript input builder: a passing case and a failing case per rule. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileCircuit } from "../src/build/buildCircuit.js";
import { getEquivocationBuild, equivocationBuildFor } from "../src/builds.js";
import { buildEquivocationInput } from "../src/equivocation.js";
import { batchHash } from "../src/header.js";
import { signReport } from "../src/report.js";
import { InvalidSignatureError, NotEquivocationError } from "../src/errors.js";
import type { CircuitInput } from "../src/witness.js";
import { CircuitTester } from "./helpers/circuitTester.js";
import { equivocatingReports, makeCommittee, randomHeader } from "./helpers/fixtures.js";

const build = getEquivocationBuild("equivocation-dev");
const B = 8;
let tester: Promise<CircuitTester> | undefined;
const load = () => (tester ??= compileCircuit(build).then((c) => CircuitTester.load(c)));

const { committee, keys } = makeCommittee({ size: 4, depth: 2, threshold: 3n });
const slot = { batchNumber: 5n };
const evidence = equivocatingReports(keys[1]!, 1, B, slot);
/** The address the evidence pays (bound to the proof). */
const REPORTER = 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n;

async function rejects(input: CircuitInput, template: RegExp, why: string): Promise<void> {
  const t = await load();
  await assert.rejects(t.witness(input), (e: Error) => {
    assert.match(e.message, template, `${why}: rejected, but not by ${template}: ${e.message.split("\n")[0]}`);
    return true;
  }, why);
}

test("equivocation: dev and standard builds match their batch builds' committee depth", () => {
  assert.equal(equivocationBuildFor("dev").params.D, 2);
  assert.equal(equivocationBuildFor("standard").params.D, 3);
});

test("equivocation: two different reports by one member for one batch slot are evidence; public signals name the slot and the key", async () => {
  const { input, publicSignals } = buildEquivocationInput({ reporter: REPORTER, build, committee, ...evidence });
  assert.deepEqual(publicSignals, [committee.hash, 31337n, 0x5fbdb2315678afecb367f032d93f642f64180aa3n, 5n, 0n, keys[1]!.publicKey[0], keys[1]!.publicKey[1], REPORTER].map(String));
  const t = await load();
  const w = await t.witness(input);
  assert.equal(t.firstViolation(w), -1);
  // the same batch with different receive times is equivocation too
  const h = evidence.first.header;
  const sameBatch = { header: h, report: signReport(keys[1]!, 1, batchHash(h), new Array(B).fill(7)) };
  assert.equal(t.firstViolation(await t.witness(buildEquivocationInput({ reporter: REPORTER, build, committee, first: evidence.first, second: sameBatch }).input)), -1);
});

test("equivocation: the TypeScript builder refuses what is not evidence", () => {
  assert.throws(() => buildEquivocationInput({ reporter: REPORTER, build, committee, first: evidence.first, second: evidence.first }), NotEquivocationError);
  const other = equivocatingReports(keys[1]!, 1, B, { batchNumber: 6n }, 9);
  assert.throws(() => buildEquivocationInput({ reporter: REPORTER, build, committee, first: evidence.first, second: other.second }), /different batchNumber/);
  const byOther = equivocatingReports(keys[2]!, 2, B, slot, 3);
  assert.throws(() => buildEquivocationInput({ reporter: REPORTER, build, committee, first: evidence.first, second: byOther.second }), /members 1 and 2/);
  const forged = { ...evidence.second, report: { ...evidence.second.report, signature: { ...evidence.second.report.signature, S: evidence.second.report.signature.S + 1n } } };
  assert.throws(() => buildEquivocationInput({ reporter: REPORTER, build, committee, first: evidence.first, second: forged }), InvalidSignatureError);
});

test("equivocation circuit: the same report twice fails (messages must differ, not signatures)", async () => {
  const { input } = buildEquivocationInput({ reporter: REPORTER, build, committee, ...evidence });
  const twice = { ...input, rest: [input.rest![0]!, input.rest![0]!], tsCommit: [input.tsCommit![0]!, input.tsCommit![0]!], R8x: [input.R8x![0]!, input.R8x![0]!], R8y: [input.R8y![0]!, input.R8y![0]!], S: [input.S![0]!, input.S![0]!] } as CircuitInput;
  await rejects(twice, /Equivocation_/, "same report");
});

test("equivocation circuit: reports for two different batch numbers fail the signature check", async () => {
  const other = equivocatingReports(keys[1]!, 1, B, { batchNumber: 6n }, 9);
  const { input } = buildEquivocationInput({ reporter: REPORTER, build, committee, ...evidence });
  const mixed = buildEquivocationInput({ reporter: REPORTER, build, committee, first: other.first, second: other.second }).input;
  // slot 5's public inputs with one of slot 6's signed reports
  const input2 = { ...input, rest: [input.rest![0]!, (mixed.rest as string[][])[1]!], tsCommit: [input.tsCommit![0]!, (mixed.tsCommit as string[])[1]!], R8x: [input.R8x![0]!, (mixed.R8x as string[])[1]!], R8y: [input.R8y![0]!, (mixed.R8y as string[])[1]!], S: [input.S![0]!, (mixed.S as string[])[1]!] } as CircuitInput;
  await rejects(input2, /EdDSAPoseidonVerifier|ForceEqualIfEnabled/, "other batch number");
  await rejects({ ...input, batchNumber: "6" }, /EdDSAPoseidonVerifier|ForceEqualIfEnabled/, "public batchNumber changed");
  await rejects({ ...input, chainId: "1" }, /EdDSAPoseidonVerifier|ForceEqualIfEnabled/, "public chainId changed");
});

test("equivocation circuit: a forged signature, an outsider, a wrong weight, a wrong committee fail", async () => {
  const { input } = buildEquivocationInput({ reporter: REPORTER, build, committee, ...evidence });
  const S = input.S as string[];
  await rejects({ ...input, S: [S[0]!, (BigInt(S[1]!) + 1n).toString()] }, /EdDSAPoseidonVerifier|ForceEqualIfEnabled/, "forged S");

  const theirs = makeCommittee({ size: 4, depth: 2, threshold: 3n, salt: "outsider-committee" });
  const ev = equivocatingReports(theirs.keys[1]!, 1, B, slot, 5);
  const o = buildEquivocationInput({ reporter: REPORTER, build, committee: theirs.committee, ...ev }).input;
  // an outsider's valid double-signature, claimed against our committee
  await rejects({ ...o, committeeHash: input.committeeHash!, committeeRoot: input.committeeRoot!, siblings: input.siblings!, index: "1", weight: "1" }, /Equivocation_|MerkleInclusion/, "outsider");
  await rejects({ ...input, weight: "2" }, /Equivocation_/, "inflated weight");
  await rejects({ ...input, committeeHash: "12345" }, /Equivocation_/, "committeeHash of another committee");
  await rejects({ ...input, epoch: "7" }, /Equivocation_/, "wrong epoch");
});

test("equivocation circuit: tampered witness for the IsZero hint fails the constraints", async () => {
  const t = await load();
  const w = await t.witness(buildEquivocationInput({ reporter: REPORTER, build, committee, ...evidence }).input);
  assert.notEqual(t.firstViolation(t.tamper(w, "main.same.inv", t.read(w, "main.same.inv") + 1n)), -1);
  assert.notEqual(t.firstViolation(t.tamper(w, "main.batchNumber", 6n)), -1);
  assert.equal(randomHeader(1, slot).batchNumber, 5n);
});

test("equivocation: two reports in different rounds of one batch number are not evidence", async () => {
  const acrossRounds = equivocatingReports(keys[1]!, 1, B, { batchNumber: 5n, round: 0n }, 11, 1n);
  assert.throws(() => buildEquivocationInput({ reporter: REPORTER, build, committee, ...acrossRounds }), /different round/);
  // forced past the builder: one round's public inputs with the other round's signed report
  const sameRound = buildEquivocationInput({ reporter: REPORTER, build, committee, ...equivocatingReports(keys[1]!, 1, B, { batchNumber: 5n, round: 0n }, 11) }).input;
  const r1 = { header: acrossRounds.second.header, report: acrossRounds.second.report };
  const other = buildEquivocationInput({ reporter: REPORTER, build, committee, first: r1, second: { header: { ...r1.header, txCount: 4n }, report: signReport(keys[1]!, 1, batchHash({ ...r1.header, txCount: 4n }), new Array(B).fill(3)) } }).input;
  const mixed = { ...sameRound, rest: [(sameRound.rest as string[][])[0]!, (other.rest as string[][])[0]!], tsCommit: [(sameRound.tsCommit as string[])[0]!, (other.tsCommit as string[])[0]!], R8x: [(sameRound.R8x as string[])[0]!, (other.R8x as string[])[0]!], R8y: [(sameRound.R8y as string[])[0]!, (other.R8y as string[])[0]!], S: [(sameRound.S as string[])[0]!, (other.S as string[])[0]!] } as CircuitInput;
  await rejects(mixed, /EdDSAPoseidonVerifier|ForceEqualIfEnabled/, "a round-1 report against round 0");
  await rejects({ ...sameRound, round: "1" }, /EdDSAPoseidonVerifier|ForceEqualIfEnabled/, "public round changed");
});

test("equivocation: the reporter is bound to the proof and must be an address", async () => {
  assert.throws(() => buildEquivocationInput({ build, committee, ...evidence, reporter: 1n << 160n }), /reporter/);
  const t = await load();
  const w = await t.witness(buildEquivocationInput({ reporter: REPORTER, build, committee, ...evidence }).input);
  assert.notEqual(t.firstViolation(t.tamper(w, "main.reporter", REPORTER + 1n)), -1, "a changed reporter still satisfies the constraints");
});
