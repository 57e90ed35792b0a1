/**
 * Cluster benchmark: proofs per minute through the whole service (submit,
 * queue, prove, verify, store, read back), the embedded SQLite prover in
 * this process against the BullMQ queue with 1 and 2 `zkseq prover worker`
 * processes, all in one run on one redis-server this benchmark starts.
 *
 * - sqlite (N threads): createProver({ db }) with N proving threads, the single-process baseline.
 * - redis, K processes x 1 thread: QueueProver in this process, K worker processes.
 *
 * Each side gets one warm-up job per proving thread (builds loaded, not
 * counted), then `--proofs` jobs submitted at once (default 6). Also
 * measured: the queue's own cost per job, as Redis commands (all of them,
 * polling and heartbeats included: an upper bound) and milliseconds a worker
 * spends on a job outside proving (taking it, storing the result).
 * Prints a table, then one JSON line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { buildCircuit } from "../src/build/buildCircuit.js";
import { consoleLogger } from "../src/logger.js";
import { createProver, type JobView } from "../prover/prover.js";
import { buildFiles, type BuildFiles } from "../prover/provingPool.js";
import { QueueProver } from "../prover/queue/queueProver.js";
import { buildQueueName } from "../prover/queue/queueKeys.js";
import type { ProverService } from "../prover/proverService.js";
import { makeScenario, scenarioBatchJson } from "../test/helpers/fixtures.js";
import { redisMissing, startRedis, type TestRedis } from "../test/helpers/redisServer.js";
import { flag } from "./flags.js";

const BIN = fileURLToPath(new URL("../bin/zkseq.mjs", import.meta.url));
let seed = 50_000;

interface Side {
  name: string;
  threads: number;
  proofs: number;
  wallMs: number;
  perMin: number;
  submitMs: number;
  redisCommandsPerJob?: number;
  workerOverheadMs?: number;
}

const batch = () => {
  seed++;
  return { build: "dev", batch: scenarioBatchJson(makeScenario({ seed, batchNumber: BigInt(seed) })) };
};

/** Submits `n` jobs at once and waits for all; returns wall time and the average submit round trip. */
async function drive(prover: ProverService, n: number): Promise<{ wallMs: number; submitMs: number; jobs: JobView[] }> {
  const requests = Array.from({ length: n }, batch);
  const t0 = performance.now();
  let submitMs = 0;
  const ids: string[] = [];
  for (const r of requests) {
    const t = performance.now();
    ids.push((await prover.submit(r)).job.id);
    submitMs += performance.now() - t;
  }
  const jobs = await Promise.all(ids.map((id) => prover.waitFor(id)));
  for (const j of jobs) if (j.state !== "done") throw new Error(`bench job ${j.id} ended ${j.state}: ${j.error?.message}`);
  for (const id of ids) await prover.proof(id);
  return { wallMs: performance.now() - t0, submitMs: submitMs / n, jobs };
}

async function sqliteSide(files: BuildFiles, threads: number, n: number): Promise<Side> {
  const db = join(await mkdtemp(join(tmpdir(), "zkseq-bench-")), "jobs.db");
  const prover = await createProver({ artifacts: { dev: files }, db, workers: threads });
  try {
    await drive(prover, prover.pool.size); // warm-up
    const r = await drive(prover, n);
    return { name: `sqlite, 1 process x ${threads} thread${threads > 1 ? "s" : ""}`, threads, proofs: n, wallMs: r.wallMs, perMin: (n * 60_000) / r.wallMs, submitMs: r.submitMs };
  } finally {
    await prover.close();
  }
}

async function redisSide(redis: TestRedis, files: BuildFiles, processes: number, n: number): Promise<Side> {
  const prefix = `bench${processes}`;
  const prover = await QueueProver.open(new Map([["dev", files]]), { url: redis.url, prefix, pollMs: 60_000 }); // waits on events: the Redis count is the queue's, not polling's
  const children: ChildProcess[] = [];
  const stats = new Redis(redis.url);
  const queue = new Queue(await buildQueueName(files), { connection: { url: redis.url }, prefix });
  try {
    for (let i = 0; i < processes; i++) {
      children.push(spawn(process.execPath, [BIN, "prover", "worker", "--queue", redis.url, "--queue-prefix", prefix, "--workers", "1", "--builds", "dev", "--log-level", "warn"], { stdio: ["ignore", "ignore", "inherit"], env: process.env }));
    }
    while ((await prover.health()).workers < processes) {
      if (children.some((c) => c.exitCode !== null)) throw new Error("a bench worker exited at start");
      await new Promise((r) => setTimeout(r, 200));
    }
    await drive(prover, processes); // warm-up
    const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await stats.info("stats"))![1]);
    const c0 = await commands();
    const r = await drive(prover, n);
    const c1 = await commands();
    let overhead = 0;
    for (const j of r.jobs) {
      const job = (await queue.getJob(j.id))!;
      const t = j.timings!;
      overhead += job.finishedOn! - job.processedOn! - (t.loadMs + t.witnessMs + t.proveMs + t.verifyMs);
    }
    return {
      name: `redis, ${processes} worker process${processes > 1 ? "es" : ""} x 1 thread`,
      threads: processes,
      proofs: n,
      wallMs: r.wallMs,
      perMin: (n * 60_000) / r.wallMs,
      submitMs: r.submitMs,
      redisCommandsPerJob: (c1 - c0) / n,
      workerOverheadMs: overhead / n,
    };
  } finally {
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((res) => c.once("exit", res)) : undefined)));
    await queue.close();
    stats.disconnect();
    await prover.close();
  }
}

export async function main(args: string[]): Promise<void> {
  const missing = redisMissing();
  if (missing) {
    process.stderr.write(`bench cluster: ${missing}\n`);
    process.exitCode = 1;
    return;
  }
  const n = Number(flag(args, "proofs") ?? 6);
  const logger = consoleLogger("bench");
  const ptau = process.env.ZKSEQ_PTAU;
  const files = buildFiles(await buildCircuit("dev", { logger, ...(ptau ? { ptau } : {}) }));
  const machine = `${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`;
  console.log(`\n## Cluster: SQLite single process vs BullMQ queue with 1 and 2 worker processes (dev build, ${n} proofs per side)`);
  console.log(`machine: ${machine}\n`);
  const sides: Side[] = [];
  logger.info("sqlite, 1 thread");
  sides.push(await sqliteSide(files, 1, n));
  logger.info("sqlite, 2 threads");
  sides.push(await sqliteSide(files, Math.min(2, availableParallelism()), n));
  const redis = await startRedis({ aof: true });
  try {
    for (const k of [1, 2]) {
      logger.info(`redis, ${k} worker process(es)`);
      sides.push(await redisSide(redis, files, k, n));
    }
  } finally {
    await redis.stop();
  }
  const base = sides[0]!;
  console.log("| backend | proving threads | proofs/min | vs sqlite 1 thread | submit (ms/job) | Redis commands/job | worker overhead (ms/job) |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const s of sides) {
    console.log(
      `| ${s.name} | ${s.threads} | ${s.perMin.toFixed(1)} | ${(s.perMin / base.perMin).toFixed(2)}x | ${s.submitMs.toFixed(1)} | ${s.redisCommandsPerJob?.toFixed(0) ?? "-"} | ${s.workerOverheadMs?.toFixed(1) ?? "-"} |`,
    );
  }
  console.log(JSON.stringify({ bench: "cluster", machine, build: "dev", proofs: n, sides }));
}
