import { EventEmitter } from "node:events";
import { Queue, QueueEvents, type Job } from "bullmq";
import { Redis } from "ioredis";
import type { Logger as PinoLogger } from "pino";
import { headerFromPublicSignals, headerToJSON } from "../../src/header.js";
import { JobNotDoneError, JobNotFoundError, JobStoppingError, NotJobOwnerError, ProverClosedError, QueueFullError } from "../../src/errors.js";
import { FINAL_STATES, type JobState } from "../jobStore.js";
import { JobRequestChecker, type JobRequest } from "../jobRequest.js";
import { jobId, type JobProof, type JobView } from "../prover.js";
import type { ProverService } from "../proverService.js";
import type { BuildFiles } from "../provingPool.js";
import { QueueMetrics } from "./queueMetrics.js";
import { buildQueueName, decodeFailure, queueKeys, redisConnection, type ProveJobData, type ProveJobResult, type WorkerAnnouncement } from "./queueKeys.js";

/** BullMQ's largest priority (lower runs first; 0 would mean "no priority", ahead of all). */
const MAX_PRIORITY = 2_097_151;
const HALF_PRIORITY_RANGE = 1n << 20n;

/** Options of the BullMQ-backed prover API. */
export interface QueueProverOptions {
  /** `redis://host:port[/db]`. */
  url: string;
  /** Key prefix in Redis (default "zkseq"); workers must use the same. */
  prefix?: string;
  /** Jobs waiting at most, over all builds (default 1000); more are refused with QueueFullError. */
  maxQueued?: number;
  /** Each proving attempt's time limit (default 10 minutes); the job fails with JOB_TIMEOUT. */
  jobTimeoutMs?: number;
  /** waitFor() wakes on BullMQ's completed/failed/removed events, and also re-reads the job this often (default 5 s: events missed over a reconnect). */
  pollMs?: number;
  /** A worker is counted live if its last heartbeat is younger than this (default 30 s). */
  workerStaleMs?: number;
  logger?: PinoLogger;
  processMetrics?: boolean;
}

type Q = Queue<ProveJobData, ProveJobResult, "prove">;
type Found = { job: Job<ProveJobData, ProveJobResult, "prove">; state: string };

/**
 * The proving service's API side on a BullMQ queue in Redis: it checks and
 * accepts jobs, and serves their state and proofs; `QueueWorker` processes,
 * on any number of machines, prove them. Same promises as the embedded
 * SQLite `Prover`:
 *
 * - idempotent by content: the BullMQ job id is `jobId(build, input)`, so the same batch twice is one job;
 * - lowest batch number first: the BullMQ priority is the batch number's distance from the lowest one waiting;
 * - bounded: more than `maxQueued` waiting jobs is a QueueFullError;
 * - cancel: a waiting job is removed, a running one is stopped on its worker (Redis pub/sub);
 * - per-attempt timeout, every proof verified by its worker before it is stored (and workers
 *   with other build files never see the job: the queue name carries the verification key's hash);
 * - durable: jobs and proofs live in Redis (run it with AOF, see docs/scaling.md), so a
 *   restarted API, or a restarted Redis, still serves finished proofs.
 *
 * @example
 * const prover = await createProver({ queue: "redis://127.0.0.1:6379", builds: ["dev"] })
 * const { job } = await prover.submit({ build: "dev", batch })
 * await prover.waitFor(job.id)
 * const { proof } = await prover.proof(job.id)
 */
export class QueueProver implements ProverService {
  readonly metrics: QueueMetrics;
  /** Job ids whose BullMQ job just ended or was removed (from QueueEvents), for waitFor. */
  private readonly finished = new EventEmitter();
  private readonly checker: JobRequestChecker;
  private readonly keys: ReturnType<typeof queueKeys>;
  private closed = false;

