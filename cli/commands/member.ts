import type { Command } from "commander";
import { pino } from "pino";
import { readKeystore } from "../../src/keys.js";
import { getBatchBuild } from "../../src/builds.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { chainClients } from "../../src/chain/clients.js";
import { InboxClient } from "../../src/chain/inboxClient.js";
import { createMemberNode } from "../../member/memberNode.js";
import { CommitteeDirectory, readInboxSnapshot } from "../../member/inboxSnapshot.js";
import { action, positiveInt } from "../errors.js";

interface MemberFlags {
  keystore: string;
  passwordEnv: string;
  build: string;
  inbox: string;
  rpc: string;
  db: string;
  port: number;
  host: string;
  skewMs: number;
  logLevel: string;
  maxPending: number;
  clientQuota: number;
}

export function registerMember(program: Command): void {
  program
    .command("member")
    .description("run a committee member node: records raw transactions and its receive times, signs only headers the inbox would accept (POST /txs, /times, /sign; GET /txs/:hash, /reports, /healthz)")
    .requiredOption("--keystore <file>", "the member's encrypted keystore (zkseq keys new)")
    .option("--password-env <name>", "environment variable holding the keystore password", "ZKSEQ_KEYSTORE_PASSWORD")
    .option("-b, --build <id>", "circuit build", "dev")
    .requiredOption("--rpc <url>", "L1 JSON-RPC (required): the member reads the inbox's state before every signature, so it follows the head even after missing batches")
    .requiredOption("--inbox <address>", "the BatchInbox address")
    .option("--db <file>", "SQLite file for transactions and signed reports", "zkseq-member.db")
    .option("-p, --port <n>", "port (0: any free port)", positiveInt("--port"), 7400)
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("--skew-ms <ms>", "add this to the receive time of every transaction whose txHash is odd (testing the median against a member whose times reorder)", (v) => Number(v), 0)
    .option("--max-pending <n>", "pending transactions held; past it POST /txs answers 503 MEMPOOL_FULL", positiveInt("--max-pending"), 16384)
    .option("--client-quota <n>", "pending transactions one client (source address) may have; past it 429 MEMPOOL_FULL", positiveInt("--client-quota"), 8192)
    .option("--log-level <level>", "pino log level", "info")
    .action(
      action(async (f: MemberFlags) => {
        const password = process.env[f.passwordEnv];
        if (password === undefined) throw new InvalidArgumentError(`set the keystore password in $${f.passwordEnv}`);
        if (!/^0x[0-9a-fA-F]{40}$/.test(f.inbox)) throw new InvalidArgumentError(`--inbox must be a 0x-address, got ${f.inbox}`);
        const key = await readKeystore(f.keystore, password);
        const build = getBatchBuild(f.build);
        const logger = pino({ level: f.logLevel, base: { service: "zkseq-member" } });
        const inbox = new InboxClient({ address: f.inbox as `0x${string}`, client: (await chainClients({ rpc: f.rpc })).client });
        const committees = new CommitteeDirectory(inbox, build.params.D);
        await committees.refresh();
        const node = createMemberNode({
          key,
          committees: (hash) => committees.cached(hash),
          build: f.build,
          chain: async () => {
            const snapshot = await readInboxSnapshot(inbox, build.params.F + 1);
            // a committee scheduled since the last read
            if (!committees.cached(snapshot.committeeHash)) await committees.refresh();
            return snapshot;
          },
          db: f.db,
          skewMs: f.skewMs,
          maxPendingTxs: f.maxPending,
          maxPendingPerClient: f.clientQuota,
          logger,
        });
        const address = await node.app.listen({ port: f.port, host: f.host });
        logger.info({ address, publicKey: key.publicKey.map(String), skewMs: f.skewMs }, "member listening");
        const stop = async () => {
          await node.app.close();
          process.exit(0);
        };
        process.on("SIGINT", () => void stop());
        process.on("SIGTERM", () => void stop());
      }),
    );
}
