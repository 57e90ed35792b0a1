/**
 * Soundness: every constraint group of the Batch circuit rejects a wrong input
 * (the witness generator's assertions fail), and tampering with a computed
 * signal (a `<--` hint or a circomlib comparator's bits) is caught by the R1CS
 * check itself, not only by the witness generator.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { devTester } from "./helpers/devBuild.js";
import { makeScenario, makeCommittee, testKey, randomTxHash, rng, type Scenario } from "./helpers/fixtures.js";
import { assembleCircuitInput, type CircuitInput } from "../src/witness.js";
import { batchHash, batchHashUnchecked, packHeader, type BatchHeader } from "../src/header.js";
import { txRoot } from "../src/txTree.js";
import { signReport, type SignedReport } from "../src/report.js";
import { signMessage } from "../src/keys.js";
import { poseidon } from "../src/poseidon.js";
import { median } from "../src/ordering.js";
import { foldForcedAccumulator } from "../src/forced.js";
import { getBatchBuild } from "../src/builds.js";
import { NEVER_SEEN } from "../src/field.js";
import { dataEvaluation } from "../src/dataBinding.js";
import type { Committee } from "../src/committee.js";
import type { MemberKey } from "../src/keys.js";

const build = getBatchBuild("dev");
const B = build.params.B;
/** Any challenge point: the data binding is an output, no other group depends on it. */
const CHALLENGE = 0x1234567890abcdefn;

/** Signs `times` for each signer over the header and lays out the input with NO checks. */
function craft(opts: {
  header: BatchHeader;
  committee: Committee;
  keys: MemberKey[];
  signers: number[];
  txHashes: bigint[];
  times: number[][];
  fairTimes?: number[];
}): CircuitInput {
  const h = batchHashUnchecked(opts.header);
  const reports: SignedReport[] = opts.signers.map((s, j) => signReport(opts.keys[s]!, s, h, opts.times[j]!));
  const fair = opts.fairTimes ?? Array.from({ length: B }, (_, i) => median(opts.times.map((t) => t[i]!)));
  return assembleCircuitInput(build, opts.header, opts.committee, opts.txHashes, reports, fair, CHALLENGE);
}

/** Re-signs a scenario after changing its slots and/or header. */
function rebuild(s: Scenario, change: { txHashes?: bigint[]; header?: Partial<BatchHeader>; times?: number[][]; fairTimes?: number[] }): CircuitInput {
  const txHashes = change.txHashes ?? s.proposal.txHashes;
  const header: BatchHeader = { ...s.proposal.header, txRoot: txRoot(txHashes, B), txCount: BigInt(Math.min(txHashes.length, 0xffff)), ...change.header };
  return craft({
    header,
    committee: s.committee,
    keys: s.keys,
    signers: [...s.signers].sort((a, b) => a - b),
    txHashes,
    times: change.times ?? sortedTimes(s),
    ...(change.fairTimes ? { fairTimes: change.fairTimes } : {}),
  });
}

/** The scenario's report times in member-index order (the order the circuit takes signers in). */
function sortedTimes(s: Scenario): number[][] {
  return [...s.reports].sort((a, b) => a.memberIndex - b.memberIndex).map((r) => [...r.times]);
}

/** The scenario's slots and report times with slots i and i+1 swapped. */
function swapSlots(s: Scenario, i: number): { txs: bigint[]; times: number[][] } {
  const swap = <T>(a: T[]): T[] => {
    const c = [...a];
    [c[i], c[i + 1]] = [c[i + 1]!, c[i]!];
    return c;
  };
  return { txs: swap(s.proposal.txHashes), times: sortedTimes(s).map(swap) };
}

async function rejects(input: CircuitInput, template: RegExp, why: string): Promise<void> {
  const tester = await devTester();
  await assert.rejects(tester.witness(input), (e: Error) => {
    assert.match(e.message, /Assert Failed/, `${why}: expected a failed circuit assertion, got: ${e.message}`);
    assert.match(e.message, template, `${why}: rejected by the wrong template: ${e.message}`);
    return true;
  }, why);
}

