/**
 * The multi-party phase 2: three contributors and a beacon on the `dev` build,
 * verified end to end; a key that does not follow from the one before, a
 * swapped middle file, a transcript edited by hand and an unlisted ptau are
 * caught; a proof made with the final key verifies against the exported key.
 * The shared development ptau stands in for a ceremony ptau.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFile, copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import * as snarkjs from "snarkjs";
import { buildCircuit, compileCircuit, PACKAGE_ROOT, type CompiledCircuit } from "../src/build/buildCircuit.js";
import { releaseCurves } from "../src/build/curves.js";
import { sha256File } from "../src/build/ptau.js";
import {
  applyBeacon,
  checkCeremonyPtau,
  contributeToCeremony,
  finalizeCeremony,
  initCeremony,
  installCeremonyKeys,
  readContributions,
  readTranscript,
  verifyCeremonyZkey,
  verifyTranscript,
  type Transcript,
} from "../src/ceremony/index.js";
import { chainHash, initialChainHash, writeTranscript } from "../src/ceremony/transcript.js";
import { CeremonyFileError, CeremonyVerificationError, InvalidArgumentError, UnlistedPtauError } from "../src/errors.js";
import { makeScenario } from "./helpers/fixtures.js";
import { devArtifacts } from "./helpers/devBuild.js";
import { runCli } from "./helpers/runCli.js";

const run = runCli;

const ptauSource = process.env.ZKSEQ_TEST_PTAU ?? process.env.ZKSEQ_PTAU ?? join(PACKAGE_ROOT, "..", "shared", "ptau");
const PTAU = ptauSource.endsWith(".ptau") ? ptauSource : join(ptauSource, "pot16_dev.ptau");

const root = await mkdtemp(join(tmpdir(), "zkseq-ceremony-"));
const dir = join(root, "ceremony");
after(async () => {
  await releaseCurves();
  await rm(root, { recursive: true, force: true });
});

/** A copy of the ceremony folder an attacker can tamper with. */
async function copyCeremony(name: string): Promise<string> {
  const to = join(root, name);
  await cp(dir, to, { recursive: true });
  return to;
}

/** Rewrites a transcript the way a careful forger would: every chain hash recomputed after the edit. */
async function forgeTranscript(path: string, edit: (t: Transcript) => void): Promise<void> {
  const t = await readTranscript(path);
  edit(t);
  t.initial.chain = initialChainHash(t);
  let previous = t.initial.chain;
  for (const c of t.contributions) previous = c.chain = chainHash(previous, c);
  await writeTranscript(path, t);
}

let compiled: CompiledCircuit;
const hashes: string[] = [];
let lastKey = "";

test("ceremony: a ptau that is not on the list is refused unless allowed, with a loud warning", async () => {
  compiled = await compileCircuit("dev");
  const listed = await checkCeremonyPtau(PTAU, compiled.power);
  assert.equal(listed.listed, "development");
  assert.equal(listed.sha256, (await readFile(join(PTAU, "..", "SHA256SUMS"), "utf8")).split(/\s+/)[0]);
  const other = join(root, "other.ptau");
  await copyFile(PTAU, other);
  await appendFile(other, Buffer.from([0])); // a different file that still parses: on no list
  await assert.rejects(checkCeremonyPtau(other, compiled.power), UnlistedPtauError);
  const warnings: string[] = [];
  const allowed = await checkCeremonyPtau(other, compiled.power, { allowUnlisted: true, logger: { info() {}, warn: (m) => warnings.push(m) } });
  assert.equal(allowed.listed, "unlisted");
  assert.ok(warnings.some((w) => /ON NO LIST/.test(w)));
  const cli = await run(["ceremony", "init", "dev", "--ptau", other, "--out", join(root, "refused")]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /^error PTAU_NOT_LISTED: .*other\.ptau .* is not a listed ceremony ptau; pass --allow-unlisted-ptau .*\n$/);
  await rm(other);
});

