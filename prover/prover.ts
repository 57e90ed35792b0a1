import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import { pino, type Logger as PinoLogger } from "pino";
import { buildCircuit } from "../src/build/buildCircuit.js";
import { getBatchBuild } from "../src/builds.js";
import { headerFromPublicSignals, headerToJSON, type BatchHeaderJson } from "../src/header.js";
import type { CircuitInput } from "../src/witness.js";
import { JobNotDoneError, JobNotFoundError, NotJobOwnerError, ProverClosedError, UnknownBuildError, ZkseqError } from "../src/errors.js";
import { JobStore, FINAL_STATES, type JobRecord, type JobState } from "./jobStore.js";
import { ProverMetrics } from "./metrics.js";
import { ProvingPool, buildFiles, type BuildFiles, type Groth16Proof } from "./provingPool.js";
import { JobRequestChecker, type JobRequest } from "./jobRequest.js";
import type { QueueProver } from "./queue/queueProver.js";
import type { ProverService } from "./proverService.js";
import { RecentProofs, type ProverStats } from "./proverStats.js";

export type { JobRequest } from "./jobRequest.js";

/** Options of createProver; every field has a default. */
export interface ProverOptions {
  /** Builds this prover accepts jobs for (default `["dev"]`). Their artifacts come from the build cache, made on first use. */
  builds?: string[];
  /** Ready artifacts per build id (skips buildCircuit for those). */
  artifacts?: Record<string, BuildFiles>;
  /** ptau file or folder for builds not set up yet (default: none; see docs/setup.md). */
  ptau?: string;
  /** Build cache (default: <package>/build). */
  cacheDir?: string;
  /** SQLite job store (default `zkseq-prover.db` in the working directory; ":memory:" is not durable). */
  db?: string;
  /** Proving workers (default `os.availableParallelism()`, never more). */
  workers?: number;
  /** "native" (default where its addon built) or "snarkjs"; see ProvingPoolOptions. */
  backend?: import("./proveTask.js").ProverBackend;
  /** Threads per native proof (default 1). */
  threads?: number;
  /** Attempts per job when a worker crashes (default 2), and how many process restarts mid-proof a job survives (default 3). */
  maxAttempts?: number;
  maxRecoveries?: number;
  /** Jobs waiting at most; more are refused with QueueFullError (default 1000). */
  maxQueued?: number;
  /** A proof that takes longer fails with JOB_TIMEOUT (default 10 minutes). */
  jobTimeoutMs?: number;
  /** Finished jobs (done, failed, cancelled) are kept this long, then dropped (default 7 days; 0 keeps them for ever). A dropped job's batch submitted again is proven again. */
  retainFinishedS?: number;
  /** Per-worker resource limits (default 4 GiB old generation). */
  resourceLimits?: import("node:worker_threads").ResourceLimits;
  /** Structured logs (default: silent). */
  logger?: PinoLogger;
  /** Start proving at once (default true); with false, call start(). */
  autoStart?: boolean;
  /** Also export Node process metrics (default false; the HTTP service turns it on). */
  processMetrics?: boolean;
  /**
   * A BullMQ queue on Redis (`redis://host:port[/db]`) instead of the SQLite store: this
   * process then only takes and serves jobs, and `zkseq prover worker` processes prove
   * them (see prover/queue/ and docs/scaling.md). `db`, `workers`, `maxAttempts` and
   * `resourceLimits` are the workers' business and are ignored.
   */
  queue?: string;
  /** Key prefix of the BullMQ queues in Redis (default "zkseq"); API and workers must agree. */
  queuePrefix?: string;
}

/** What the API shows of a job. */
export interface JobView {
  id: string;
  build: string;
  batchNumber: string;
  state: JobState;
  attempts: number;
  error?: { code: string; message: string };
  timings?: { witnessMs: number; proveMs: number; verifyMs: number; loadMs: number };
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** The queue worker proving it or that proved it (BullMQ backend only). */
  worker?: string;
}

/** A finished job's proof, with the header its public signals carry. */
export interface JobProof {
  id: string;
  build: string;
  proof: Groth16Proof;
  publicSignals: string[];
  batchHash: string;
  header: BatchHeaderJson;
}

