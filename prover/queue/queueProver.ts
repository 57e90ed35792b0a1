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
import { RecentProofs, type ProverStats } from "../proverStats.js";
import { buildQueueName, decodeFailure, queueKeys, redisConnection, type ProveJobData, type ProveJobResult, type WorkerAnnouncement } from "./queueKeys.js";

/** BullMQ's largest priority (lower runs first; 0 would mean "no priority", ahead of all). */
const MAX_PRIORITY = 2_097_151;
/** A client's jobs index (sorted set, lexicographic): zero-padded batch number, ':', job id. */
const member = (batchNumber: bigint, id: string) => `${batchNumber.toString().padStart(20, "0")}:${id}`;

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
  /** Finished jobs (done, failed, cancelled) are kept this long, then dropped (default 7 days; 0 keeps them for ever). */
  retainFinishedS?: number;
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
 * - fair share across clients, lowest batch number first within a client's jobs (see fairPriority);
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
  private readonly recent = new RecentProofs();
  private submitting: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly builds: ReadonlyMap<string, BuildFiles>,
    private readonly queues: ReadonlyMap<string, Q>,
    private readonly events: QueueEvents[],
    private readonly redis: Redis,
    private readonly options: Required<Pick<QueueProverOptions, "maxQueued" | "jobTimeoutMs" | "pollMs" | "workerStaleMs" | "retainFinishedS">> & { logger: PinoLogger | undefined },
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
        retainFinishedS: options.retainFinishedS ?? 7 * 86_400,
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
      ev.on("completed", ({ jobId: doneId, returnvalue }) => {
        prover.metrics.completed.inc({ build: id });
        prover.recordCompleted(returnvalue);
        prover.finished.emit(doneId);
      });
      ev.on("failed", ({ jobId: failedId }) => {
        void prover.settleFailed(failedId, id);
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
    // one submit at a time from here: the fair-share tags are read and written in steps
    return this.serialized(async () => {
      const cancelled = (await this.redis.hexists(this.keys.cancelled, id)) === 1;
      const existing = await this.find(id);
      if (existing && !cancelled && existing.state !== "failed") return { job: await this.viewOf(id, existing), created: false };

      if ((await this.queuedCount()) >= this.options.maxQueued) throw new QueueFullError(this.options.maxQueued);
      if (existing) await this.removeStopped(id, existing.job);
      await this.redis.multi().hdel(this.keys.cancelled, id).zrem(this.keys.cancelledAt, id).exec();
      const data: ProveJobData = { build, batchNumber: batchNumber.toString(), input: JSON.stringify(input), timeoutMs: this.options.jobTimeoutMs, ...by };
      const priority = await this.fairPriority(queue, by.client ?? "", batchNumber);
      const keep = this.options.retainFinishedS > 0 ? { age: this.options.retainFinishedS } : false;
      await queue.add("prove", data, { jobId: id, priority, attempts: 1, removeOnComplete: keep, removeOnFail: keep });
      await this.redis.zadd(this.keys.clientJobs(queue.name, by.client ?? ""), 0, member(batchNumber, id));
      this.metrics.submitted.inc({ build });
      this.options.logger?.info({ jobId: id, build, batchNumber: batchNumber.toString(), client: by.client, priority }, "job accepted");
      return { job: await this.viewOf(id, await this.find(id)), created: true };
    });
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
    await this.redis.multi().hset(this.keys.cancelled, id, JSON.stringify(view)).zadd(this.keys.cancelledAt, Date.now(), id).exec();
    await this.trimCancelled();
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

  /** Jobs per state over all builds' queues (a job cancelled while running counts as cancelled only: its failed BullMQ job is removed). */
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

  /** What `GET /stats` shows: the queue, proof times as the workers timed them, and each live worker. */
  async stats(): Promise<ProverStats> {
    const [c, workers] = await Promise.all([this.counts(), this.workers()]);
    const now = Date.now();
    return {
      backend: [...new Set(workers.map((w) => w.backend))].sort().join(","),
      threads: workers.reduce((n, w) => n + w.threads, 0),
      queued: c.queued,
      inFlight: c.running,
      done: c.done,
      failed: c.failed,
      ...this.recent.summary(now),
      workers: workers
        .map((w) => ({ id: w.id, host: w.host, backend: w.backend, threads: w.threads, inFlight: w.inFlight, proven: w.proven, failed: w.failed, lastSeenS: Math.max(0, Math.round((now - w.lastSeen) / 100) / 10) }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    };
  }

  /** A completed job's timings (BullMQ hands the worker's return value over as JSON text or as the object). */
  private recordCompleted(returnvalue: unknown): void {
    try {
      const r = (typeof returnvalue === "string" ? JSON.parse(returnvalue) : returnvalue) as Partial<ProveJobResult> | null;
      if (r?.timings) this.recent.record(Date.now(), r.timings.witnessMs + r.timings.proveMs);
    } catch {
      // not a result this API wrote: no timing to show
    }
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
      // removed meanwhile (a cancelled job's failure is removed when it lands) is as good
      if ((await job.getState()) !== "unknown") throw new JobStoppingError(id);
    }
  }

  private async queuedCount(): Promise<number> {
    let n = 0;
    for (const q of this.queues.values()) n += await q.getJobCountByTypes("waiting", "prioritized", "delayed");
    return n;
  }

  /**
   * The BullMQ priority of a new job (lower runs first, 1 to 2^21 - 1):
   * start-time fair queueing across clients, lowest batch number first within
   * each client's jobs.
   *
   * Every client has a tag counter. A new job's tag is one past the larger of
   * its client's last tag and the virtual time V, the tag of the next job to
   * run minus one (0 when nothing waits, and then every counter restarts). So
   * a client that queued a thousand jobs holds tags V+1…V+1000 and a client
   * arriving later gets V+1: its first job runs next to the other's next one,
   * round robin, whatever batch numbers either sends. A client's batch
   * numbers only reorder its own jobs: a new job with a lower batch number
   * than some of its client's waiting jobs takes the lowest of their tags and
   * they shift up (a few priority changes, paid by the client who sent out of
   * order; a rollup sends in order and pays none). Equal tags run FIFO.
   * Without tokens every job is the same client's: lowest batch number first.
   *
   * The counters grow by one per job in a busy period; past 2^21 - 1 jobs
   * without the queue emptying, new jobs share the last priority (FIFO).
   */
  private async fairPriority(queue: Q, client: string, batchNumber: bigint): Promise<number> {
    const tagsKey = this.keys.fairTags(queue.name);
    const jobsKey = this.keys.clientJobs(queue.name, client);
    const [next] = await queue.getJobs(["prioritized"], 0, 0, true);
    let v = 0;
    if (next) v = Math.max(0, next.priority - 1);
    else await this.redis.del(tagsKey);
    const last = Number((await this.redis.hget(tagsKey, client)) ?? 0);
    const tag = Math.min(Math.max(v, last) + 1, MAX_PRIORITY);
    await this.redis.hset(tagsKey, client, tag);

    // this client's waiting jobs with higher batch numbers hand their tags down
    const later: Job<ProveJobData, ProveJobResult, "prove">[] = [];
    for (const m of await this.redis.zrangebylex(jobsKey, `[${member(batchNumber + 1n, "")}`, "+")) {
      const job = await queue.getJob(m.slice(21));
      if (job && (await job.getState()) === "prioritized") later.push(job);
      else await this.redis.zrem(jobsKey, m);
    }
    if ((await this.redis.zcard(jobsKey)) > this.options.maxQueued + 100) await this.pruneClientJobs(queue, jobsKey);
    if (later.length === 0) return tag;
    const tags = [tag, ...later.map((j) => j.priority)].sort((a, b) => a - b);
    later.sort((a, b) => (BigInt(a.data.batchNumber) < BigInt(b.data.batchNumber) ? -1 : 1));
    for (const [i, job] of later.entries()) {
      if (job.priority === tags[i + 1]) continue;
      try {
        await job.changePriority({ priority: tags[i + 1]! });
      } catch {
        // taken by a worker or cancelled meanwhile: its tag is spent either way
      }
    }
    return tags[0]!;
  }

  /** Drops a client's index entries of jobs no longer waiting (the index only serves reordering). */
  private async pruneClientJobs(queue: Q, jobsKey: string): Promise<void> {
    for (const m of await this.redis.zrange(jobsKey, "0", "-1")) {
      if ((await queue.getJobState(m.slice(21))) !== "prioritized") await this.redis.zrem(jobsKey, m);
    }
  }

  /** A failed job: one cancelled while running is removed (its record is the cancel), a real failure is counted. */
  private async settleFailed(id: string, build: string): Promise<void> {
    try {
      if ((await this.redis.hexists(this.keys.cancelled, id)) === 1) {
        const found = await this.find(id);
        if (found?.state === "failed") await found.job.remove();
      } else this.metrics.failed.inc({ build });
    } catch (e) {
      this.options.logger?.warn({ jobId: id, err: (e as Error).message }, "could not settle a failed job");
    } finally {
      this.finished.emit(id);
    }
  }

  /** Cancel records older than `retainFinishedS` go, like finished BullMQ jobs. */
  private async trimCancelled(): Promise<void> {
    if (this.options.retainFinishedS <= 0) return;
    const old = await this.redis.zrangebyscore(this.keys.cancelledAt, "-inf", String(Date.now() - this.options.retainFinishedS * 1000));
    if (old.length) await this.redis.multi().hdel(this.keys.cancelled, ...old).zrem(this.keys.cancelledAt, ...old).exec();
  }

  private serialized<T>(f: () => Promise<T>): Promise<T> {
    const run = this.submitting.then(f, f);
    this.submitting = run.catch(() => undefined);
    return run;
  }
}

function checkId(id: string): string {
  if (typeof id !== "string" || !/^[0-9a-f]{32}$/.test(id)) throw new JobNotFoundError(String(id));
  return id;
}
