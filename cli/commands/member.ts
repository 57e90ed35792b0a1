import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { pino } from "pino";
import { Committee, type CommitteeJson } from "../../src/committee.js";
import { readKeystore } from "../../src/keys.js";
import { toBigInt } from "../../src/field.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { chainClients } from "../../src/chain/clients.js";
import { InboxClient } from "../../src/chain/inboxClient.js";
import { createMemberNode } from "../../member/memberNode.js";
import { action, positiveInt } from "../errors.js";

interface MemberFlags {
  keystore: string;
  passwordEnv: string;
  index: number;
  committee: string;
  build: string;
  chainId: string;
  inbox: string;
  genesis: string;
  rpc?: string;
  db: string;
  port: number;
  host: string;
  skewMs: number;
  logLevel: string;
}

export function registerMember(program: Command): void {
  program
    .command("member")
    .description("run a committee member node: records receive times, signs checked reports (POST /txs, /times, /sign; GET /healthz)")
    .requiredOption("--keystore <file>", "the member's encrypted keystore (zkseq keys new)")
    .option("--password-env <name>", "environment variable holding the keystore password", "ZKSEQ_KEYSTORE_PASSWORD")
    .requiredOption("--index <n>", "the member's leaf index in the committee", positiveInt("--index"))
    .requiredOption("--committee <file>", "the committee JSON")
    .option("-b, --build <id>", "circuit build", "dev")
    .requiredOption("--chain-id <id>", "the rollup's L1 chain id")
    .requiredOption("--inbox <address>", "the BatchInbox address")
    .requiredOption("--genesis <hash>", "the inbox's genesisBatchHash")
    .option("--rpc <url>", "L1 JSON-RPC, to accept headers that extend the inbox's head")
    .option("--db <file>", "SQLite file for receive times and signed reports", "zkseq-member.db")
    .option("-p, --port <n>", "port (0: any free port)", positiveInt("--port"), 7400)
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("--skew-ms <ms>", "add this to every receive time (testing a skewed clock)", (v) => Number(v), 0)
    .option("--log-level <level>", "pino log level", "info")
    .action(
      action(async (f: MemberFlags) => {
        const password = process.env[f.passwordEnv];
        if (password === undefined) throw new InvalidArgumentError(`set the keystore password in $${f.passwordEnv}`);
        const key = await readKeystore(f.keystore, password);
        const committee = Committee.fromJSON(JSON.parse(await readFile(f.committee, "utf8")) as CommitteeJson);
        const logger = pino({ level: f.logLevel, base: { service: "zkseq-member", member: f.index } });
        const inbox = toBigInt(f.inbox, "--inbox");
        const chain = f.rpc ? new InboxClient({ address: f.inbox as `0x${string}`, client: (await chainClients({ rpc: f.rpc })).client }) : undefined;
        const node = createMemberNode({
          key,
          memberIndex: f.index,
          committee,
          build: f.build,
          chainId: toBigInt(f.chainId, "--chain-id"),
          inbox,
          genesisBatchHash: toBigInt(f.genesis, "--genesis"),
          db: f.db,
          ...(chain ? { chain } : {}),
          skewMs: f.skewMs,
          logger,
        });
        const address = await node.app.listen({ port: f.port, host: f.host });
        logger.info({ address, memberIndex: f.index, skewMs: f.skewMs }, "member listening");
        const stop = async () => {
          await node.app.close();
          process.exit(0);
        };
        process.on("SIGINT", () => void stop());
        process.on("SIGTERM", () => void stop());
      }),
    );
}
