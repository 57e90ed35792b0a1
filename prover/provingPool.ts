import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { ResourceLimits } from "node:worker_threads";
import { Piscina } from "piscina";
import {
  CircuitInputRejectedError,
  JobCancelledError,
  JobTimeoutError,
  NativeProverUnavailableError,
  ProofVerificationError,
  ProverClosedError,
  WitnessFormatError,
  WitnessMismatchError,
  WorkerCrashedError,
  ZkeyFormatError,
  ZkseqError,
} from "../src/errors.js";
import { silentLogger, type Logger } from "../src/logger.js";
import type { CircuitInput } from "../src/witness.js";
import { loadNativeAddon } from "./nativeAddon.js";
import type { BuildFiles, ProveTask, ProveTaskOutcome, ProveTaskResult, ProverBackend } from "./proveTask.js";

export type { BuildFiles, Groth16Proof, ProveTaskResult, ProverBackend } from "./proveTask.js";

// next to this module in both layouts: npm run build copies worker.mjs into dist/prover/
const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));

/** Options of a ProvingPool. */
export interface ProvingPoolOptions {
  /** Worker threads (default: `os.availableParallelism()`; never more than that, each worker proves on one core). */
  workers?: number;
  /** Attempts at a job when its worker crashes or runs out of memory (default 2: one retry on a fresh worker). */
  maxAttempts?: number;
  /** Per-worker limits (default: 4 GiB old generation). A worker that exceeds them is replaced and its job retried. */
  resourceLimits?: ResourceLimits;
  /**
   * "native" (the C++ prover, the default where its addon built) or "snarkjs".
   * Asking for native where it did not build throws NativeProverUnavailableError;
   * by default the pool then warns once and uses snarkjs.
   */
  backend?: ProverBackend;
  /** Threads per native proof (default 1: each worker proves on one core). */
  threads?: number;
  logger?: Logger;
}

/** Per-proof options. */
export interface ProveOptions {
  /** Aborting it cancels the proof (a running worker is terminated and replaced). */
  signal?: AbortSignal;
  /** Cancel with JobTimeoutError after this many ms. */
  timeoutMs?: number;
}

/** A verified proof and how it was made. */
export interface PoolProof extends ProveTaskResult {
  /** 1, or more if a worker crashed on an earlier attempt. */
  attempts: number;
}

/**
 * A Piscina pool of Groth16 provers. Each worker loads a build's witness
 * generator and zkey once and keeps them, proves on a single-threaded curve,
 * and verifies every proof before returning it.
 *
 * @example
 * const pool = new ProvingPool({ workers: 2 })
 * const { proof, publicSignals } = await pool.prove(buildFiles(artifacts), input)
 * await pool.close()
 */
export class ProvingPool {
  /** Worker threads. */
  readonly size: number;
  private readonly piscina: Piscina;
  private readonly maxAttempts: number;
  private readonly logger: Logger;
  private closed = false;
  /** The backend every proof of this pool uses. */
  readonly backend: ProverBackend;
  /** Threads per native proof. */
  readonly nativeThreads: number;

  constructor(options: ProvingPoolOptions = {}) {
    const cores = availableParallelism();
    const wanted = options.workers ?? cores;
    if (!Number.isInteger(wanted) || wanted < 1) throw new ZkseqError("INVALID_ARGUMENT", `workers must be a positive integer, got ${wanted}`);
    this.logger = options.logger ?? silentLogger;
    if (wanted > cores) this.logger.warn(`${wanted} proving workers asked for but this machine has ${cores} cores: using ${cores}`);
    this.size = Math.min(wanted, cores);
    this.maxAttempts = options.maxAttempts ?? 2;
    this.nativeThreads = options.threads ?? 1;
    if (!Number.isInteger(this.nativeThreads) || this.nativeThreads < 1) throw new ZkseqError("INVALID_ARGUMENT", `threads must be a positive integer, got ${this.nativeThreads}`);
    this.backend = pickBackend(options.backend, options.logger);
    this.piscina = new Piscina({
      filename: WORKER,
      minThreads: this.size,
      maxThreads: this.size,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      // snarkjs's web-worker dependency crashes in a worker without workerData.
      workerData: {},
      resourceLimits: options.resourceLimits ?? { maxOldGenerationSizeMb: 4096 },
    });
    // A worker that dies with no task is replaced by Piscina; keep the event from crashing the process.
    // One that dies before it is ready is not replaced: with no worker left, fail every proof at once
    // instead of leaving it queued until its timeout.
    this.piscina.on("error", (e: unknown) => {
      this.logger.warn(`proving worker error: ${e instanceof Error ? e.message : String(e)}`);
      if (this.piscina.threads.length === 0 && !this.closed) {
        this.broken = e instanceof Error ? e : new Error(String(e));
        for (const reject of this.waiting) reject(this.broken);
      }
    });
  }

