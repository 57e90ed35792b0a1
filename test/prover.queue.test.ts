/**
 * The BullMQ backend in one process: QueueProver (the API side) and
 * QueueWorker (a proving worker) on a redis-server this file starts. Same
 * promises as the SQLite prover (prover.service.test.ts), same HTTP errors
 * (prover.http.test.ts). Worker processes, SIGKILL and restarts are in
 * prover.cluster.test.ts.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createProver } from "../prover/prover.js";
import { createProverServer } from "../prover/httpServer.js";
import { QueueWorker } from "../prover/queue/queueWorker.js";
import { QueueProver } from "../prover/queue/queueProver.js";
import type { BuildFiles } from "../prover/provingPool.js";
import { JobNotDoneError, JobNotFoundError, NotJobOwnerError, QueueFullError, UnknownBuildError, InvalidSignatureError } from "../src/errors.js";
import { makeScenario, scenarioBatchJson } from "./helpers/fixtures.js";
import { devFiles, verifyDevProof } from "./helpers/proverBuild.js";
import { redisMissing, startRedis, type TestRedis } from "./helpers/redisServer.js";

const skip = redisMissing();
let redis: TestRedis;
let prefixN = 0;

before(async () => {
  if (!skip) redis = await startRedis({ aof: true });
});
after(async () => {
  await redis?.stop();
});

/** A fresh queue prefix per test: tests share the server, not jobs. */
const prefix = () => `t${process.pid}-${++prefixN}`;

async function api(p: string, extra: { maxQueued?: number; jobTimeoutMs?: number; retainFinishedS?: number } = {}): Promise<QueueProver> {
  return QueueProver.open(new Map([["dev", await devFiles()]]), { url: redis.url, prefix: p, pollMs: 60_000, ...extra });
}

async function worker(p: string, files?: BuildFiles): Promise<QueueWorker> {
  return QueueWorker.start({ url: redis.url, prefix: p, builds: new Map([["dev", files ?? (await devFiles())]]), workers: 1, heartbeatMs: 200 });
}

test("queue: the same batch is one job (as a batch or as its input); unknown build, a bad batch, a full queue and unknown ids are refused", { skip }, async () => {
  const p = prefix();
  const prover = await createProver({ queue: redis.url, queuePrefix: p, artifacts: { dev: await devFiles() }, maxQueued: 2 });
  try {
    const s = makeScenario({ seed: 1301 });
    const a = await prover.submit({ build: "dev", batch: scenarioBatchJson(s) });
    const b = await prover.submit({ build: "dev", batch: scenarioBatchJson(s) });
    const c = await prover.submit({ build: "dev", input: s.witness.input });
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.equal(c.created, false);
    assert.equal(b.job.id, a.job.id);
    assert.equal(c.job.id, a.job.id);
    assert.equal(a.job.state, "queued");
    assert.equal(a.job.batchNumber, s.proposal.header.batchNumber.toString());

    await assert.rejects(prover.submit({ build: "standard", input: s.witness.input }), UnknownBuildError);
    const forged = scenarioBatchJson(s);
    forged.reports[0]!.signature.S = (BigInt(forged.reports[0]!.signature.S) ^ 1n).toString();
    await assert.rejects(prover.submit({ build: "dev", batch: forged }), InvalidSignatureError);
    await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1302 })) });
    await assert.rejects(prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1303 })) }), QueueFullError);
    assert.equal((await prover.submit({ build: "dev", batch: scenarioBatchJson(s) })).created, false, "the same job is still answered when the queue is full");
    await assert.rejects(prover.get("0".repeat(32)), JobNotFoundError);
    await assert.rejects(prover.get("../etc"), JobNotFoundError);
    await assert.rejects(prover.proof(a.job.id), JobNotDoneError);
    assert.deepEqual(await prover.counts(), { queued: 2, running: 0, done: 0, failed: 0, cancelled: 0 });
  } finally {
    await prover.close();
  }
});

