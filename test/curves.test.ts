/** snarkjs's shared curve: verifying batches never tears it down under a proof running in the same process. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { devArtifacts } from "./helpers/devBuild.js";

const SCENARIO = fileURLToPath(new URL("./helpers/proveWhileVerifying.ts", import.meta.url));

test("curves: a snarkjs proof and several verifyBatch calls in one process all succeed, and the process exits on its own", async () => {
  await devArtifacts(); // set up here, so the child only proves and verifies
  // The timeout only stops a hung child (the failure this test guards against); nothing is asserted about time.
  const r = await promisify(execFile)(process.execPath, ["--import", "tsx", SCENARIO], { env: process.env, timeout: 15 * 60_000 }).then(
    (r) => ({ code: 0, signal: null as string | null, ...r }),
    (e: { code: number | null; signal: string | null; stdout: string; stderr: string }) => ({ code: e.code, signal: e.signal, stdout: e.stdout, stderr: e.stderr }),
  );
  assert.equal(r.signal, null, `the child hung and was killed: ${r.stderr}`);
  assert.equal(r.code, 0, `the child exited ${r.code}: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { verified: boolean[]; duringProof: number; second: boolean };
  assert.deepEqual(out.verified, [true, true, true, true]);
  assert.equal(out.second, true);
});