  private constructor(
    private readonly builds: ReadonlyMap<string, BuildFiles>,
    private readonly queues: ReadonlyMap<string, Q>,
    private readonly events: QueueEvents[],
    private readonly redis: Redis,
    private readonly options: Required<Pick<QueueProverOptions, "maxQueued" | "jobTimeoutMs" | "pollMs" | "workerStaleMs">> & { logger: PinoLogger | undefined },
    prefix: string,
    processMetrics: boolean,
  ) {
    this.checker = new JobRequestChecker(builds);
    this.keys = queueKeys(prefix);
    this.finished.setMaxListeners(0); // one listener per waitFor in progress
    this.metrics = new QueueMetrics(
      {
        counts: async () => {
          const c = await this.counts();
          return { queued: c.queued, running: c.running };
        },
        workers: () => this.workers(),
      },
      { defaultMetrics: processMetrics },
    );
  }

  /** Connects to Redis and opens one BullMQ queue per build. */
  static async open(builds: ReadonlyMap<string, BuildFiles>, options: QueueProverOptions): Promise<QueueProver> {
    const connection = redisConnection(options.url);
    const prefix = options.prefix ?? "zkseq";
    const queues = new Map<string, Q>();
    const events: QueueEvents[] = [];
    const redis = new Redis(options.url, { maxRetriesPerRequest: null, lazyConnect: false });
    redis.on("error", (e: Error) => options.logger?.warn({ err: e.message }, "redis connection error"));
    const names = new Map<string, string>();
    for (const [id, files] of builds) names.set(id, await buildQueueName(files));
    for (const [id, name] of names) {
      const q: Q = new Queue<ProveJobData, ProveJobResult, "prove">(name, { connection, prefix });
      q.on("error", (e: Error) => options.logger?.warn({ err: e.message, queue: name }, "queue error"));
      queues.set(id, q);
      await q.waitUntilReady();
    }
    const prover = new QueueProver(
      builds,
      queues,
      events,
      redis,
      {
        maxQueued: options.maxQueued ?? 1000,
        jobTimeoutMs: options.jobTimeoutMs ?? 600_000,
        pollMs: options.pollMs ?? 5000,
        workerStaleMs: options.workerStaleMs ?? 30_000,
        logger: options.logger,
      },
      prefix,
      options.processMetrics ?? false,
    );
    for (const [id, name] of names) {
      const ev = new QueueEvents(name, { connection, prefix });
      ev.on("error", (e: Error) => options.logger?.warn({ err: e.message, queue: name }, "queue events error"));
      ev.on("stalled", ({ jobId: stalledId }) => {
        prover.metrics.stalled.inc({ build: id });
        options.logger?.warn({ jobId: stalledId, build: id }, "job stalled (its worker stopped renewing the lock): back to the queue");
      });
      ev.on("completed", ({ jobId: doneId }) => {
        prover.metrics.completed.inc({ build: id });
        prover.finished.emit(doneId);
      });
      ev.on("failed", ({ jobId: failedId }) => {
        prover.metrics.failed.inc({ build: id });
        prover.finished.emit(failedId);
      });
      ev.on("removed", ({ jobId: removedId }) => prover.finished.emit(removedId));
      events.push(ev);
      await ev.waitUntilReady();
    }
    return prover;
  }

  get buildIds(): string[] {
    return [...this.builds.keys()];
  }

  /** Accepts a job, or returns the existing one for the same build and input (a failed or cancelled one is queued again). */
  async submit(request: JobRequest, by: { client?: string } = {}): Promise<{ job: JobView; created: boolean }> {
    if (this.closed) throw new ProverClosedError();
    const { build, input, batchNumber } = await this.checker.check(request);
    const id = jobId(build, input);
    const queue = this.queues.get(build)!;
    const cancelled = (await this.redis.hexists(this.keys.cancelled, id)) === 1;
    const existing = await this.find(id);
    if (existing && !cancelled && existing.state !== "failed") return { job: await this.viewOf(id, existing), created: false };

    if ((await this.queuedCount()) >= this.options.maxQueued) throw new QueueFullError(this.options.maxQueued);
    if (existing) await this.removeStopped(id, existing.job);
    await this.redis.hdel(this.keys.cancelled, id);
    const data: ProveJobData = { build, batchNumber: batchNumber.toString(), input: JSON.stringify(input), timeoutMs: this.options.jobTimeoutMs, ...by };
    await queue.add("prove", data, { jobId: id, priority: await this.priority(queue, batchNumber), attempts: 1, removeOnComplete: false, removeOnFail: false });
    this.metrics.submitted.inc({ build });
    this.options.logger?.info({ jobId: id, build, batchNumber: batchNumber.toString() }, "job accepted");
    return { job: await this.viewOf(id, await this.find(id)), created: true };
  }