async function accepts(input: CircuitInput): Promise<void> {
  const tester = await devTester();
  const w = await tester.witness(input);
  assert.equal(tester.firstViolation(w), -1);
}

const base = () => makeScenario({ seed: 4242, txs: 4, forced: 2, consumed: 1 });

test("control: the crafted (unchecked) input of a valid batch is accepted", async () => {
  const s = base();
  await accepts(rebuild(s, {}));
});

// ---- 5. quorum: signatures, membership, distinct signers, weight ----

test("a forged signature is rejected", async () => {
  const s = base();
  const input = structuredClone(s.witness.input);
  (input.sigS as string[])[1] = (BigInt((input.sigS as string[])[1]!) + 1n).toString();
  await rejects(input, /EdDSAPoseidonVerifier|ForceEqualIfEnabled/, "forged S");
  const input2 = structuredClone(s.witness.input);
  (input2.sigR8x as string[])[0] = (input2.sigR8x as string[])[2]!;
  await rejects(input2, /EdDSAPoseidonVerifier|ForceEqualIfEnabled|BabyAdd|SignerReport/, "forged R8");
});

test("a signature over another batch's report is rejected", async () => {
  const s = base();
  const other = makeScenario({ seed: 4243, txs: 4, forced: 2, consumed: 1 });
  const input = structuredClone(s.witness.input);
  const o = other.witness.input;
  for (const k of ["sigR8x", "sigR8y", "sigS"] as const) (input[k] as string[])[0] = (o[k] as string[])[0]!;
  await rejects(input, /EdDSAPoseidonVerifier|ForceEqualIfEnabled/, "replayed signature");
});

test("a signer outside the committee is rejected (validly signed, not a member)", async () => {
  const s = base();
  const outsider = testKey(1000, "outsider");
  const sorted = [...s.signers].sort((a, b) => a - b);
  const input = structuredClone(s.witness.input);
  const times = sortedTimes(s);
  const report = signReport(outsider, sorted[0]!, batchHash(s.proposal.header), times[0]!);
  (input.signerAx as string[])[0] = outsider.publicKey[0].toString();
  (input.signerAy as string[])[0] = outsider.publicKey[1].toString();
  (input.sigR8x as string[])[0] = report.signature.R8[0].toString();
  (input.sigR8y as string[])[0] = report.signature.R8[1].toString();
  (input.sigS as string[])[0] = report.signature.S.toString();
  await rejects(input, /SignerReport/, "outsider");
});

test("a member claiming another weight is rejected", async () => {
  const s = base();
  const input = structuredClone(s.witness.input);
  (input.signerWeight as string[])[0] = "100";
  await rejects(input, /SignerReport/, "inflated weight");
});

test("the same signer twice is rejected", async () => {
  const s = base();
  const input = structuredClone(s.witness.input);
  for (const k of ["signerIndex", "signerAx", "signerAy", "signerWeight", "sigR8x", "sigR8y", "sigS"] as const) {
    (input[k] as string[])[1] = (input[k] as string[])[0]!;
  }
  (input.signerSiblings as string[][])[1] = [...(input.signerSiblings as string[][])[0]!];
  (input.receiveTimes as string[][])[1] = [...(input.receiveTimes as string[][])[0]!];
  await rejects(input, /Batch_/, "duplicate signer");
});

test("signers whose weight is below the threshold are rejected", async () => {
  // weights 1,1,1,5 with threshold 4: members 0,1,2 (weight 3) cannot finalize alone
  const { committee, keys } = makeCommittee({ size: 4, depth: 2, weights: [1n, 1n, 1n, 5n], threshold: 4n });
  const s = base();
  const header = { ...s.proposal.header, committeeHash: committee.hash, nextCommitteeHash: committee.hash };
  const times = sortedTimes(s);
  const input = craft({ header, committee, keys, signers: [0, 1, 2], txHashes: s.proposal.txHashes, times });
  await rejects(input, /Batch_/, "weight 3 < threshold 4");
  // control: with member 3 in the quorum it passes
  await accepts(craft({ header, committee, keys, signers: [0, 1, 3], txHashes: s.proposal.txHashes, times }));
});

