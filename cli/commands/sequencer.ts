import type { Command } from "commander";
import { pino } from "pino";
import type { Hex } from "viem";
import { getBatchBuild } from "../../src/builds.js";
import { CommitteeDirectory } from "../../member/inboxSnapshot.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { chainClients } from "../../src/chain/clients.js";
import { InboxClient } from "../../src/chain/inboxClient.js";
import { ProverClient } from "../../prover/proverClient.js";
import { Sequencer } from "../../sequencer/sequencer.js";
import { action, positiveInt } from "../errors.js";

interface SequencerFlags {
  build: string;
  members: string;
  rpc: string;
  inbox: string;
  privateKeyEnv: string;
  prover: string;
  db: string;
  port: number;
  host: string;
  maxWait: number;
  forced: "eager" | "when-overdue";
  logLevel: string;
  maxPending: number;
  clientQuota: number;
}

export function registerSequencer(program: Command): void {
  program
    .command("sequencer")
    .description("run the sequencer: mempool (POST /txs), batches cut on size or time, signed by the members, proven, submitted")
    .option("-b, --build <id>", "circuit build", "dev")
    .requiredOption("--members <urls>", "comma-separated member URLs, in committee index order")
    .requiredOption("--rpc <url>", "L1 JSON-RPC")
    .requiredOption("--inbox <address>", "the BatchInbox address")
    .option("--private-key-env <name>", "environment variable holding the submitter's private key", "ZKSEQ_PRIVATE_KEY")
    .requiredOption("--prover <url>", "the proving service (zkseq prover serve); its token, if it asks for one, from $ZKSEQ_PROVER_TOKEN")
    .option("--db <file>", "SQLite file for the mempool and batches", "zkseq-sequencer.db")
    .option("-p, --port <n>", "port (0: any free port)", positiveInt("--port"), 7500)
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("--max-wait <ms>", "cut a batch once its oldest transaction waited this long", positiveInt("--max-wait"), 2000)
    .option("--forced <policy>", "eager | when-overdue: when forced entries go in", "eager")
    .option("--max-pending <n>", "pending transactions held; past it POST /txs answers 503 MEMPOOL_FULL", positiveInt("--max-pending"), 8192)
    .option("--client-quota <n>", "pending transactions one client (source address) may have; past it 429 MEMPOOL_FULL", positiveInt("--client-quota"), 256)
    .option("--log-level <level>", "pino log level", "info")
    .action(
      action(async (f: SequencerFlags) => {
        const key = process.env[f.privateKeyEnv];
        if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) throw new InvalidArgumentError(`set the submitter's private key (0x + 64 hex) in $${f.privateKeyEnv}`);
        if (f.forced !== "eager" && f.forced !== "when-overdue") throw new InvalidArgumentError("--forced must be eager or when-overdue");
        const { client, wallet } = await chainClients({ rpc: f.rpc, privateKey: key as Hex });
        const inbox = new InboxClient({ address: f.inbox as `0x${string}`, client, wallet: wallet! });
        const logger = pino({ level: f.logLevel, base: { service: "zkseq-sequencer" } });
        const sequencer = new Sequencer({
          build: f.build,
          committees: new CommitteeDirectory(inbox, getBatchBuild(f.build).params.D),
          members: f.members.split(",").map((url, index) => ({ index, url: url.trim() })),
          inbox,
          prover: new ProverClient(f.prover, process.env.ZKSEQ_PROVER_TOKEN ? { token: process.env.ZKSEQ_PROVER_TOKEN } : {}),
          db: f.db,
          maxBatchWaitMs: f.maxWait,
          forcedPolicy: f.forced,
          maxPendingTxs: f.maxPending,
          maxPendingPerClient: f.clientQuota,
          logger,
        });
        sequencer.on("batch", (p) => logger.info({ batchNumber: p.batchNumber.toString(), stage: p.stage, txCount: p.txCount, ms: p.elapsedMs }, `batch ${p.stage}`));
        const address = await sequencer.app.listen({ port: f.port, host: f.host });
        sequencer.start();
        logger.info({ address }, "sequencer listening");
        const stop = async () => {
          await sequencer.app.close();
          process.exit(0);
        };
        process.on("SIGINT", () => void stop());
        process.on("SIGTERM", () => void stop());
      }),
    );
}
