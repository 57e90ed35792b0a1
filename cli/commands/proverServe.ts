import type { Command } from "commander";
import { action, positiveInt } from "../errors.js";
import { registerProverWorker } from "./proverWorker.js";
import { ProverTokens } from "../../prover/proverTokens.js";
import { redisConnection } from "../../prover/queue/queueKeys.js";
import { backendFlag } from "../backendFlag.js";
import type { ProverBackend } from "../../prover/proveTask.js";

interface ServeFlags {
  port: number;
  host: string;
  workers?: number;
  db: string;
  builds: string;
  ptau?: string;
  cacheDir?: string;
  maxQueue: number;
  jobTimeout: number;
  retainDays: number;
  logLevel: string;
  queue?: string;
  queuePrefix: string;
  tokens?: string;
  backend?: ProverBackend;
  threads?: number;
}

export function registerProverServe(program: Command): void {
  const prover = program.command("prover").description("the proving service");
  prover
    .command("serve")
    .description("run the proving service's HTTP API (POST /jobs, GET /jobs/:id, GET /jobs/:id/proof, DELETE /jobs/:id, /healthz, /metrics)")
    .option("-p, --port <n>", "port (0: any free port)", positiveInt("--port"), 7300)
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("-w, --workers <n>", "proving workers (default: available cores)", positiveInt("--workers"))
    .option("--db <file>", "SQLite job store (without --queue)", "zkseq-prover.db")
    .option("--queue <url>", "keep jobs in a BullMQ queue on Redis (redis://host:port) instead of SQLite; `zkseq prover worker` processes prove them")
    .option("--queue-prefix <prefix>", "Redis key prefix of the queue (API and workers must agree)", "zkseq")
    .option("--builds <ids>", "comma-separated builds to accept", "dev")
    .option("--ptau <path>", "ptau file or folder for builds not set up yet (default: $ZKSEQ_PTAU)")
    .option("--cache-dir <dir>", "circuit build cache")
    .option("--max-queue <n>", "jobs waiting at most before new ones are refused", positiveInt("--max-queue"), 1000)
    .option("--job-timeout <seconds>", "fail a proof that takes longer", positiveInt("--job-timeout"), 600)
    .option("--retain-days <n>", "drop finished jobs (and their proofs) this many days after they finish; 0 keeps them for ever", positiveInt("--retain-days"), 7)
    .option("--tokens <file>", "require clients' tokens: lines 'client:token' (or $ZKSEQ_PROVER_TOKENS, comma-separated); a job is its submitter's to cancel")
    .option("--log-level <level>", "pino log level", "info")
    .option("--backend <name>", "native (default where its addon built) or snarkjs", backendFlag)
    .option("--threads <n>", "threads per native proof (default 1: one core per worker)", positiveInt("--threads"))
    .action(
      action(async (flags: ServeFlags) => {
        const tokens = flags.tokens
          ? await ProverTokens.fromFile(flags.tokens)
          : process.env.ZKSEQ_PROVER_TOKENS
            ? ProverTokens.parse(process.env.ZKSEQ_PROVER_TOKENS)
            : undefined;
        if (flags.queue) redisConnection(flags.queue); // a bad URL fails before the builds load
        const [{ pino }, { createProver }, { createProverServer }] = await Promise.all([import("pino"), import("../../prover/prover.js"), import("../../prover/httpServer.js")]);
        const logger = pino({ level: flags.logLevel, base: { service: "zkseq-prover" } });
        const ptau = flags.ptau ?? process.env.ZKSEQ_PTAU;
        const p = await createProver({
          builds: flags.builds.split(",").map((s) => s.trim()).filter(Boolean),
          db: flags.db,
          ...(flags.queue ? { queue: flags.queue, queuePrefix: flags.queuePrefix } : {}),
          ...(flags.workers ? { workers: flags.workers } : {}),
          ...(flags.backend ? { backend: flags.backend } : {}),
          ...(flags.threads ? { threads: flags.threads } : {}),
          ...(ptau ? { ptau } : {}),
          ...(flags.cacheDir ? { cacheDir: flags.cacheDir } : {}),
          maxQueued: flags.maxQueue,
          jobTimeoutMs: flags.jobTimeout * 1000,
          retainFinishedS: flags.retainDays * 86_400,
          logger,
          processMetrics: true,
        });
        const app = createProverServer(p, { logger, ...(tokens ? { tokens } : {}) });
        const address = await app.listen({ port: flags.port, host: flags.host });
        logger.info({ address, builds: p.buildIds, ...(flags.queue ? { queue: flags.queue } : { workers: (await p.health()).workers, backend: (await p.health()).backend, db: flags.db }) }, "prover listening");
        if (!tokens && flags.host !== "127.0.0.1" && flags.host !== "localhost") logger.warn("listening beyond loopback without --tokens: anyone who reaches this port can submit and cancel jobs");
        let stopping = false;
        const stop = async (signal: string) => {
          if (stopping) return;
          stopping = true;
          logger.info({ signal }, "shutting down: running jobs go back to the queue");
          await app.close();
          await p.close();
          process.exit(0);
        };
        process.on("SIGINT", () => void stop("SIGINT"));
        process.on("SIGTERM", () => void stop("SIGTERM"));
      }),
    );
  registerProverWorker(prover);
}
