import type { Command } from "commander";
import { redisConnection } from "../../prover/queue/queueKeys.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { action, positiveInt } from "../errors.js";
import { backendFlag } from "../backendFlag.js";
import type { ProverBackend } from "../../prover/proveTask.js";

interface WorkerFlags {
  queue?: string;
  queuePrefix: string;
  workers?: number;
  builds: string;
  ptau?: string;
  cacheDir?: string;
  lockDuration: number;
  stalledInterval: number;
  maxStalled: number;
  logLevel: string;
  backend?: ProverBackend;
  threads?: number;
}

/** `zkseq prover worker --queue redis://…`: a proving process for the API of `zkseq prover serve --queue`. */
export function registerProverWorker(prover: Command): void {
  prover
    .command("worker")
    .description("prove jobs from a BullMQ queue on Redis (the one `zkseq prover serve --queue` fills); run one per machine")
    .option("--queue <url>", "Redis URL of the queue (redis://host:port)")
    .option("--queue-prefix <prefix>", "Redis key prefix of the queue (API and workers must agree)", "zkseq")
    .option("-w, --workers <n>", "proving threads (default: available cores)", positiveInt("--workers"))
    .option("--builds <ids>", "comma-separated builds to prove", "dev")
    .option("--ptau <path>", "ptau file or folder for builds not set up yet (default: $ZKSEQ_PTAU)")
    .option("--cache-dir <dir>", "circuit build cache")
    .option("--lock-duration <ms>", "BullMQ job lock; a dead worker's job is taken over after it expires", positiveInt("--lock-duration"), 30_000)
    .option("--stalled-interval <ms>", "how often to look for jobs of dead workers", positiveInt("--stalled-interval"), 30_000)
    .option("--max-stalled <n>", "times a job may lose its worker before it fails", positiveInt("--max-stalled"), 2)
    .option("--backend <name>", "native (default where its addon built) or snarkjs", backendFlag)
    .option("--threads <n>", "threads per native proof (default 1: one core per proving thread)", positiveInt("--threads"))
    .option("--log-level <level>", "pino log level", "info")
    .action(
      action(async (flags: WorkerFlags) => {
        if (!flags.queue) throw new InvalidArgumentError("--queue redis://host:port is required");
        redisConnection(flags.queue); // a bad URL fails before the builds load
        if (flags.workers === 0) throw new InvalidArgumentError("--workers must be at least 1");
        const [{ pino }, { loadBuilds }, { QueueWorker }] = await Promise.all([import("pino"), import("../../prover/prover.js"), import("../../prover/queue/queueWorker.js")]);
        const logger = pino({ level: flags.logLevel, base: { service: "zkseq-prover-worker" } });
        const ptau = flags.ptau ?? process.env.ZKSEQ_PTAU;
        const builds = await loadBuilds(
          { builds: flags.builds.split(",").map((s) => s.trim()).filter(Boolean), ...(ptau ? { ptau } : {}), ...(flags.cacheDir ? { cacheDir: flags.cacheDir } : {}) },
          logger,
        );
        const worker = await QueueWorker.start({
          url: flags.queue,
          prefix: flags.queuePrefix,
          builds,
          ...(flags.workers ? { workers: flags.workers } : {}),
          ...(flags.backend ? { backend: flags.backend } : {}),
          ...(flags.threads ? { threads: flags.threads } : {}),
          lockDurationMs: flags.lockDuration,
          stalledIntervalMs: flags.stalledInterval,
          maxStalledCount: flags.maxStalled,
          logger,
        });
        logger.info({ worker: worker.id, builds: [...builds.keys()], threads: worker.pool.size, backend: worker.pool.backend }, "prover worker ready");
        let stops = 0;
        const stop = async (signal: string) => {
          stops++;
          if (stops > 1) process.exit(1); // second signal: abandon the proofs in flight (their locks expire, other workers take them)
          logger.info({ signal }, "shutting down: finishing the proofs in flight (signal again to abandon them)");
          await worker.close();
          process.exit(0);
        };
        process.on("SIGINT", () => void stop("SIGINT"));
        process.on("SIGTERM", () => void stop("SIGTERM"));
      }),
    );
}