export function jobView(r: JobRecord): JobView {
  return {
    id: r.id,
    build: r.build,
    batchNumber: r.batchNumber.toString(),
    state: r.state,
    attempts: r.attempts,
    ...(r.error ? { error: r.error } : {}),
    ...(r.timings ? { timings: JSON.parse(r.timings) as JobView["timings"] & object } : {}),
    createdAt: new Date(r.createdAt).toISOString(),
    ...(r.startedAt ? { startedAt: new Date(r.startedAt).toISOString() } : {}),
    ...(r.finishedAt ? { finishedAt: new Date(r.finishedAt).toISOString() } : {}),
  };
}

/** JSON with sorted keys: the same input always hashes alike. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** A job's id: sha256 of its build and canonical circuit input, so the same batch is the same job. */
export function jobId(build: string, input: CircuitInput): string {
  return createHash("sha256").update(canonicalJson({ build, input })).digest("hex").slice(0, 32);
}

/**
 * The proving service: a durable queue of jobs (lowest batch number first),
 * a worker pool, and metrics. Every accepted job ends `done` exactly once,
 * `failed` with a reason, or `cancelled` — across crashes and restarts.
 *
 * Events: `job` (a JobView) on every state change.
 */
export class Prover extends EventEmitter<{ job: [JobView] }> implements ProverService {
  readonly metrics: ProverMetrics;
  readonly pool: ProvingPool;
  private readonly store: JobStore;
  private readonly recent = new RecentProofs();
  private readonly running = new Map<string, AbortController>();
  private readonly checker: JobRequestChecker;
  private started = false;
  private closed = false;
  private prunedAt = 0;

  constructor(
    private readonly builds: ReadonlyMap<string, BuildFiles>,
    private readonly options: Required<Pick<ProverOptions, "maxQueued" | "jobTimeoutMs" | "maxRecoveries" | "retainFinishedS">> & { logger: PinoLogger },
    store: JobStore,
    pool: ProvingPool,
    processMetrics: boolean,
  ) {
    super();
    this.store = store;
    this.pool = pool;
    this.checker = new JobRequestChecker(builds);
    this.metrics = new ProverMetrics(store, () => this.running.size, { defaultMetrics: processMetrics });
  }

  private get log(): PinoLogger {
    return this.options.logger;
  }

  /** Build ids this prover accepts. */
  get buildIds(): string[] {
    return [...this.builds.keys()];
  }

  /** Requeues what a crash left running, then starts proving. Idempotent. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    const { requeued, failed } = this.store.recover(this.options.maxRecoveries);
    if (requeued.length) this.log.warn({ jobs: requeued }, `requeued ${requeued.length} job(s) interrupted by a previous stop`);
    if (failed.length) this.log.error({ jobs: failed }, `failed ${failed.length} job(s) that were interrupted too many times`);
    this.prune();
    this.pump();
  }

  /**
   * Accepts a job, or returns the existing one for the same build and input.
   * Throws a ZkseqError for an unknown build, a batch that breaks a rule, an
   * input the circuit rejects, or a full queue.
   */
  async submit(request: JobRequest, by: { client?: string } = {}): Promise<{ job: JobView; created: boolean }> {
    if (this.closed) throw new ProverClosedError();
    const { input, batchNumber } = await this.checker.check(request);
    const id = jobId(request.build, input);
    this.prune();
    const { job, created } = this.store.submit({ id, build: request.build, batchNumber, input: JSON.stringify(input), ...by }, this.options.maxQueued);
    if (created) {
      this.metrics.submitted.inc({ build: request.build });
      this.log.info({ jobId: id, build: request.build, batchNumber: batchNumber.toString() }, "job accepted");
      this.emitJob(job);
      this.pump();
    }
    return { job: jobView(job), created };
  }

  /** Drops finished jobs older than `retainFinishedS`, at most once a minute (or once per retention period if shorter), on start and on submits. */
  private prune(): void {
    const now = Date.now();
    if (this.options.retainFinishedS <= 0 || now - this.prunedAt < Math.min(60_000, this.options.retainFinishedS * 1000)) return;
    this.prunedAt = now;
    const n = this.store.prune(now - this.options.retainFinishedS * 1000);
    if (n) this.log.info({ jobs: n, retainFinishedS: this.options.retainFinishedS }, "dropped finished jobs past retention");
  }

  /** A job's state; JobNotFoundError if unknown. */
  get(id: string): JobView {
    return jobView(this.record(id));
  }