test("queue: lowest batch number first, proofs verify, cancel a queued job and submit it again", { skip }, async () => {
  const p = prefix();
  const prover = await api(p);
  let w: QueueWorker | undefined;
  try {
    const ids = new Map<string, bigint>();
    for (const n of [12n, 10n, 11n]) {
      const { job } = await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1400 + Number(n), batchNumber: n })) });
      ids.set(job.id, n);
    }
    const cancelled = makeScenario({ seed: 1499, batchNumber: 9n });
    const { job: c } = await prover.submit({ build: "dev", batch: scenarioBatchJson(cancelled) });
    const view = await prover.cancel(c.id);
    assert.equal(view.state, "cancelled");
    assert.equal((await prover.get(c.id)).state, "cancelled");
    await assert.rejects(prover.proof(c.id), JobNotDoneError);

    w = await worker(p);
    const done = await Promise.all([...ids.keys()].map((id) => prover.waitFor(id)));
    for (const j of done) assert.equal(j.state, "done", JSON.stringify(j));
    const order = [...done].sort((x, y) => Date.parse(x.finishedAt!) - Date.parse(y.finishedAt!)).map((j) => j.batchNumber);
    assert.deepEqual(order, ["10", "11", "12"]);
    for (const id of ids.keys()) {
      const proof = await prover.proof(id);
      assert.equal(proof.header.batchNumber, ids.get(id)!.toString());
      assert.equal(await verifyDevProof(proof.publicSignals, proof.proof), true);
    }
    assert.equal((await prover.get(c.id)).state, "cancelled", "a cancelled job is never proven");

    const again = await prover.submit({ build: "dev", batch: scenarioBatchJson(cancelled) });
    assert.equal(again.created, true);
    assert.equal((await prover.waitFor(c.id)).state, "done");
    const health = await prover.health();
    assert.equal(health.workers, 1, "the worker announced itself");
    const counted = new RegExp(`zkseq_prover_worker_proofs_total\\{worker="[^"]+",host="[^"]+",backend="${w.pool.backend}"\\} 4`);
    assert.equal(health.backend, w.pool.backend, "health names the workers' backend");
    let metrics = "";
    for (let i = 0; i < 100 && !counted.test(metrics); i++) {
      await new Promise((r) => setTimeout(r, 50)); // the next heartbeat carries the count
      metrics = await prover.metrics.registry.metrics();
    }
    assert.match(metrics, counted);
    assert.match(metrics, /zkseq_prover_queue_depth 0/);
  } finally {
    await w?.close();
    await prover.close();
  }
});

test("queue: cancel a running job stops its proof; a per-job timeout fails the job with JOB_TIMEOUT", { skip }, async () => {
  const p = prefix();
  const prover = await api(p);
  const w = await worker(p);
  try {
    const { job } = await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1501 })) });
    while ((await prover.get(job.id)).state === "queued") await new Promise((r) => setTimeout(r, 20));
    const cancelled = await prover.cancel(job.id);
    assert.equal(cancelled.state, "cancelled");
    assert.equal(cancelled.error?.code, "JOB_CANCELLED");
    // the stopped proof leaves BullMQ's failed set: the job counts as cancelled, once
    let counts = await prover.counts();
    for (let i = 0; i < 200 && (counts.running > 0 || counts.failed > 0); i++) {
      await new Promise((r) => setTimeout(r, 25));
      counts = await prover.counts();
    }
    assert.deepEqual(counts, { queued: 0, running: 0, done: 0, failed: 0, cancelled: 1 });
    // resubmitting at once waits for the stopped proof to leave, then queues it anew: it is proven
    const again = await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1501 })) });
    assert.equal(again.created, true);
    const done = await prover.waitFor(job.id);
    assert.equal(done.state, "done");
    assert.equal(await verifyDevProof((await prover.proof(job.id)).publicSignals, (await prover.proof(job.id)).proof), true);
  } finally {
    await w.close();
    await prover.close();
  }

  const p2 = prefix();
  const slow = await api(p2, { jobTimeoutMs: 1 });
  const w2 = await worker(p2);
  try {
    const { job } = await slow.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1502 })) });
    const end = await slow.waitFor(job.id);
    assert.equal(end.state, "failed");
    assert.equal(end.error?.code, "JOB_TIMEOUT", JSON.stringify(end));
    // a failed job submitted again is queued again
    assert.equal((await slow.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1502 })) })).created, true);
  } finally {
    await w2.close();
    await slow.close();
  }
});