// ---- 4. committee ----

test("a committee that does not hash to committeeHash is rejected", async () => {
  const s = base();
  const input = structuredClone(s.witness.input);
  input.thresholdWeight = "1";
  await rejects(input, /Batch_/, "lowered threshold");
  const input2 = structuredClone(s.witness.input);
  input2.epoch = "5";
  await rejects(input2, /Batch_/, "other epoch");
});

// ---- 6. fair ordering ----

test("a fair time that is not the median is rejected", async () => {
  const s = base();
  const times = sortedTimes(s);
  // a fair-ordered slot whose signers reported three different times
  const slot = times[0]!.findIndex((_, i) => i >= s.proposal.forcedCount && new Set(times.map((t) => t[i])).size === 3);
  assert.ok(slot >= 0, "the scenario has a slot with three distinct reports");
  const values = times.map((t) => t[slot]!);
  const fair = [...s.witness.fairTimes];
  for (const wrong of [Math.min(...values) - 1, Math.max(...values) + 1, fair[slot]! + 1, fair[slot]! - 1]) {
    if (wrong < 0 || wrong > NEVER_SEEN || wrong === fair[slot]) continue;
    const f = [...fair];
    f[slot] = wrong;
    await rejects(rebuild(s, { fairTimes: f }), /MedianOfOdd/, `fair time ${wrong} instead of ${fair[slot]}`);
  }
  // a reported value that is not the median
  const f = [...fair];
  const other = values.find((v) => v !== fair[slot]);
  assert.ok(other !== undefined);
  f[slot] = other;
  await rejects(rebuild(s, { fairTimes: f }), /MedianOfOdd/, "another signer's time");
});

test("an out-of-order pair is rejected", async () => {
  const s = makeScenario({ seed: 17, txs: 5, forced: 1, consumed: 0 });
  const k = s.proposal.forcedCount;
  const fair = s.witness.fairTimes;
  let i = k;
  while (i + 1 < s.proposal.txHashes.length && fair[i] === fair[i + 1]) i++;
  const { txs, times } = swapSlots(s, i);
  await rejects(rebuild(s, { txHashes: txs, times }), /Batch_/, "swapped slots");
});

test("ties broken against txHash order are rejected", async () => {
  const s = makeScenario({ seed: 99, txs: 8, forced: 0 });
  const fair = s.witness.fairTimes;
  const i = fair.findIndex((t, n) => n + 1 < 8 && t === fair[n + 1]);
  assert.ok(i >= 0);
  const { txs, times } = swapSlots(s, i);
  await rejects(rebuild(s, { txHashes: txs, times }), /Batch_/, "tie in the wrong order");
});

test("a duplicate transaction is rejected", async () => {
  const s = makeScenario({ seed: 5, txs: 4, forced: 0 });
  const txs = [...s.proposal.txHashes];
  const times = sortedTimes(s);
  txs.splice(2, 0, txs[1]!); // tx at slot 1 again at slot 2, reported at the same time
  const dup = times.map((t) => {
    const c = [...t];
    c.splice(2, 0, c[1]!);
    return c.slice(0, B);
  });
  await rejects(rebuild(s, { txHashes: txs, times: dup }), /Batch_/, "duplicate");
});

test("a forced slot is exempt from fair order, a fair-ordered slot is not", async () => {
  // forced txs in queue order need not be in fair order: the valid scenario already has 2 forced
  // slots with NEVER_SEEN times before earlier fair times; claiming them as unforced breaks the order.
  const s = base();
  const input = rebuild(s, { header: { forcedTo: s.proposal.header.forcedFrom, forcedAccTo: s.proposal.header.forcedAccFrom } });
  await rejects(input, /Batch_/, "forced slots treated as fair-ordered");
});

// ---- 2. slots ----

