/**
 * The BullMQ backend across processes: the API (in this process) and three
 * `zkseq prover worker` processes on one redis-server. Every job is proven
 * and stored exactly once, while a worker is SIGKILLed mid-proof (its job is
 * taken over once its lock expires) and while Redis restarts from its
 * append-only file.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { QueueProver } from "../prover/queue/queueProver.js";
import type { JobView } from "../prover/prover.js";
import { makeScenario, scenarioBatchJson } from "./helpers/fixtures.js";
import { devFiles, verifyDevProof } from "./helpers/proverBuild.js";
import { redisMissing, startRedis, type TestRedis } from "./helpers/redisServer.js";

const BIN = fileURLToPath(new URL("../bin/zkseq.mjs", import.meta.url));
const skip = redisMissing();

interface WorkerProcess {
  child: ChildProcess;
  /** Every JSON log line it printed. */
  lines: { msg?: string; jobId?: string; worker?: string }[];
}

const children: WorkerProcess[] = [];
let redis: TestRedis | undefined;
after(async () => {
  for (const w of children) if (w.child.exitCode === null) w.child.kill("SIGKILL");
  await redis?.stop();
});

function startWorker(url: string, prefix: string): WorkerProcess {
  // a 2 s lock, checked every 1 s: a dead worker's job is taken over within seconds (production: 30 s)
  const args = [BIN, "prover", "worker", "--queue", url, "--queue-prefix", prefix, "--workers", "1", "--builds", "dev", "--lock-duration", "2000", "--stalled-interval", "1000"];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], env: process.env });
  const w: WorkerProcess = { child, lines: [] };
  let buf = "";
  child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split("\n");
    buf = parts.pop()!;
    for (const l of parts) {
      try {
        w.lines.push(JSON.parse(l) as WorkerProcess["lines"][number]);
      } catch {
        // not a log line
      }
    }
  });
  children.push(w);
  return w;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("cluster: 3 worker processes share the jobs; one SIGKILLed mid-proof and Redis restarted mid-run, every job is proven and stored exactly once", { skip }, async (t) => {
  redis = await startRedis({ aof: true });
  const prefix = "cluster";
  const prover = await QueueProver.open(new Map([["dev", await devFiles()]]), { url: redis.url, prefix, pollMs: 5000, workerStaleMs: 10_000 });
  try {
    const workers = [startWorker(redis.url, prefix), startWorker(redis.url, prefix), startWorker(redis.url, prefix)];
    while ((await prover.health()).workers < 3) {
      for (const w of workers) assert.equal(w.child.exitCode, null, "a worker exited at start");
      await sleep(200);
    }

    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 2100 + i, batchNumber: BigInt(100 + i) })) })).job.id);

    // kill -9 the worker of the first job seen running
    let victim: JobView | undefined;
    while (!victim) {
      for (const id of ids) {
        const j = await prover.get(id);
        if (j.state === "running" && j.worker) victim = j;
      }
      if (!victim) await sleep(20);
    }
    const pid = Number(victim.worker!.split(":")[1]);
    const killed = workers.find((w) => w.child.pid === pid);
    assert.ok(killed, `the running job's worker ${victim.worker} is one of ours`);
    killed.child.kill("SIGKILL");

    // Redis restarts (from its AOF) while the others prove; more jobs come in after it
    await sleep(500);
    await redis.restart();
    for (let i = 6; i < 8; i++) ids.push((await prover.submit({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 2100 + i, batchNumber: BigInt(100 + i) })) })).job.id);

    const done = await Promise.all(ids.map((id) => prover.waitFor(id)));
    for (const j of done) assert.equal(j.state, "done", JSON.stringify(j));
    const taken = done.find((j) => j.id === victim.id)!;
    t.diagnostic(`killed ${victim.worker} while proving batch ${victim.batchNumber}; finished by ${taken.worker} on attempt ${taken.attempts}`);
    if (!killed.lines.some((l) => l.msg === "job proven" && l.jobId === victim.id)) {
      // the usual case: the kill landed mid-proof, another worker took the job over
      assert.notEqual(taken.worker, victim.worker, "the killed worker's job was finished by another worker");
      assert.ok(taken.attempts >= 2, `the taken-over job was started again (attempts ${taken.attempts})`);
    }
    for (const id of ids) {
      const p = await prover.proof(id);
      assert.equal(await verifyDevProof(p.publicSignals, p.proof), true);
      const proven = children.flatMap((w) => w.lines).filter((l) => l.msg === "job proven" && l.jobId === id);
      assert.equal(proven.length, 1, `job ${id} was stored once (proven by ${proven.map((l) => l.worker).join(", ")})`);
    }
    const counts = await prover.counts();
    assert.equal(counts.done, ids.length);
    assert.equal(counts.failed, 0);
  } finally {
    await prover.close();
    for (const w of children) if (w.child.exitCode === null) w.child.kill("SIGTERM");
  }
});