  /** A done job's proof; JobNotDoneError otherwise. */
  proof(id: string): JobProof {
    const r = this.record(id);
    if (r.state !== "done" || !r.result) throw new JobNotDoneError(id, r.state);
    const { proof, publicSignals } = JSON.parse(r.result) as { proof: Groth16Proof; publicSignals: string[] };
    const { header, batchHash } = headerFromPublicSignals(publicSignals);
    return { id, build: r.build, proof, publicSignals, batchHash: batchHash.toString(), header: headerToJSON(header) };
  }

  /** Cancels a queued or running job (a running proof's worker is stopped). A final job is returned as it is. */
  cancel(id: string, by: { client?: string } = {}): JobView {
    const r = this.record(id);
    if (by.client !== undefined && r.client !== undefined && r.client !== by.client) throw new NotJobOwnerError(id);
    const was = this.store.cancel(id);
    if (was === "running") this.running.get(id)?.abort();
    const job = this.record(id);
    if (was) {
      this.log.info({ jobId: id, was }, "job cancelled");
      this.emitJob(job);
    }
    return jobView(job);
  }

  /** Resolves with the job once it is done, failed or cancelled. */
  waitFor(id: string, signal?: AbortSignal): Promise<JobView> {
    const now = this.get(id);
    if (FINAL_STATES.includes(now.state)) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const onJob = (job: JobView) => {
        if (job.id !== id || !FINAL_STATES.includes(job.state)) return;
        this.off("job", onJob);
        resolve(job);
      };
      this.on("job", onJob);
      signal?.addEventListener("abort", () => {
        this.off("job", onJob);
        reject(signal.reason);
      });
    });
  }

  /** Jobs per state. */
  counts(): Record<JobState, number> {
    return this.store.counts();
  }

  /** What `/healthz` shows: builds, proving threads, jobs per state. */
  health(): { builds: string[]; workers: number; backend: string; jobs: Record<JobState, number> } {
    return { builds: this.buildIds, workers: this.pool.size, backend: this.pool.backend, jobs: this.counts() };
  }

  /** What `GET /stats` shows (the embedded prover's workers are threads of this process: no per-worker rows). */
  stats(): ProverStats {
    const c = this.counts();
    return { backend: this.pool.backend, threads: this.pool.size, queued: c.queued, inFlight: c.running, done: c.done, failed: c.failed, ...this.recent.summary(), workers: [] };
  }

  /** Stops taking jobs, puts running ones back in the queue (they run again on the next start), stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const inFlight = [...this.running.keys()];
    await this.pool.close();
    for (const id of inFlight) this.store.requeue(id);
    this.store.close();
  }

  private record(id: string): JobRecord {
    if (typeof id !== "string" || !/^[0-9a-f]{32}$/.test(id)) throw new JobNotFoundError(String(id));
    const r = this.store.get(id);
    if (!r) throw new JobNotFoundError(id);
    return r;
  }

  private emitJob(r: JobRecord): void {
    this.emit("job", jobView(r));
  }

  private pump(): void {
    while (this.started && !this.closed && this.running.size < this.pool.size) {
      const job = this.store.nextQueued();
      // A job cancelled while running and submitted again waits for its stopped run to end (that
      // run's end pumps again): two runs of one job would fail it and drop the second run's proof.
      if (!job || this.running.has(job.id) || !this.store.markRunning(job.id)) return;
      const controller = new AbortController();
      this.running.set(job.id, controller);
      const started = this.store.get(job.id)!;
      this.log.info({ jobId: job.id, batchNumber: job.batchNumber.toString(), attempt: started.attempts }, "job started");
      this.emitJob(started);
      void this.run(started, controller);
    }
  }

  private async run(job: JobRecord, controller: AbortController): Promise<void> {
    const files = this.builds.get(job.build);
    try {
      if (!files) throw new UnknownBuildError(job.build, this.buildIds);
      const result = await this.pool.prove(files, JSON.parse(job.input) as CircuitInput, { signal: controller.signal, timeoutMs: this.options.jobTimeoutMs });
      if (this.store.complete(job.id, JSON.stringify({ proof: result.proof, publicSignals: result.publicSignals }), JSON.stringify(result.timings))) {
        this.metrics.done.inc({ build: job.build });
        this.recent.record(Date.now(), result.timings.witnessMs + result.timings.proveMs);
        this.metrics.witnessSeconds.observe({ build: job.build }, result.timings.witnessMs / 1000);
        this.metrics.proveSeconds.observe({ build: job.build }, result.timings.proveMs / 1000);
        this.log.info(
          { jobId: job.id, batchNumber: job.batchNumber.toString(), witnessMs: Math.round(result.timings.witnessMs), proveMs: Math.round(result.timings.proveMs), workerAttempts: result.attempts },
          "job proven",
        );
        this.emitJob(this.store.get(job.id)!);
      }
    } catch (e) {
      if (e instanceof ProverClosedError) return; // close() requeues it
      const err = e instanceof ZkseqError ? e : new ZkseqError("INTERNAL", e instanceof Error ? e.message : String(e), { cause: e });
      if (this.store.fail(job.id, err.code, err.shortMessage)) {
        this.metrics.failed.inc({ build: job.build, code: err.code });
        this.log.error({ jobId: job.id, code: err.code, err: err.shortMessage }, "job failed");
        this.emitJob(this.store.get(job.id)!);
      }
    } finally {
      this.running.delete(job.id);
      if (!this.closed) this.pump();
    }
  }
}

/**
 * Creates a proving service: loads (or builds and caches) the artifacts of
 * its builds, opens the job store, starts the worker pool and, unless
 * `autoStart` is false, requeues interrupted jobs and starts proving.
 *
 * @example
 * const prover = await createProver({ builds: ["dev"], db: "prover.db", ptau: "../shared/ptau" })
 * const { job } = await prover.submit({ build: "dev", batch })
 * await prover.waitFor(job.id)
 * const { proof, publicSignals } = prover.proof(job.id)
 * await prover.close()
 */
