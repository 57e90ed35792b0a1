import { test } from "node:test";
import assert from "node:assert/strict";
import { availableParallelism, tmpdir } from "node:os";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ProvingPool } from "../prover/provingPool.js";
import {
  CircuitInputRejectedError,
  JobCancelledError,
  JobTimeoutError,
  ProofVerificationError,
  ProverClosedError,
  WorkerCrashedError,
} from "../src/errors.js";
import { loadNativeAddon } from "../prover/nativeAddon.js";
import { makeScenario } from "./helpers/fixtures.js";
import { devFiles, verifyDevProof } from "./helpers/proverBuild.js";

/** Resolves once the pool has a task running for `ms` (so a proof is under way in the worker). */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("pool: N proofs at once, spread over the workers, all verify and carry the batch's public signals", async () => {
  const files = await devFiles();
  const pool = new ProvingPool({ workers: 2 });
  try {
    const scenarios = [1, 2, 3, 4].map((seed) => makeScenario({ seed: 100 + seed }));
    const results = await Promise.all(scenarios.map((s) => pool.prove(files, s.witness.input)));
    for (const [i, r] of results.entries()) {
      const w = scenarios[i]!.witness;
      assert.deepEqual(r.publicSignals, w.publicSignals);
      assert.equal(r.publicSignals[0], w.batchHash.toString());
      assert.equal(await verifyDevProof(r.publicSignals, r.proof), true);
      assert.equal(r.attempts, 1);
      assert.ok(r.timings.proveMs > 0 && r.timings.witnessMs > 0);
    }
    if (pool.size >= 2) assert.equal(new Set(results.map((r) => r.threadId)).size, 2, "both workers proved");
    // the second proof of a worker reuses the loaded build
    assert.ok(results.some((r) => r.timings.loadMs < 5));
  } finally {
    await pool.close();
  }
});

test("pool: never more workers than cores", async () => {
  const pool = new ProvingPool({ workers: 1000 });
  assert.equal(pool.size, availableParallelism());
  await pool.close();
  assert.throws(() => new ProvingPool({ workers: 0 }), /positive integer/);
});

// The crash and cancellation tests kill a worker at a fixed time into a proof: they use the
// slower snarkjs backend so that the proof is still running then (the mechanics are the same).
test("pool: a worker that dies mid-proof is replaced and the job retried; with no attempts left it is WorkerCrashedError", async () => {
  const files = await devFiles();
  const input = makeScenario({ seed: 201 }).witness.input;
  const pool = new ProvingPool({ workers: 1, maxAttempts: 2, backend: "snarkjs" });
  try {
    const proving = pool.prove(files, input);
    await sleep(1500);
    assert.equal(pool.threads.length, 1);
    await pool.threads[0]!.terminate();
    const r = await proving;
    assert.equal(r.attempts, 2);
    assert.equal(await verifyDevProof(r.publicSignals, r.proof), true);
  } finally {
    await pool.close();
  }

  const once = new ProvingPool({ workers: 1, maxAttempts: 1, backend: "snarkjs" });
  try {
    const proving = once.prove(files, input);
    await sleep(1500);
    await once.threads[0]!.terminate();
    await assert.rejects(proving, WorkerCrashedError);
  } finally {
    await once.close();
  }
});

test("pool: cancellation by AbortSignal and by timeout; the pool keeps proving after both", async () => {
  const files = await devFiles();
  const input = makeScenario({ seed: 202 }).witness.input;
  const pool = new ProvingPool({ workers: 1, backend: "snarkjs" });
  try {
    const ac = new AbortController();
    const cancelled = pool.prove(files, input, { signal: ac.signal });
    setTimeout(() => ac.abort(), 800);
    await assert.rejects(cancelled, JobCancelledError);
    await assert.rejects(pool.prove(files, input, { timeoutMs: 300 }), JobTimeoutError);
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(pool.prove(files, input, { signal: aborted.signal }), JobCancelledError);
    const r = await pool.prove(files, input);
    assert.equal(await verifyDevProof(r.publicSignals, r.proof), true);
  } finally {
    await pool.close();
  }
});

test("pool: closing the pool while a native proof runs rejects it with ProverClosedError, and the process lives on", { skip: "addon" in loadNativeAddon() ? false : "no native addon here" }, async () => {
  const files = await devFiles();
  const input = makeScenario({ seed: 203 }).witness.input;
  const pool = new ProvingPool({ workers: 1, backend: "native" });
  let closed = false;
  try {
    // a warm worker: the next proof spends its time in the addon after a short witness
    const warm = await pool.prove(files, input);
    const running = pool.prove(files, input);
    const outcome = running.then(() => undefined, (e: unknown) => e);
    await sleep(warm.timings.witnessMs + warm.timings.proveMs / 3);
    await pool.close();
    closed = true;
    // before the fix, the worker's teardown threw from the addon and aborted the whole process here
    assert.ok((await outcome) instanceof ProverClosedError);
  } finally {
    if (!closed) await pool.close();
  }
});

test("pool: an input the circuit rejects is CircuitInputRejectedError naming the template", async () => {
  const files = await devFiles();
  const input = makeScenario({ seed: 203, txs: 4, forced: 0 }).witness.input;
  const bad = { ...input, fairTimes: [...(input.fairTimes as string[])].reverse() };
  const pool = new ProvingPool({ workers: 1 });
  try {
    await assert.rejects(pool.prove(files, bad), (e: unknown) => e instanceof CircuitInputRejectedError && /MedianOfOdd|FairOrderLess/.test(e.shortMessage));
  } finally {
    await pool.close();
  }
});

test("pool: a proof that does not verify against the build's verification key is an error, never a result", async () => {
  const files = await devFiles();
  const dir = await mkdtemp(join(tmpdir(), "zkseq-vkey-"));
  const vkey = JSON.parse(await readFile(files.verificationKey, "utf8"));
  vkey.IC[1] = vkey.IC[2]; // a verification key that does not belong to the zkey
  const wrongVkey = join(dir, "verification_key.json");
  await writeFile(wrongVkey, JSON.stringify(vkey));
  const pool = new ProvingPool({ workers: 1 });
  try {
    await assert.rejects(pool.prove({ ...files, verificationKey: wrongVkey }, makeScenario({ seed: 204 }).witness.input), ProofVerificationError);
  } finally {
    await pool.close();
  }
});

test("pool: a worker out of memory is replaced and the job retried; when every attempt runs out it is WorkerCrashedError", async () => {
  const files = await devFiles();
  const pool = new ProvingPool({ workers: 1, maxAttempts: 2, resourceLimits: { maxOldGenerationSizeMb: 12, maxYoungGenerationSizeMb: 2 } });
  try {
    await assert.rejects(pool.prove(files, makeScenario({ seed: 205 }).witness.input), (e: unknown) => e instanceof WorkerCrashedError && /2 attempts.*memory/.test(e.shortMessage));
  } finally {
    await pool.close();
  }
});

test("pool: workers that cannot even start fail the proof at once instead of leaving it queued", async () => {
  const files = await devFiles();
  const pool = new ProvingPool({ workers: 1, resourceLimits: { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1 } });
  try {
    await assert.rejects(pool.prove(files, makeScenario({ seed: 206 }).witness.input, { timeoutMs: 120_000 }), WorkerCrashedError);
    await assert.rejects(pool.prove(files, makeScenario({ seed: 206 }).witness.input), WorkerCrashedError);
  } finally {
    await pool.close();
  }
});