test("queue: a worker whose verification key differs from the API's never takes its jobs", { skip }, async () => {
  const p = prefix();
  const prover = await api(p);
  const files = await devFiles();
  const dir = await mkdtemp(join(tmpdir(), "zkseq-otherkey-"));
  const vkey = JSON.parse(await readFile(files.verificationKey, "utf8")) as { vk_alpha_1: string[] };
  vkey.vk_alpha_1 = [...vkey.vk_alpha_1].reverse(); // another key: its proofs would not verify against the API's
  const otherVkey = join(dir, "verification_key.json");
  await writeFile(otherVkey, JSON.stringify(vkey));
  await copyFile(files.zkey, join(dir, "other.zkey"));
  const mismatched = await worker(p, { ...files, verificationKey: otherVkey, zkey: join(dir, "other.zkey") });
  let good: QueueWorker | undefined;
  try {
    const { job } = await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1601 })) });
    // the mismatched worker is up and polling; give it a few heartbeats of chances
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await prover.get(job.id)).state, "queued");
    assert.equal((await prover.health()).workers, 1, "the mismatched worker announces itself (for its own queue)");
    assert.equal(mismatched.announcement().proven, 0);
    good = await worker(p);
    assert.equal((await prover.waitFor(job.id)).state, "done");
    assert.equal(mismatched.announcement().proven, 0);
  } finally {
    await good?.close();
    await mismatched.close();
    await prover.close();
  }
});

test("queue: the HTTP API answers bad jobs with the same 4xx as the SQLite backend; an API restart and a Redis restart keep finished proofs", { skip }, async () => {
  const p = prefix();
  let prover = await api(p);
  let app = createProverServer(prover);
  const w = await worker(p);
  try {
    const post = (payload: string | object) =>
      app.inject({ method: "POST", url: "/jobs", headers: { "content-type": "application/json" }, payload: typeof payload === "string" ? payload : JSON.stringify(payload) });
    const s = makeScenario({ seed: 1701, txs: 5, forced: 1 });
    const cases: [string, Awaited<ReturnType<typeof post>>, number, string][] = [];
    cases.push(["malformed JSON", await post("{ not json"), 400, "MALFORMED_JSON"]);
    cases.push(["unknown build", await post({ build: "huge", input: s.witness.input }), 400, "UNKNOWN_BUILD"]);
    cases.push(["neither input nor batch", await post({ build: "dev" }), 400, "INVALID_ARGUMENT"]);
    const badTimes = { ...s.witness.input, fairTimes: [...(s.witness.input.fairTimes as string[])].reverse() };
    cases.push(["an input the circuit rejects", await post({ build: "dev", input: badTimes }), 400, "CIRCUIT_INPUT_REJECTED"]);
    cases.push(["unknown job", await app.inject({ method: "GET", url: "/jobs/" + "a".repeat(32) }), 404, "JOB_NOT_FOUND"]);
    cases.push(["malformed job id", await app.inject({ method: "DELETE", url: "/jobs/xyz" }), 404, "JOB_NOT_FOUND"]);
    for (const [name, res, status, code] of cases) {
      assert.equal(res.statusCode, status, `${name}: ${res.body}`);
      assert.equal(res.json().error, code, name);
    }
    const accepted = await post({ build: "dev", batch: scenarioBatchJson(s) });
    assert.equal(accepted.statusCode, 202, accepted.body);
    const id = accepted.json().job.id as string;
    assert.equal((await post({ build: "dev", batch: scenarioBatchJson(s) })).statusCode, 200);
    const early = await app.inject({ method: "GET", url: `/jobs/${id}/proof` });
    assert.ok(early.statusCode === 409 || early.statusCode === 200);
    await prover.waitFor(id);
    const proofBefore = (await app.inject({ method: "GET", url: `/jobs/${id}/proof` })).json();

    // API restart: a new process on the same Redis serves the proof
    await app.close();
    await prover.close();
    prover = await api(p);
    app = createProverServer(prover);
    const afterApi = await app.inject({ method: "GET", url: `/jobs/${id}/proof` });
    assert.equal(afterApi.statusCode, 200);
    assert.deepEqual(afterApi.json(), proofBefore);

    // Redis restart (AOF, fsync always): the proof is still there, a job queued before the restart is proven after it
    await w.close();
    const { job: pending } = await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1702 })) });
    await redis.restart();
    const afterRedis = await app.inject({ method: "GET", url: `/jobs/${id}/proof` });
    assert.equal(afterRedis.statusCode, 200, afterRedis.body);
    assert.deepEqual(afterRedis.json(), proofBefore);
    assert.equal((await prover.get(pending.id)).state, "queued");
    const w2 = await worker(p);
    try {
      assert.equal((await prover.waitFor(pending.id)).state, "done");
      // /stats: this API saw the job complete (its time from the worker's result), and the live worker that proved it
      let st = (await app.inject({ method: "GET", url: "/stats" })).json();
      // waitFor may have read the job before the completed event reached this API
      for (let i = 0; i < 50 && st.sample === 0; i++) st = await new Promise((r) => setTimeout(r, 100)).then(async () => (await app.inject({ method: "GET", url: "/stats" })).json());
      assert.equal(st.done, 2);
      assert.ok(st.sample >= 1 && st.p50ProofMs > 0, JSON.stringify(st));
      const row = (st.workers as { id: string; proven: number; threads: number }[]).find((x) => x.id === w2.id);
      assert.ok(row && row.proven >= 1 && row.threads >= 1, JSON.stringify(st.workers));
    } finally {
      await w2.close();
    }
    const health = await app.inject({ method: "GET", url: "/healthz" });
    assert.equal(health.statusCode, 200);
    assert.equal(health.json().jobs.done, 2);
  } finally {
    await w.close();
    await app.close();
    await prover.close();
  }
});