test("a non-zero padding slot is rejected", async () => {
  const s = base();
  const txs = [...s.proposal.txHashes];
  const count = txs.length;
  const padded = [...txs, 12345n];
  const header: Partial<BatchHeader> = { txCount: BigInt(count), txRoot: txRoot(padded, B) };
  await rejects(rebuild(s, { txHashes: padded, header }), /Batch_/, "hidden padding tx");
});

test("a transaction hash of 2^248 or more is rejected", async () => {
  const s = makeScenario({ seed: 8, txs: 3, forced: 0 });
  const txs = [...s.proposal.txHashes];
  txs[2] = txs[2]! + (1n << 248n);
  await rejects(rebuild(s, { txHashes: txs }), /Num2Bits|Batch_/, "oversized hash");
});

test("txCount above B is rejected", async () => {
  const s = base();
  await rejects(rebuild(s, { header: { txCount: BigInt(B + 1) } }), /PrefixMask/, "txCount = B + 1");
});

// ---- 3. forced inclusion ----

test("a forced transaction missing, reordered or with the wrong accumulator is rejected", async () => {
  const s = base();
  const txs = s.proposal.txHashes;
  const k = s.proposal.forcedCount;
  assert.equal(k, 2);
  // missing: the first forced tx replaced by an ordinary one
  const missing = [txs[k]!, txs[1]!, ...txs.slice(k + 1)];
  await rejects(rebuild(s, { txHashes: missing }), /Batch_/, "forced tx missing");
  // reordered: the two forced txs swapped
  const reordered = [txs[1]!, txs[0]!, ...txs.slice(2)];
  await rejects(rebuild(s, { txHashes: reordered }), /Batch_/, "forced txs reordered");
  // wrong accumulator claimed in the header
  await rejects(rebuild(s, { header: { forcedAccTo: s.proposal.header.forcedAccTo + 1n } }), /Batch_/, "wrong forcedAccTo");
  await rejects(rebuild(s, { header: { forcedAccFrom: 0n } }), /Batch_/, "wrong forcedAccFrom");
  // a forced range that claims fewer entries than the batch puts first
  const fewer = { forcedTo: s.proposal.header.forcedFrom + 1n, forcedAccTo: foldForcedAccumulator(s.proposal.header.forcedAccFrom, [txs[0]!]) };
  await accepts(rebuild(s, { header: fewer, txHashes: [txs[0]!, ...txs.slice(2)], times: sortedTimes(s).map((t) => [t[0]!, ...t.slice(2), NEVER_SEEN]) }));
});

test("a forced range with forcedTo < forcedFrom or more than F entries is rejected", async () => {
  const s = base();
  const h = s.proposal.header;
  await rejects(rebuild(s, { header: { forcedFrom: h.forcedTo + 1n } }), /PrefixMask/, "forcedTo < forcedFrom");
  await rejects(rebuild(s, { header: { forcedTo: h.forcedFrom + BigInt(build.params.F + 1) } }), /PrefixMask/, "k > F");
});

test("more forced entries than transactions is rejected", async () => {
  const s = makeScenario({ seed: 31, txs: 0, forced: 2 });
  const h = s.proposal.header;
  const txs = s.proposal.txHashes.slice(0, 1);
  // claims 2 forced entries but the batch holds 1 transaction
  await rejects(rebuild(s, { txHashes: txs, header: { forcedTo: h.forcedTo, forcedAccTo: h.forcedAccTo } }), /Batch_/, "k > txCount");
});

// ---- receive-time range ----