  async get(id: string): Promise<JobView> {
    checkId(id);
    return this.viewOf(id, await this.find(id));
  }

  async proof(id: string): Promise<JobProof> {
    const job = await this.get(id);
    if (job.state !== "done") throw new JobNotDoneError(id, job.state);
    const found = await this.find(id);
    if (!found || found.state !== "completed") throw new JobNotDoneError(id, job.state);
    const { proof, publicSignals } = found.job.returnvalue;
    const { header, batchHash } = headerFromPublicSignals(publicSignals);
    return { id, build: job.build, proof, publicSignals, batchHash: batchHash.toString(), header: headerToJSON(header) };
  }

  /** Cancels a queued or running job (its worker stops proving it); a final job is returned as it is. */
  async cancel(id: string, by: { client?: string } = {}): Promise<JobView> {
    const found = await this.find(checkId(id));
    const owner = found?.job.data.client;
    if (by.client !== undefined && owner !== undefined && owner !== by.client) throw new NotJobOwnerError(id);
    const now = await this.viewOf(id, found);
    if (FINAL_STATES.includes(now.state) || !found) return now;
    const job = found.job;
    const view: JobView = { ...now, state: "cancelled", error: { code: "JOB_CANCELLED", message: "cancelled by request" }, finishedAt: new Date().toISOString() };
    await this.redis.hset(this.keys.cancelled, id, JSON.stringify(view));
    if (now.state === "queued") {
      try {
        await job.remove();
      } catch {
        // a worker took it meanwhile: it sees the mark, or the message below
      }
    }
    await this.redis.publish(this.keys.cancelChannel, id);
    this.finished.emit(id);
    this.options.logger?.info({ jobId: id, was: now.state }, "job cancelled");
    return view;
  }