test("ceremony: init, three contributors (one through the CLI) and a beacon; every hash is published and recorded", async () => {
  const init = await initCeremony({ build: "dev", ptau: PTAU, out: dir });
  assert.equal(basename(init.zkey), "dev_0000.zkey");
  assert.equal(init.ptau.listed, "development");
  await assert.rejects(initCeremony({ build: "dev", ptau: PTAU, out: dir }), CeremonyFileError, "a second init over a running ceremony");

  const alice = await contributeToCeremony({ input: join(dir, "dev_0000.zkey"), output: join(dir, "dev_0001.zkey"), name: "alice" });
  const bob = await contributeToCeremony({ input: join(dir, "dev_0001.zkey"), output: join(dir, "dev_0002.zkey"), name: "bob", text: "bob's dice: 4 1 6 6 2" });
  await assert.rejects(contributeToCeremony({ input: join(dir, "dev_0002.zkey"), output: join(dir, "x.zkey"), name: "" }), InvalidArgumentError);
  const cli = await run(["ceremony", "contribute", join(dir, "dev_0002.zkey"), join(dir, "dev_0003.zkey"), "--name", "carol"]);
  assert.equal(cli.code, 0, cli.stderr);
  const carolHash = /contribution hash \(publish it\): ([0-9a-f]{128})/.exec(cli.stdout)?.[1];
  assert.ok(carolHash, cli.stdout);
  const beacon = await applyBeacon({ input: join(dir, "dev_0003.zkey"), output: join(dir, "dev_0004.zkey"), beacon: "0x" + "ab".repeat(32), iterationsExp: 10 });
  hashes.push(alice.contributionHash, bob.contributionHash, carolHash, beacon.contributionHash);
  lastKey = join(dir, "dev_0004.zkey");

  const t = await readTranscript(join(dir, "transcript.json"));
  assert.deepEqual(t.contributions.map((c) => [c.index, c.type, c.name, c.contributionHash]), [
    [1, "contribution", "alice", hashes[0]],
    [2, "contribution", "bob", hashes[1]],
    [3, "contribution", "carol", hashes[2]],
    [4, "beacon", "beacon", hashes[3]],
  ]);
  assert.deepEqual(t.contributions[3]!.beacon, { hash: "ab".repeat(32), iterationsExp: 10 });
  // the hashes the contributors publish are the ones snarkjs records in the key
  assert.deepEqual((await readContributions(lastKey)).contributions.map((c) => c.contributionHash), hashes);
  assert.equal(new Set(hashes).size, 4);
});