test("a receive time of 2^32 or more is rejected, even when validly signed", async () => {
  const s = makeScenario({ seed: 12, txs: 3, forced: 0 });
  const times: (number | bigint)[][] = sortedTimes(s);
  const sorted = [...s.signers].sort((a, b) => a - b);
  times[0]![1] = 2n ** 32n + 7n;
  // the signer signs the over-wide time exactly as the circuit would pack it
  const words: bigint[] = [];
  times[0]!.forEach((t, i) => {
    const w = Math.floor(i / 7);
    words[w] = (words[w] ?? 0n) + (BigInt(t) << BigInt(32 * (i % 7)));
  });
  const msg = poseidon([batchHash(s.proposal.header), poseidon(words)]);
  const sig = signMessage(s.keys[sorted[0]!]!.privateKey, msg);
  const input = structuredClone(s.witness.input);
  (input.receiveTimes as string[][])[0]![1] = times[0]![1]!.toString();
  (input.sigR8x as string[])[0] = sig.R8[0].toString();
  (input.sigR8y as string[])[0] = sig.R8[1].toString();
  (input.sigS as string[])[0] = sig.S.toString();
  await rejects(input, /Num2Bits|ReceiveTimesCommit|LessThan|MedianOfOdd/, "time >= 2^32");
});

// ---- 1. header ----

test("a tampered header field is rejected (the quorum signed another batchHash)", async () => {
  const s = base();
  const h = s.proposal.header;
  const tampered: Partial<BatchHeader>[] = [
    { batchNumber: h.batchNumber + 1n },
    { chainId: h.chainId + 1n },
    { inbox: h.inbox ^ 1n },
    { timeBase: h.timeBase + 1n },
    { round: h.round + 1n },
    { prevBatchHash: h.prevBatchHash + 1n },
    { nextCommitteeHash: h.nextCommitteeHash + 1n },
  ];
  for (const t of tampered) {
    const input = structuredClone(s.witness.input);
    const header = { ...h, ...t };
    const { packedA, packedB } = packHeader(header);
    input.packedA = packedA.toString();
    input.packedB = packedB.toString();
    input.prevBatchHash = header.prevBatchHash.toString();
    input.nextCommitteeHash = header.nextCommitteeHash.toString();
    await rejects(input, /EdDSAPoseidonVerifier|ForceEqualIfEnabled/, `tampered ${Object.keys(t)[0]}`);
  }
  const input = structuredClone(s.witness.input);
  input.committeeHash = (h.committeeHash + 1n).toString();
  await rejects(input, /Batch_/, "tampered committeeHash");
  const wide = structuredClone(s.witness.input);
  wide.packedA = (BigInt(wide.packedA as string) + (1n << 240n)).toString();
  await rejects(wide, /Num2Bits|HeaderWords/, "packed word over 240 bits");
});

// ---- tampered witnesses: the R1CS itself rejects ----

test("tampered witness values are caught by the constraint system", async () => {
  const tester = await devTester();
  const s = base();
  const w = await tester.witness(s.witness.input);
  assert.equal(tester.firstViolation(w), -1);
  const flip = (name: string) => 1n - tester.read(w, name);
  // IsZero's inverse is free when its input is 0 (out stays 1 whatever it is): tamper one whose input is not 0
  const eqInv = [0, 1, 2].map((j) => `main.median[3].eq[${j}].inv`).find((n) => tester.read(w, n) !== 0n)!;
  const cases: [string, bigint][] = [
    // PrefixMask hints (the only <-- in zkseq's own templates)
    ["main.active.mask[3]", flip("main.active.mask[3]")],
    // (--O2 merges active.mask[i+1] with ordered[i] for i >= F, and forced.mask with acc.enabled)
    ["main.ordered[6]", flip("main.ordered[6]")],
    ["main.acc.enabled[1]", flip("main.acc.enabled[1]")],
    ["main.acc.enabled[2]", flip("main.acc.enabled[2]")],
    // circomlib hints inside our constraint groups: IsZero's inverse, LessThan's bits
    [eqInv, tester.read(w, eqInv) + 1n],
    ["main.less[3].timeEq.inv", tester.read(w, "main.less[3].timeEq.inv") + 1n],
    ["main.less[3].hashLt.out", flip("main.less[3].hashLt.out")],
    ["main.less[3].hashLt.n2b.out[10]", flip("main.less[3].hashLt.n2b.out[10]")],
    ["main.median[2].lt[1].out", flip("main.median[2].lt[1].out")],
    ["main.median[2].lt[1].n2b.out[5]", flip("main.median[2].lt[1].n2b.out[5]")],
    // outputs and inputs
    ["main.batchHash", tester.read(w, "main.batchHash") + 1n],
    ["main.txRoot", tester.read(w, "main.txRoot") + 1n],
    ["main.fairTimes[3]", tester.read(w, "main.fairTimes[3]") + 1n],
    ["main.txHashes[0]", tester.read(w, "main.txHashes[0]") + 1n],
    // data binding: the evaluation, the challenge powers, a posted-slot flag
    ["main.dataEval", tester.read(w, "main.dataEval") + 1n],
    ["main.data.power[3]", tester.read(w, "main.data.power[3]") + 1n],
    ["main.data.term[5]", tester.read(w, "main.data.term[5]") + 1n],
    ["main.posted[2]", flip("main.posted[2]")],
  ];
  for (const [name, value] of cases) {
    const bad = tester.tamper(w, name, value);
    assert.notEqual(tester.firstViolation(bad), -1, `tampering ${name} went unnoticed by the R1CS`);
  }
});

