import { availableParallelism, hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import type { Logger as PinoLogger } from "pino";
import type { ResourceLimits } from "node:worker_threads";
import { JobCancelledError } from "../../src/errors.js";
import type { CircuitInput } from "../../src/witness.js";
import type { ProverBackend } from "../proveTask.js";
import { ProvingPool, type BuildFiles } from "../provingPool.js";
import { buildQueueName, encodeFailure, queueKeys, redisConnection, type ProveJobData, type ProveJobResult, type WorkerAnnouncement } from "./queueKeys.js";

/** Options of a queue worker; every field but `url` and `builds` has a default. */
export interface QueueWorkerOptions {
  /** `redis://host:port[/db]`. */
  url: string;
  /** Key prefix in Redis (default "zkseq"); the API must use the same. */
  prefix?: string;
  /** The builds this worker proves, with its local files (a build whose verification key differs from the API's is another queue). */
  builds: ReadonlyMap<string, BuildFiles>;
  /** Proving threads (default: available cores). */
  workers?: number;
  resourceLimits?: ResourceLimits;
  /** BullMQ lock on a job being proven, renewed every half of it (default 30 s, BullMQ's). After a crash the job waits this long, plus up to `stalledIntervalMs`, before another worker takes it. */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died (default 30 s, BullMQ's). */
  stalledIntervalMs?: number;
  /** Times a job may lose its worker and go back to the queue before it fails with WORKER_CRASHED (default 2). */
  maxStalledCount?: number;
  /** Heartbeat period of the announcement (default 5 s). */
  heartbeatMs?: number;
  /** The pool's proving backend (default: native where its addon built, else snarkjs with one warning). */
  backend?: ProverBackend;
  /** Threads per native proof (default 1). */
  threads?: number;
  logger?: PinoLogger;
}

/**
 * A proving worker process's queue side: takes jobs from the BullMQ queue of
 * each of its builds and proves them on its local ProvingPool. Proving runs
 * on the pool's threads, never on this event loop, so the BullMQ lock is
 * renewed on time and a proof is not taken over while it runs. A job whose
 * worker dies (SIGKILL, power loss) goes back to the queue once its lock
 * expires and another worker proves it; a result from a worker that lost its
 * lock is refused by BullMQ (moveToCompleted checks the lock token), so a job
 * is completed once.
 *
 * The worker announces itself (host, cores, threads, builds, backend,
 * counters) in Redis every heartbeat; the API's /metrics shows it.
 *
 * @example
 * const worker = await QueueWorker.start({ url: "redis://10.0.0.2:6379", builds: await loadBuilds({ builds: ["dev"] }, logger) })
 * process.on("SIGTERM", () => worker.close())
 */
export class QueueWorker {
  readonly id: string;
  readonly pool: ProvingPool;
  private readonly workers: Worker<ProveJobData, ProveJobResult, "prove">[] = [];
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly keys: ReturnType<typeof queueKeys>;
  private readonly startedAt = Date.now();
  private heartbeat: NodeJS.Timeout | undefined;
  private proven = 0;
  private failed = 0;
  private inFlight = 0;
  private closed = false;

  private constructor(private readonly options: QueueWorkerOptions) {
    this.id = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    const logger = options.logger;
    this.pool = new ProvingPool({
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
      ...(options.backend ? { backend: options.backend } : {}),
      ...(options.threads ? { threads: options.threads } : {}),
      logger: { info: (m) => logger?.info(m), warn: (m) => logger?.warn(m) },
    });
    this.keys = queueKeys(options.prefix ?? "zkseq");
    this.redis = new Redis(options.url, { maxRetriesPerRequest: null });
    this.subscriber = new Redis(options.url, { maxRetriesPerRequest: null });
    for (const c of [this.redis, this.subscriber]) c.on("error", (e: Error) => logger?.warn({ err: e.message }, "redis connection error"));
  }

  /** Connects, announces itself and starts taking jobs. */
  static async start(options: QueueWorkerOptions): Promise<QueueWorker> {
    redisConnection(options.url); // InvalidArgumentError for a bad URL, before anything starts
    const w = new QueueWorker(options);
    await w.run();
    return w;
  }

  private get log(): PinoLogger | undefined {
    return this.options.logger;
  }

  private async run(): Promise<void> {
    const connection = redisConnection(this.options.url);
    const prefix = this.options.prefix ?? "zkseq";
    await this.subscriber.subscribe(this.keys.cancelChannel);
    this.subscriber.on("message", (_channel: string, id: string) => {
      for (const w of this.workers) if (w.cancelJob(id, "cancelled by request")) this.log?.info({ jobId: id }, "job cancelled: proof stopped");
    });
    for (const [build, files] of this.options.builds) {
      const name = await buildQueueName(files);
      const worker = new Worker<ProveJobData, ProveJobResult, "prove">(name, (job, _token, signal) => this.process(files, job, signal), {
        connection,
        prefix,
        name: this.id,
        concurrency: this.pool.size,
        lockDuration: this.options.lockDurationMs ?? 30_000,
        stalledInterval: this.options.stalledIntervalMs ?? 30_000,
        maxStalledCount: this.options.maxStalledCount ?? 2,
        autorun: false,
      });
      worker.on("error", (e: Error) => this.log?.warn({ err: e.message, queue: name }, "worker error"));
      worker.on("completed", (job) => {
        this.proven++;
        void this.announce().catch(() => undefined);
        this.log?.info({ jobId: job.id, build, batchNumber: job.data.batchNumber, worker: this.id, attempt: job.attemptsStarted }, "job proven");
      });
      worker.on("failed", (job, e) => {
        this.failed++;
        this.log?.warn({ jobId: job?.id, build, worker: this.id, err: e.message }, "job failed");
      });
      worker.on("stalled", (jobId) => this.log?.warn({ jobId, build }, "took back a stalled job (its worker stopped renewing its lock)"));
      this.workers.push(worker);
      void worker.run().catch((e: unknown) => this.log?.error({ err: e instanceof Error ? e.message : String(e) }, "worker stopped"));
      await worker.waitUntilReady();
      this.log?.info({ build, queue: name, threads: this.pool.size }, "taking jobs");
    }
    await this.announce();
    this.heartbeat = setInterval(() => void this.announce().catch(() => undefined), this.options.heartbeatMs ?? 5000);
  }

  private async process(files: BuildFiles, job: Job<ProveJobData, ProveJobResult, "prove">, signal: AbortSignal | undefined): Promise<ProveJobResult> {
    if ((await this.redis.hexists(this.keys.cancelled, job.id!)) === 1) throw new UnrecoverableError(encodeFailure(new JobCancelledError()));
    this.inFlight++;
    this.log?.info({ jobId: job.id, batchNumber: job.data.batchNumber, attempt: job.attemptsStarted, worker: this.id }, "job started");
    try {
      const r = await this.pool.prove(files, JSON.parse(job.data.input) as CircuitInput, { ...(signal ? { signal } : {}), timeoutMs: job.data.timeoutMs });
      return { proof: r.proof, publicSignals: r.publicSignals, timings: r.timings, worker: this.id };
    } catch (e) {
      // Every proving error is final for the job (a bad input stays bad, a timeout would time out again);
      // a worker crash is retried by the pool, and a dead worker process by BullMQ's stalled-job check.
      throw new UnrecoverableError(encodeFailure(e));
    } finally {
      this.inFlight--;
    }
  }

  /** This worker's announcement, as written to Redis. */
  announcement(): WorkerAnnouncement {
    return {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      cores: availableParallelism(),
      threads: this.pool.size,
      builds: [...this.options.builds.keys()],
      backend: this.pool.backend,
      startedAt: this.startedAt,
      lastSeen: Date.now(),
      proven: this.proven,
      failed: this.failed,
      inFlight: this.inFlight,
    };
  }

  private async announce(): Promise<void> {
    if (this.closed) return;
    await this.redis.hset(this.keys.workers, this.id, JSON.stringify(this.announcement()));
  }

  /**
   * Stops taking jobs and waits for the proofs in flight to be stored, then
   * stops the pool. With `force`, proofs in flight are abandoned: their locks
   * expire and other workers take them.
   */
  async close(force = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    await Promise.all(this.workers.map((w) => w.close(force)));
    await this.pool.close();
    await this.redis.hdel(this.keys.workers, this.id).catch(() => undefined);
    this.redis.disconnect();
    this.subscriber.disconnect();
  }
}
