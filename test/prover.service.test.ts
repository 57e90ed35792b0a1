import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createProver, type JobView } from "../prover/prover.js";
import { JobNotDoneError, JobNotFoundError, QueueFullError, UnknownBuildError, InvalidSignatureError } from "../src/errors.js";
import { makeScenario, scenarioBatchJson } from "./helpers/fixtures.js";
import { devFiles, verifyDevProof } from "./helpers/proverBuild.js";

async function tmpDb(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), "zkseq-prover-")), "jobs.db");
}

test("service: the same batch is the same job, whether sent as a batch or as its circuit input", async () => {
  const prover = await createProver({ artifacts: { dev: await devFiles() }, db: await tmpDb(), autoStart: false });
  try {
    const s = makeScenario({ seed: 301 });
    const a = await prover.submit({ build: "dev", batch: scenarioBatchJson(s) });
    const b = await prover.submit({ build: "dev", batch: scenarioBatchJson(s) });
    const c = await prover.submit({ build: "dev", input: s.witness.input });
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.equal(c.created, false);
    assert.equal(b.job.id, a.job.id);
    assert.equal(c.job.id, a.job.id);
    assert.equal(a.job.batchNumber, s.proposal.header.batchNumber.toString());
    assert.deepEqual(prover.counts(), { queued: 1, running: 0, done: 0, failed: 0, cancelled: 0 });
  } finally {
    await prover.close();
  }
});

test("service: refuses an unknown build, a batch breaking a rule, a full queue; unknown ids are JobNotFoundError", async () => {
  const prover = await createProver({ artifacts: { dev: await devFiles() }, db: await tmpDb(), autoStart: false, maxQueued: 2 });
  try {
    const s = makeScenario({ seed: 302 });
    await assert.rejects(prover.submit({ build: "standard", input: s.witness.input }), UnknownBuildError);
    await assert.rejects(prover.submit({ build: "nope", input: s.witness.input }), UnknownBuildError);
    const forged = scenarioBatchJson(s);
    forged.reports[0]!.signature.S = (BigInt(forged.reports[0]!.signature.S) ^ 1n).toString();
    await assert.rejects(prover.submit({ build: "dev", batch: forged }), InvalidSignatureError);
    await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 303 })) });
    await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 304 })) });
    await assert.rejects(prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 305 })) }), QueueFullError);
    // the same job again is not a new one: still answered when the queue is full
    assert.equal((await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 303 })) })).created, false);
    assert.throws(() => prover.get("0".repeat(32)), JobNotFoundError);
    assert.throws(() => prover.get("../etc"), JobNotFoundError);
  } finally {
    await prover.close();
  }
});

test("service: lower batch numbers are proven first; proofs verify; cancelling queued and running jobs", async () => {
  // snarkjs: the running job must still be running 800 ms in, which a native proof may not be
  const prover = await createProver({ artifacts: { dev: await devFiles() }, db: await tmpDb(), autoStart: false, workers: 1, backend: "snarkjs" });
  try {
    const order: string[] = [];
    prover.on("job", (j: JobView) => {
      if (j.state === "done") order.push(j.batchNumber);
    });
    const ids: string[] = [];
    for (const n of [30n, 10n, 20n]) ids.push((await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 310 + Number(n), batchNumber: n })) })).job.id);
    const queuedThenCancelled = (await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 399, batchNumber: 40n })) })).job.id;
    assert.equal(prover.cancel(queuedThenCancelled).state, "cancelled");
    assert.throws(() => prover.proof(ids[0]!), JobNotDoneError);

    prover.start();
    const finished = await Promise.all(ids.map((id) => prover.waitFor(id)));
    assert.deepEqual(order, ["10", "20", "30"]);
    for (const j of finished) {
      assert.equal(j.state, "done");
      const p = prover.proof(j.id);
      assert.equal(p.header.batchNumber, j.batchNumber);
      assert.equal(await verifyDevProof(p.publicSignals, p.proof), true);
    }
    assert.equal(prover.get(queuedThenCancelled).state, "cancelled");

    // a running job: cancel stops its worker, and it never turns done
    const running = (await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 398, batchNumber: 50n })) })).job.id;
    assert.equal(prover.get(running).state, "running");
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(prover.cancel(running).state, "cancelled");
    assert.equal((await prover.waitFor(running)).state, "cancelled");
    // resubmitting a cancelled job queues it again
    const again = await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 398, batchNumber: 50n })) });
    assert.equal(again.created, true);
    assert.equal(again.job.id, running);
    assert.equal((await prover.waitFor(running)).state, "done");
    assert.deepEqual(prover.counts(), { queued: 0, running: 0, done: 4, failed: 0, cancelled: 1 });
  } finally {
    await prover.close();
  }
});