test("ceremony: a contribution on top of anything but the latest key is refused", async () => {
  const stale = join(dir, "dev_0002-again.zkey");
  await assert.rejects(contributeToCeremony({ input: join(dir, "dev_0001.zkey"), output: stale, name: "mallory" }), (e: unknown) => e instanceof CeremonyVerificationError && /not the transcript's latest key dev_0004\.zkey/.test(e.message));
  await assert.rejects(stat(stale), "nothing written");
  const cli = await run(["ceremony", "beacon", join(dir, "dev_0004.zkey"), join(dir, "b.zkey"), "--beacon", "zz", "--iterations", "10"]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /^error INVALID_ARGUMENT: the beacon must be 1 to 255 bytes of hex, got "zz"( \(see zkseq ceremony beacon --help\))?\n$/);
});

test("ceremony: a middle key that does not follow from the one before is caught by the transcript check", async () => {
  // the honest transcript and its keys check out
  const honest = await verifyTranscript(join(dir, "transcript.json"));
  assert.deepEqual(honest.missing, []);
  assert.equal(honest.checked.length, 5);

  // mallory builds "contribution 2" on the initial key, skipping alice, and swaps it in for bob's file
  const swapped = await copyCeremony("swapped");
  const rogue = join(root, "rogue.zkey");
  await snarkjs.zKey.contribute(join(dir, "dev_0000.zkey"), rogue, "bob", "mallory's entropy");
  await releaseCurves();
  await copyFile(rogue, join(swapped, "dev_0002.zkey"));
  await assert.rejects(verifyTranscript(join(swapped, "transcript.json")), /dev_0002\.zkey \(after contribution 2\) is not the file the transcript records/);

  // ...and rewrites the transcript to match the file, chain hashes and all: the key's own record gives it away
  const rogueSha = await sha256File(rogue);
  await forgeTranscript(join(swapped, "transcript.json"), (t) => {
    t.contributions[1]!.zkey.sha256 = rogueSha;
  });
  await assert.rejects(verifyTranscript(join(swapped, "transcript.json")), /dev_0002\.zkey \(after contribution 2\) records 1 contributions, the transcript 2/);

  // a key of another circuit (another initial key) in its place
  const ko = await initCeremony({ build: "key-ownership", ptau: PTAU, out: join(root, "ko") });
  const foreign = join(root, "ko", "ko_0001.zkey");
  await contributeToCeremony({ input: ko.zkey, output: foreign, name: "alice" });
  await copyFile(foreign, join(swapped, "dev_0001.zkey"));
  const foreignSha = await sha256File(foreign);
  await forgeTranscript(join(swapped, "transcript.json"), (t) => {
    t.contributions[0]!.zkey.sha256 = foreignSha;
  });
  await assert.rejects(verifyTranscript(join(swapped, "transcript.json")), /dev_0001\.zkey \(after contribution 1\) is a key for another circuit/);

  // the full check refuses a key against another circuit's r1cs
  const koCompiled = await compileCircuit("key-ownership");
  await assert.rejects(verifyCeremonyZkey({ zkey: lastKey, r1cs: koCompiled.r1cs, ptau: PTAU }), CeremonyVerificationError);
});

test("ceremony: a transcript edited by hand fails verification", async () => {
  const edited = await copyCeremony("edited");
  const path = join(edited, "transcript.json");
  const original = await readFile(path, "utf8");
  const t = JSON.parse(original) as Transcript;

  // a renamed contributor
  t.contributions[1]!.name = "mallory";
  await writeFile(path, JSON.stringify(t, null, 2));
  await assert.rejects(verifyTranscript(path), /contribution 2 \(mallory\) was edited or does not follow the one before/);
  const cli = await run(["ceremony", "verify", "--transcript", path]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /^error CEREMONY_NOT_VERIFIED: the ceremony does not verify: contribution 2 \(mallory\) was edited .*\n$/);

  // a dropped contribution
  const dropped = JSON.parse(original) as Transcript;
  dropped.contributions.splice(1, 1);
  await writeFile(path, JSON.stringify(dropped, null, 2));
  await assert.rejects(verifyTranscript(path), /contribution 2 is numbered 3/);

  // another ptau claimed in the header
  const header = JSON.parse(original) as Transcript;
  header.ptau.listed = "ceremony";
  await writeFile(path, JSON.stringify(header, null, 2));
  await assert.rejects(verifyTranscript(path), /header .* was edited/);

  // a forger who recomputes every chain hash is still caught by the keys next to the transcript
  await writeFile(path, original);
  await forgeTranscript(path, (x) => {
    x.contributions[1]!.name = "mallory";
  });
  await assert.rejects(verifyTranscript(path), /dev_0002\.zkey \(after contribution 2\): its contribution 2 \(bob, .*\) is not the transcript's \(mallory/);
});

test("ceremony: the final key verifies from the r1cs and the ptau through all four contributions; finalize exports keys that prove", async () => {
  const cli = await run(["ceremony", "verify", lastKey, "--r1cs", compiled.r1cs, "--ptau", PTAU, "--transcript", join(dir, "transcript.json")]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /transcript chain ok: [0-9a-f]{64}/);
  assert.match(cli.stdout, /dev_0004\.zkey ok: follows from the r1cs and the ptau through 4 contributions/);
  for (const h of hashes) assert.ok(cli.stdout.includes(h), `published hash ${h.slice(0, 16)} is in the verify output`);

  await assert.rejects(finalizeCeremony({ zkey: join(dir, "dev_0002.zkey"), out: join(root, "early") }), /is not the transcript's latest key dev_0004\.zkey/);
  const final = await finalizeCeremony({ zkey: lastKey, out: join(root, "final") });
  const sol = await readFile(final.solidityVerifier, "utf8");
  assert.match(sol, /^\/\/ GENERATED by zkseq ceremony finalize .*\n\/\/ a multi-party phase 2 of 4 contributions \(transcript chain [0-9a-f]{64}\)/);
  assert.match(sol, /contract Groth16Verifier/);
  const report = await verifyTranscript(final.transcript);
  assert.equal(report.chain, final.chain);
  assert.ok(report.transcript.final);
  assert.deepEqual(report.checked.sort(), ["Verifier.sol", "dev.zkey", "verification_key.json"]);
  assert.deepEqual(report.missing, ["dev_0000.zkey", "dev_0001.zkey", "dev_0002.zkey", "dev_0003.zkey", "dev_0004.zkey"]);
  await assert.rejects(contributeToCeremony({ input: final.zkey, output: join(root, "late.zkey"), name: "late", transcript: final.transcript }), /is finalized/);

  // a proof made with the final key verifies against the exported key; one made with the single-party dev key does not
  const vkey = JSON.parse(await readFile(final.verificationKey, "utf8"));
  const input = makeScenario({ seed: 1201 }).witness.input;
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, compiled.wasm, final.zkey);
  assert.equal(await snarkjs.groth16.verify(vkey, publicSignals, proof), true);
  const other = await snarkjs.groth16.fullProve(input, compiled.wasm, (await devArtifacts()).zkey);
  assert.equal(await snarkjs.groth16.verify(vkey, other.publicSignals, other.proof), false);
  await releaseCurves();

  // installed into a build cache, buildCircuit with the ceremony's ptau hands out the ceremony's keys
  const cache = join(root, "cache");
  const compiledCopy = join(cache, "dev", basename(compiled.dir));
  await mkdir(compiledCopy, { recursive: true });
  for (const name of await readdir(compiled.dir)) if (!name.startsWith("setup-")) await cp(join(compiled.dir, name), join(compiledCopy, name), { recursive: true });
  const setupDir = await installCeremonyKeys({ dir: final.dir, cacheDir: cache });
  const art = await buildCircuit("dev", { ptau: PTAU, cacheDir: cache });
  assert.equal(art.zkey, join(setupDir, "dev.zkey"));
  assert.equal(await sha256File(art.zkey), await sha256File(lastKey));
  assert.deepEqual(JSON.parse(await readFile(art.verificationKey, "utf8")), vkey);
  await assert.rejects(installCeremonyKeys({ dir: final.dir, cacheDir: cache }), /exists .* pass --force/);
});