export async function createProver(options: ProverOptions & { queue: string }): Promise<QueueProver>;
export async function createProver(options?: ProverOptions & { queue?: undefined }): Promise<Prover>;
export async function createProver(options?: ProverOptions): Promise<Prover | QueueProver>;
export async function createProver(options: ProverOptions = {}): Promise<Prover | QueueProver> {
  const logger = options.logger ?? pino({ enabled: false });
  const builds = await loadBuilds(options, logger);
  if (options.queue !== undefined) {
    const { QueueProver } = await import("./queue/queueProver.js");
    return QueueProver.open(builds, {
      url: options.queue,
      ...(options.queuePrefix ? { prefix: options.queuePrefix } : {}),
      maxQueued: options.maxQueued ?? 1000,
      jobTimeoutMs: options.jobTimeoutMs ?? 600_000,
      ...(options.retainFinishedS !== undefined ? { retainFinishedS: options.retainFinishedS } : {}),
      logger,
      processMetrics: options.processMetrics ?? false,
    });
  }
  return openEmbedded(options, logger, builds);
}

/** Loads (or builds and caches) the artifacts of the builds a prover or a queue worker serves. */
export async function loadBuilds(options: Pick<ProverOptions, "builds" | "artifacts" | "ptau" | "cacheDir">, logger: PinoLogger): Promise<Map<string, BuildFiles>> {
  const builds = new Map<string, BuildFiles>();
  for (const id of options.builds ?? Object.keys(options.artifacts ?? {}).concat(options.artifacts ? [] : ["dev"])) {
    const ready = options.artifacts?.[id];
    if (ready) {
      builds.set(id, ready);
      continue;
    }
    getBatchBuild(id);
    const log = logger.child({ build: id });
    const artifacts = await buildCircuit(id, {
      ...(options.ptau ? { ptau: options.ptau } : {}),
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      logger: { info: (m) => log.info(m), warn: (m) => log.warn(m) },
    });
    builds.set(id, buildFiles(artifacts));
  }
  return builds;
}

async function openEmbedded(options: ProverOptions, logger: PinoLogger, builds: Map<string, BuildFiles>): Promise<Prover> {
  const store = new JobStore(options.db ?? "zkseq-prover.db");
  const pool = new ProvingPool({
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    logger: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
  });
  const prover = new Prover(
    builds,
    { maxQueued: options.maxQueued ?? 1000, jobTimeoutMs: options.jobTimeoutMs ?? 600_000, maxRecoveries: options.maxRecoveries ?? 3, retainFinishedS: options.retainFinishedS ?? 7 * 86_400, logger },
    store,
    pool,
    options.processMetrics ?? false,
  );
  if (options.autoStart !== false) prover.start();
  return prover;
}