test("queue: a job belongs to the client that submitted it: another client gets the same job but cannot cancel it", { skip }, async () => {
  const prover = await api(prefix());
  try {
    const batch = scenarioBatchJson(makeScenario({ seed: 1801 }));
    const { job } = await prover.submit({ build: "dev", batch }, { client: "rollup" });
    const same = await prover.submit({ build: "dev", batch }, { client: "other" });
    assert.equal(same.created, false);
    assert.equal(same.job.id, job.id);
    await assert.rejects(prover.cancel(job.id, { client: "other" }), NotJobOwnerError);
    assert.equal((await prover.get(job.id)).state, "queued");
    assert.equal((await prover.cancel(job.id, { client: "rollup" })).state, "cancelled");
  } finally {
    await prover.close();
  }
});

test("queue: fair share between clients: another client's low batch numbers do not outrank a client's jobs; each client's lowest batch first", { skip }, async () => {
  const p = prefix();
  const prover = await api(p);
  let w: QueueWorker | undefined;
  try {
    const ids: string[] = [];
    // the attacker sends low numbers, out of order (its own jobs are reordered); the rollup sends in order
    for (const n of [2n, 1n, 0n]) ids.push((await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1900 + Number(n), batchNumber: n })) }, { client: "attacker" })).job.id);
    for (const n of [10n, 11n]) ids.push((await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1900 + Number(n), batchNumber: n })) }, { client: "rollup" })).job.id);
    w = await worker(p);
    const done = await Promise.all(ids.map((id) => prover.waitFor(id)));
    for (const j of done) assert.equal(j.state, "done", JSON.stringify(j));
    const order = [...done].sort((x, y) => Date.parse(x.startedAt!) - Date.parse(y.startedAt!)).map((j) => j.batchNumber);
    assert.deepEqual(order, ["0", "10", "1", "11", "2"], "round robin between clients, lowest batch first within each");
  } finally {
    await w?.close();
    await prover.close();
  }
});

test("queue: finished jobs and cancel records are dropped after retainFinishedS", { skip }, async () => {
  const p = prefix();
  const prover = await api(p, { retainFinishedS: 1 });
  const w = await worker(p);
  try {
    const { job } = await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1950 })) });
    assert.equal((await prover.waitFor(job.id)).state, "done");
    const { job: c } = await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1951, batchNumber: 900n })) });
    await prover.cancel(c.id);
    await new Promise((r) => setTimeout(r, 1100));
    // BullMQ drops finished jobs older than the age when the next job finishes; the next cancel trims cancel records
    const { job: next } = await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1952 })) });
    assert.equal((await prover.waitFor(next.id)).state, "done");
    await prover.cancel((await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 1953, batchNumber: 901n })) })).job.id);
    await assert.rejects(prover.get(job.id), JobNotFoundError);
    await assert.rejects(prover.get(c.id), JobNotFoundError);
    assert.equal((await prover.get(next.id)).state, "done", "a job younger than the age is kept");
  } finally {
    await w.close();
    await prover.close();
  }
});