test("random inputs far from valid are rejected (fuzz)", async () => {
  const tester = await devTester();
  const r = rng(77);
  const s = base();
  // dataChallenge is a free public input (the inbox derives it): any value is a valid witness
  const keys = Object.keys(s.witness.input).filter((k) => k !== "dataChallenge");
  for (let n = 0; n < 25; n++) {
    const input = structuredClone(s.witness.input);
    const key = keys[Math.floor(r() * keys.length)]!;
    const v = input[key]!;
    const rand = () => randomTxHash(r).toString();
    if (typeof v === "string") input[key] = rand();
    else if (typeof v[0] === "string") (v as string[])[Math.floor(r() * v.length)] = rand();
    else {
      const row = (v as string[][])[Math.floor(r() * v.length)]!;
      row[Math.floor(r() * row.length)] = rand();
    }
    await assert.rejects(tester.witness(input), /Assert Failed/, `changing ${key} was accepted`);
  }
});

// ---- data binding ----

test("the data evaluation covers exactly the fair-ordered slots: forced slots and padding are not posted", async () => {
  const tester = await devTester();
  const s = makeScenario({ seed: 31, txs: 4, forced: 2 });
  const h = s.proposal.header;
  const k = Number(h.forcedTo - h.forcedFrom);
  assert.equal(k, 2);
  const r = BigInt(s.witness.input.dataChallenge as string);
  const w = await tester.witness(s.witness.input);
  const out = tester.read(w, "main.dataEval");
  assert.equal(out, dataEvaluation(r, s.proposal.txHashes.slice(k), k), "the circuit's evaluation is the posted slots' polynomial");
  assert.notEqual(out, dataEvaluation(r, s.proposal.txHashes, 0), "forced slots must not count as posted");
  assert.notEqual(out, dataEvaluation(r, s.proposal.txHashes.slice(k + 1), k + 1), "every posted slot counts");
  // the same batch at another challenge evaluates elsewhere (the output follows the public input)
  const w2 = await tester.witness({ ...s.witness.input, dataChallenge: (r + 1n).toString() });
  assert.equal(tester.read(w2, "main.dataEval"), dataEvaluation(r + 1n, s.proposal.txHashes.slice(k), k));
});

test("a proof cannot claim another data evaluation, nor slots posted in another order", async () => {
  const tester = await devTester();
  const s = makeScenario({ seed: 32, txs: 6, forced: 1 });
  const w = await tester.witness(s.witness.input);
  const txs = s.proposal.txHashes;
  const r = BigInt(s.witness.input.dataChallenge as string);
  // swapping two posted transactions changes the evaluation the circuit outputs
  const swapped = [...txs];
  [swapped[2], swapped[3]] = [swapped[3]!, swapped[2]!];
  assert.notEqual(dataEvaluation(r, swapped.slice(1), 1), tester.read(w, "main.dataEval"));
  // and forcing the swapped evaluation into the witness breaks the constraints
  const bad = tester.tamper(w, "main.dataEval", dataEvaluation(r, swapped.slice(1), 1));
  assert.notEqual(tester.firstViolation(bad), -1);
});
