/** The zkseq command: one readable line and a non-zero exit on error; `prove` writes a verified proof. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { makeScenario, scenarioBatchJson } from "./helpers/fixtures.js";
import { readKeystore } from "../src/keys.js";
import { devArtifacts } from "./helpers/devBuild.js";
import { verifyDevProof } from "./helpers/proverBuild.js";
import { loadNativeAddon } from "../prover/nativeAddon.js";
import { runCli } from "./helpers/runCli.js";

const run = runCli;

test("cli: bad input exits non-zero with one readable line", async () => {
  const dir = await mkdtemp(join(tmpdir(), "zkseq-cli-"));
  await writeFile(join(dir, "bad.json"), "{ nope");
  const forged = scenarioBatchJson(makeScenario({ seed: 601 }));
  forged.reports[0]!.signature.S = "1";
  await writeFile(join(dir, "forged.json"), JSON.stringify(forged));
  for (const [args, message] of [
    [["prove", join(dir, "missing.json")], /^error FILE_NOT_FOUND: input file .*missing\.json does not exist/],
    [["prove", join(dir, "bad.json")], /^error MALFORMED_FILE: .*bad\.json is not valid JSON/],
    [["prove", join(dir, "forged.json")], /^error INVALID_SIGNATURE: .*invalid signature/],
    [["prove", join(dir, "forged.json"), "--build", "huge"], /--build huge but the file is for build 'dev'/],
    [["prover", "serve", "--port", "abc"], /--port must be a non-negative integer/],
    [["prover", "serve", "--queue", "http://127.0.0.1:6379"], /^error INVALID_ARGUMENT: --queue must be a redis:\/\/host:port URL, got 'http:\/\/127.0.0.1:6379'/],
    [["prover", "worker"], /--queue redis:\/\/host:port is required/],
    [["prover", "serve", "--tokens", join(dir, "no-tokens")], /^error FILE_NOT_FOUND: tokens file .*no-tokens does not exist/],
    [["prover", "worker", "--queue", "nope"], /--queue must be a redis:\/\/host:port URL/],
    [["prove", join(dir, "bad.json"), "--backend", "gpu"], /--backend must be native or snarkjs, got 'gpu'/],
  ] as const) {
    const r = await run([...args]);
    assert.notEqual(r.code, 0, args.join(" "));
    const lines = r.stderr.trim().split("\n").filter((l) => l.startsWith("error "));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, message);
  }
  // keys new: needs a password, writes a keystore that decrypts, never overwrites one
  const ks = join(dir, "member.keystore.json");
  const noPassword = await run(["keys", "new", "--out", ks, "--password-env", "ZKSEQ_TEST_UNSET_PASSWORD"]);
  assert.equal(noPassword.code, 1);
  assert.match(noPassword.stderr, /set a password in \$ZKSEQ_TEST_UNSET_PASSWORD/);
  process.env.ZKSEQ_TEST_KEY_PASSWORD = "correct horse";
  const made = await run(["keys", "new", "--out", ks, "--password-env", "ZKSEQ_TEST_KEY_PASSWORD"]);
  assert.equal(made.code, 0, made.stderr);
  const key = await readKeystore(ks, "correct horse");
  assert.deepEqual(JSON.parse(made.stdout).publicKey, key.publicKey.map(String));
  const again = await run(["keys", "new", "--out", ks, "--password-env", "ZKSEQ_TEST_KEY_PASSWORD"]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /exists; not overwriting/);

  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /prove/);
  for (const command of ["devnet", "member", "gateway", "prover", "prove", "verify", "inclusion", "keys"]) assert.match(help.stdout, new RegExp(`\\n  ${command}`));
});

test("cli: every error is one line `error CODE: message`, no stack, and a hint where it helps", async () => {
  const dir = await mkdtemp(join(tmpdir(), "zkseq-cli-"));
  await writeFile(join(dir, "bad.json"), "{ nope");
  await writeFile(join(dir, "proof.json"), JSON.stringify({ build: "dev", proof: { pi_a: ["1", "2", "1"] }, publicSignals: Array.from({ length: 11 }, () => "1") }));
  for (const [args, line] of [
    [["prove", "--no-such-option", "x.json"], /^error UNKNOWN_OPTION: unknown option '--no-such-option' \(see zkseq prove --help\)$/],
    [["--no-such-option"], /^error UNKNOWN_OPTION: unknown option '--no-such-option' \(see zkseq --help\)$/],
    [["no-such-command"], /^error UNKNOWN_COMMAND: unknown command 'no-such-command' \(see zkseq --help\)$/],
    [["verify", join(dir, "proof.json"), "--vkey", join(dir, "missing-vkey.json")], /^error FILE_NOT_FOUND: verification key .*missing-vkey\.json does not exist/],
    [["verify", join(dir, "bad.json"), "--vkey", join(dir, "missing-vkey.json")], /^error MALFORMED_FILE: .*bad\.json is not valid JSON/],
    [["prove", join(dir, "bad.json")], /^error MALFORMED_FILE: .*bad\.json is not valid JSON/],
    [["prover"], /^error MISSING_COMMAND: zkseq prover needs a command: serve, worker \(see zkseq prover --help\)$/],
    [["batch", "export", "1"], /^error MISSING_OPTION: required option '--db <file>' not specified \(see zkseq batch export --help\)$/],
  ] as const) {
    const r = await run([...args]);
    assert.notEqual(r.code, 0, args.join(" "));
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(lines[0]!, line);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    assert.doesNotMatch(r.stdout, /Usage:/, "an error does not print the help");
  }
  // --debug adds the stack after the line
  const debug = await run(["verify", join(dir, "proof.json"), "--vkey", join(dir, "missing-vkey.json"), "--debug"]);
  assert.equal(debug.code, 1);
  assert.match(debug.stderr, /^error FILE_NOT_FOUND: [^\n]*\nFileNotFoundError[^\n]*\n\s+at /);
});

test("build scripts: --help prints usage and exits 0; a bad flag is one line", async () => {
  for (const script of ["build-contracts", "build-circuits"]) {
    const file = fileURLToPath(new URL(`../scripts/${script}.ts`, import.meta.url));
    const node = (args: string[]) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", file, ...args], { env: process.env }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    const help = await node(["--help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, new RegExp(`^usage: npm run ${script.replace("-", ":")} -- `));
    assert.equal(help.stderr, "");
    const bad = await node(["--frobnicate"]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, `error UNKNOWN_OPTION: Unknown option '--frobnicate' (see npm run ${script.replace("-", ":")} -- --help)\n`);
  }
});

test("cli: zkseq prove writes a proof that verifies", async () => {
  await devArtifacts();
  const dir = await mkdtemp(join(tmpdir(), "zkseq-cli-"));
  const s = makeScenario({ seed: 602 });
  const file = join(dir, "batch.json");
  await writeFile(file, JSON.stringify(scenarioBatchJson(s)));
  const r = await run(["prove", file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, "addon" in loadNativeAddon() ? /proof verified \(native,/ : /proof verified \(snarkjs,/);
  const out = JSON.parse(await readFile(join(dir, "batch.proof.json"), "utf8"));
  assert.equal(out.batchHash, s.witness.batchHash.toString());
  assert.equal(await verifyDevProof(out.publicSignals, out.proof), true);

  // zkseq verify: the proof file verifies; a wrong previous batch, or a tampered header, does not
  const proofFile = join(dir, "batch.proof.json");
  const ok = await run(["verify", proofFile, "--prev", s.proposal.header.prevBatchHash.toString()]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`batch ${s.proposal.header.batchNumber} verified`));
  const broken = await run(["verify", proofFile, "--prev", "123"]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /error BATCH_NOT_VERIFIED: batch does not verify: prevBatchHash is \d+, expected 123/);
  await writeFile(join(dir, "tampered.json"), JSON.stringify({ ...out, header: { ...out.header, txCount: "1" } }));
  const tampered = await run(["verify", join(dir, "tampered.json")]);
  assert.equal(tampered.code, 1);
  assert.match(tampered.stderr, /header.txCount/);
});