test("service: a job that exceeds its timeout fails with JOB_TIMEOUT", async () => {
  const prover = await createProver({ artifacts: { dev: await devFiles() }, db: await tmpDb(), workers: 1, jobTimeoutMs: 300, backend: "snarkjs" });
  try {
    const { job } = await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 320 })) });
    const end = await prover.waitFor(job.id);
    assert.equal(end.state, "failed");
    assert.equal(end.error?.code, "JOB_TIMEOUT");
  } finally {
    await prover.close();
  }
});

test("service: cancelling a running job and submitting it again in the same tick ends with it proven once (2 workers)", async () => {
  const prover = await createProver({ artifacts: { dev: await devFiles() }, db: await tmpDb(), workers: 2 });
  try {
    const batch = scenarioBatchJson(makeScenario({ seed: 330 }));
    const { job } = await prover.submit({ build: "dev", batch });
    assert.equal(prover.get(job.id).state, "running");
    const states: string[] = [];
    prover.on("job", (j: JobView) => {
      if (j.id === job.id) states.push(j.state);
    });
    assert.equal(prover.cancel(job.id).state, "cancelled");
    const again = prover.submit({ build: "dev", batch }); // same tick: the stopped run has not ended yet
    assert.equal((await again).created, true);
    const end = await prover.waitFor(job.id);
    assert.equal(end.state, "done", JSON.stringify(end));
    const p = prover.proof(job.id);
    assert.equal(await verifyDevProof(p.publicSignals, p.proof), true);
    assert.ok(!states.includes("failed"), `never failed on the way: ${states.join(" -> ")}`);
    assert.deepEqual(prover.counts(), { queued: 0, running: 0, done: 1, failed: 0, cancelled: 0 });
  } finally {
    await prover.close();
  }
});

test("service: fair share between clients: another client's low batch numbers do not outrank a client's job", async () => {
  const prover = await createProver({ artifacts: { dev: await devFiles() }, db: await tmpDb(), autoStart: false, workers: 1 });
  try {
    const started: string[] = [];
    prover.on("job", (j: JobView) => {
      if (j.state === "running") started.push(j.batchNumber);
    });
    const ids: string[] = [];
    for (const n of [0n, 1n, 2n]) ids.push((await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 340 + Number(n), batchNumber: n })) }, { client: "attacker" })).job.id);
    ids.push((await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 349, batchNumber: 10n })) }, { client: "rollup" })).job.id);
    prover.start();
    for (const id of ids) assert.equal((await prover.waitFor(id)).state, "done");
    assert.deepEqual(started, ["0", "10", "1", "2"], "round robin between clients, lowest batch first within each");
  } finally {
    await prover.close();
  }
});

test("service: finished jobs are dropped after retainFinishedS; younger ones are kept", async () => {
  const prover = await createProver({ artifacts: { dev: await devFiles() }, db: await tmpDb(), workers: 1, retainFinishedS: 1 });
  try {
    const { job: old } = await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 360 })) });
    assert.equal((await prover.waitFor(old.id)).state, "done");
    const { job: cancelled } = await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 361, batchNumber: 700n })) });
    prover.cancel(cancelled.id);
    await new Promise((r) => setTimeout(r, 1100));
    const { job: fresh } = await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 362 })) });
    assert.throws(() => prover.get(old.id), JobNotFoundError);
    assert.throws(() => prover.get(cancelled.id), JobNotFoundError);
    assert.equal((await prover.waitFor(fresh.id)).state, "done", "a job younger than the retention is kept");
    assert.equal(prover.counts().done, 1);
  } finally {
    await prover.close();
  }
});