  /** Resolves with the job once it is done, failed or cancelled (woken by BullMQ's events, re-read every `pollMs` too). */
  async waitFor(id: string, signal?: AbortSignal): Promise<JobView> {
    for (;;) {
      signal?.throwIfAborted();
      let wake: () => void = () => undefined;
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
        this.finished.once(id, wake);
      });
      try {
        const job = await this.get(id);
        if (FINAL_STATES.includes(job.state)) return job;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([woken, new Promise((r) => (timer = setTimeout(r, this.options.pollMs)))]);
        clearTimeout(timer);
      } finally {
        this.finished.off(id, wake);
      }
    }
  }

  /** Jobs per state over all builds' queues (`failed` also counts jobs cancelled while running). */
  async counts(): Promise<Record<JobState, number>> {
    const out: Record<JobState, number> = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
    for (const q of this.queues.values()) {
      const c = await q.getJobCounts("waiting", "prioritized", "delayed", "active", "completed", "failed");
      out.queued += (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0);
      out.running += c.active ?? 0;
      out.done += c.completed ?? 0;
      out.failed += c.failed ?? 0;
    }
    out.cancelled = await this.redis.hlen(this.keys.cancelled);
    return out;
  }

  async health(): Promise<{ builds: string[]; workers: number; backend: string; jobs: Record<JobState, number> }> {
    const workers = await this.workers();
    const backend = [...new Set(workers.map((w) => w.backend))].sort().join(",");
    return { builds: this.buildIds, workers: workers.reduce((n, w) => n + w.threads, 0), backend, jobs: await this.counts() };
  }

  /** The workers that announced themselves within `workerStaleMs`. */
  async workers(): Promise<WorkerAnnouncement[]> {
    const all = Object.values(await this.redis.hgetall(this.keys.workers)).map((v) => JSON.parse(v) as WorkerAnnouncement);
    const now = Date.now();
    // a worker killed without a goodbye leaves its announcement: forget it after a day
    const dead = all.filter((w) => w.lastSeen < now - 86_400_000).map((w) => w.id);
    if (dead.length) await this.redis.hdel(this.keys.workers, ...dead);
    return all.filter((w) => w.lastSeen >= now - this.options.workerStaleMs && w.builds.some((b) => this.builds.has(b)));
  }

  /** Closes the Redis connections. Jobs stay in Redis; workers keep proving. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.events.map((e) => e.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.redis.disconnect();
  }

  /** The job and its state, read in that order: the job's fields are at least as new as its state. */
  private async find(id: string): Promise<Found | undefined> {
    for (const q of this.queues.values()) {
      const state = await q.getJobState(id);
      if (state === "unknown") continue;
      const job = await q.getJob(id);
      if (job) return { job, state };
    }
    return undefined;
  }

  private async viewOf(id: string, found: Found | undefined): Promise<JobView> {
    const cancelled = await this.redis.hget(this.keys.cancelled, id);
    if (cancelled) return JSON.parse(cancelled) as JobView;
    if (!found) throw new JobNotFoundError(id);
    const { job, state: bullState } = found;
    const state: JobState = bullState === "active" ? "running" : bullState === "completed" ? "done" : bullState === "failed" ? "failed" : "queued";
    const result = state === "done" ? job.returnvalue : undefined;
    return {
      id,
      build: job.data.build,
      batchNumber: job.data.batchNumber,
      state,
      attempts: job.attemptsStarted,
      ...(state === "failed" ? { error: decodeFailure(job.failedReason) } : {}),
      ...(result ? { timings: result.timings } : {}),
      createdAt: new Date(job.timestamp).toISOString(),
      ...(job.processedOn && state !== "queued" ? { startedAt: new Date(job.processedOn).toISOString() } : {}),
      ...(job.finishedOn && FINAL_STATES.includes(state) ? { finishedAt: new Date(job.finishedOn).toISOString() } : {}),
      ...(result ? { worker: result.worker } : state === "running" && job.processedBy ? { worker: job.processedBy } : {}),
    };
  }

  /**
   * Removes a failed or cancelled job before it is queued again. A cancelled
   * job still running stops within moments (its worker got the message):
   * wait for that; a worker that died keeps it `active` until its lock
   * expires, and then the caller is told to retry (JobStoppingError).
   */
  private async removeStopped(id: string, job: Job<ProveJobData, ProveJobResult, "prove">): Promise<void> {
    for (let i = 0; i < 40 && (await job.getState()) === "active"; i++) await new Promise((r) => setTimeout(r, 100));
    try {
      await job.remove();
    } catch {
      throw new JobStoppingError(id);
    }
  }

  private async queuedCount(): Promise<number> {
    let n = 0;
    for (const q of this.queues.values()) n += await q.getJobCountByTypes("waiting", "prioritized", "delayed");
    return n;
  }

  /**
   * Lowest batch number first with BullMQ's priorities (1 runs first, at most
   * 2^21 - 1): the priority is the batch number's distance from a base, and
   * the base is set 2^20 below the new batch number whenever the queue is
   * empty. So every job waiting at once is ordered by batch number as long as
   * they lie within 2^20 batches below or above the first of them (beyond,
   * they share the first or the last priority, FIFO).
   */
  private async priority(queue: Q, batchNumber: bigint): Promise<number> {
    const key = this.keys.priorityBase(queue.name);
    const waiting = await queue.getJobCountByTypes("waiting", "prioritized", "delayed");
    let base = await this.redis.get(key);
    if (base === null || waiting === 0) {
      base = (batchNumber - HALF_PRIORITY_RANGE).toString();
      await this.redis.set(key, base);
    }
    const offset = batchNumber - BigInt(base);
    if (offset < 1n) return 1;
    return offset >= BigInt(MAX_PRIORITY) ? MAX_PRIORITY : Number(offset);
  }
}

function checkId(id: string): string {
  if (typeof id !== "string" || !/^[0-9a-f]{32}$/.test(id)) throw new JobNotFoundError(String(id));
  return id;
}