  /** Set when the workers cannot start at all. */
  private broken: Error | undefined;
  private readonly waiting = new Set<(e: Error) => void>();


  /** The worker threads (for diagnostics and tests). */
  get threads(): readonly import("node:worker_threads").Worker[] {
    return this.piscina.threads;
  }

  /**
   * Proves one input with a build. Rejects with CircuitInputRejectedError,
   * ProofVerificationError, JobCancelledError, JobTimeoutError,
   * WorkerCrashedError or ProverClosedError.
   */
  async prove(build: BuildFiles, input: CircuitInput, options: ProveOptions = {}): Promise<PoolProof> {
    if (this.closed) throw new ProverClosedError();
    if (this.broken) throw new WorkerCrashedError(0, this.broken);
    // A ref'd timer: it enforces the timeout and keeps the process alive while the proof
    // is pending (Piscina does not while a task waits for a worker to boot).
    const timeoutController = new AbortController();
    const timer = setTimeout(() => timeoutController.abort(), options.timeoutMs ?? 2 ** 31 - 1);
    const timeout = options.timeoutMs === undefined ? undefined : timeoutController.signal;
    const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    try {
      return await this.attempts(build, input, options, signal, timeout);
    } finally {
      clearTimeout(timer);
    }
  }

  private async attempts(build: BuildFiles, input: CircuitInput, options: ProveOptions, signal: AbortSignal | undefined, timeout: AbortSignal | undefined): Promise<PoolProof> {
    const task: ProveTask = { build, input, backend: this.backend, threads: this.nativeThreads };
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw abortError(options, timeout);
      let outcome: ProveTaskOutcome;
      try {
        outcome = await new Promise<ProveTaskOutcome>((resolve, reject) => {
          this.waiting.add(reject);
          (this.piscina.run(task, signal ? { signal } : {}) as Promise<ProveTaskOutcome>).then(resolve, reject).finally(() => this.waiting.delete(reject));
        });
      } catch (e) {
        if (signal?.aborted) throw abortError(options, timeout);
        if (this.closed) throw new ProverClosedError();
        if (this.broken) throw new WorkerCrashedError(attempt, this.broken);
        if (attempt >= this.maxAttempts) throw new WorkerCrashedError(attempt, e);
        this.logger.warn(`proving worker failed (${e instanceof Error ? e.message : String(e)}); retrying on a fresh worker (attempt ${attempt + 1}/${this.maxAttempts})`);
        continue;
      }
      if (!outcome.ok) {
        if (outcome.code === "CIRCUIT_INPUT_REJECTED") throw new CircuitInputRejectedError(build.id, outcome.reason);
        if (outcome.code === "ZKEY_FORMAT") throw new ZkeyFormatError(build.zkey, outcome.reason);
        if (outcome.code === "WITNESS_FORMAT") throw new WitnessFormatError(outcome.reason);
        if (outcome.code === "WITNESS_MISMATCH") throw new WitnessMismatchError(build.id, outcome.reason);
        throw new ProofVerificationError(build.id);
      }
      const { ok: _ok, ...result } = outcome;
      return { ...result, attempts: attempt };
    }
  }

  /** Stops the workers (running proofs reject with ProverClosedError). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
  }
}

/** The backend asked for, or native where the addon loads (else one warning and snarkjs). */
let warnedNoNative = false;

function pickBackend(wanted: ProverBackend | undefined, logger: Logger | undefined): ProverBackend {
  if (wanted === "snarkjs") return "snarkjs";
  if (wanted !== undefined && wanted !== "native") throw new ZkseqError("INVALID_ARGUMENT", `backend must be "native" or "snarkjs", got ${String(wanted)}`);
  const loaded = loadNativeAddon();
  if ("addon" in loaded) return "native";
  if (wanted === "native") throw new NativeProverUnavailableError(loaded.error);
  const message = `native prover unavailable (${loaded.error}): proving with snarkjs`;
  // to the caller's logger, or once per process as a Node warning when it gave none
  if (logger) logger.warn(message);
  else if (!warnedNoNative) process.emitWarning(message, { code: "ZKSEQ_NO_NATIVE_PROVER" });
  warnedNoNative = true;
  return "snarkjs";
}

function abortError(options: ProveOptions, timeout: AbortSignal | undefined): ZkseqError {
  if (timeout?.aborted && !options.signal?.aborted) return new JobTimeoutError(options.timeoutMs!);
  return new JobCancelledError();
}

/** The files a worker needs, from buildCircuit()'s artifacts. */
export function buildFiles(artifacts: { build: { id: string }; wasm: string; zkey: string; verificationKey: string; witnessCalculator: string }): BuildFiles {
  return {
    id: artifacts.build.id,
    wasm: artifacts.wasm,
    zkey: artifacts.zkey,
    verificationKey: artifacts.verificationKey,
    witnessCalculator: artifacts.witnessCalculator,
  };
}
