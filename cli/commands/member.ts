import type { Command } from "commander";
import { getBatchBuild } from "../../src/builds.js";
import { InvalidArgumentError } from "../../src/errors.js";
import type { Proposer } from "../../proposer/proposer.js";
import { toBigInt } from "../../src/field.js";
import type { Hex } from "viem";
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
  peers: string;
  privateKeyEnv: string;
  prover?: string;
  localWorkers: number;
  roundTimeout: number;
  maxWait: number;
  ptau?: string;
  censor?: string;
  withhold: boolean;
}

export function registerMember(program: Command): void {
  program
    .command("member")
    .description(
      "run a committee member node: a durable mempool (POST /txs, gossiped to --peers), its own receive times, reports signed only for the current round's leader and only on headers the inbox would accept, and the proposer role: when it leads, it cuts, collects a quorum, has the batch proven and submits it",
    )
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
    .option("--peers <urls>", "comma-separated URLs of the other members (gossip, and the members a leader asks); its own URL may be among them", "")
    .option("--private-key-env <name>", "environment variable holding the L1 key this member submits its batches with", "ZKSEQ_PRIVATE_KEY")
    .option("--prover <url>", "a proving service (zkseq prover serve); its token from $ZKSEQ_PROVER_TOKEN. Without it, or when it does not answer, the member proves with its own pool")
    .option("--local-workers <n>", "workers of the member's own proving pool (made on first need)", positiveInt("--local-workers"), 1)
    .option("--round-timeout <ms>", "length of a round in ms of chain time; the same on every member (docs/network.md)", positiveInt("--round-timeout"), 30_000)
    .option("--max-wait <ms>", "as leader, cut once the oldest pending transaction waited this long", positiveInt("--max-wait"), 1500)
    .option("--ptau <path>", "ptau file or folder for the local pool's keys, if the build is not set up yet (default $ZKSEQ_PTAU)")
    .option("--censor <txHashes>", "devnet scenario: comma-separated txHashes this member leaves out when it leads")
    .option("--withhold", "devnet scenario: when it leads, collect a quorum and never submit", false)
    .option("--log-level <level>", "pino log level", "info")
    .action(
      action(async (f: MemberFlags) => {
        const password = process.env[f.passwordEnv];
        if (password === undefined) throw new InvalidArgumentError(`set the keystore password in $${f.passwordEnv}`);
        if (!/^0x[0-9a-fA-F]{40}$/.test(f.inbox)) throw new InvalidArgumentError(`--inbox must be a 0x-address, got ${f.inbox}`);
        // loaded here, not at the top: `zkseq --help` and usage errors stay fast
        const [{ pino }, { readKeystore }, { chainClients }, { InboxClient }, { createMemberNode }, { Proposer }, { ProverClient }, { createProver }, { CommitteeDirectory, readInboxSnapshot }, { NetworkView }, { registerNetworkPage }] = await Promise.all([
          import("pino"),
          import("../../src/keys.js"),
          import("../../src/chain/clients.js"),
          import("../../src/chain/inboxClient.js"),
          import("../../member/memberNode.js"),
          import("../../proposer/proposer.js"),
          import("../../prover/proverClient.js"),
          import("../../prover/prover.js"),
          import("../../member/inboxSnapshot.js"),
          import("../../member/networkView.js"),
          import("../../member/networkPage.js"),
        ]);
        const key = await readKeystore(f.keystore, password);
        const build = getBatchBuild(f.build);
        const logger = pino({ level: f.logLevel, base: { service: "zkseq-member" } });
        const submitter = process.env[f.privateKeyEnv];
        if (!submitter || !/^0x[0-9a-fA-F]{64}$/.test(submitter)) throw new InvalidArgumentError(`set the L1 key this member submits batches with (0x + 64 hex) in $${f.privateKeyEnv}`);
        const peers = f.peers.split(",").map((u) => u.trim()).filter(Boolean);
        for (const u of peers) if (!/^https?:\/\//.test(u)) throw new InvalidArgumentError(`--peers: ${u} is not an http(s) URL`);
        const censor = (f.censor ?? "").split(",").filter(Boolean).map((h) => toBigInt(h.trim(), "--censor txHash"));
        const { client, wallet } = await chainClients({ rpc: f.rpc, privateKey: submitter as Hex });
        const inbox = new InboxClient({ address: f.inbox as `0x${string}`, client, wallet: wallet! });
        const committees = new CommitteeDirectory(inbox, build.params.D);
        await committees.refresh();
        let proposer: Proposer | undefined;
        const node = createMemberNode({
          key,
          roundTimeoutMs: f.roundTimeout,
          peers,
          health: () => (proposer ? { proposer: proposer.health() } : {}),
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
        const proverClient = f.prover ? new ProverClient(f.prover, process.env.ZKSEQ_PROVER_TOKEN ? { token: process.env.ZKSEQ_PROVER_TOKEN } : {}) : undefined;
        const view = new NetworkView({
          inbox,
          store: node.store,
          committees,
          key,
          build: f.build,
          peers,
          roundTimeoutMs: f.roundTimeout,
          provers: [
            ...(proverClient ? [{ name: `prover at ${f.prover}`, stats: () => proverClient.stats({ timeoutMs: 1500 }) }] : []),
            { name: "this member's own pool", stats: async () => proposer?.localProverStats() },
          ],
          logger,
        });
        registerNetworkPage(node.app, view);
        node.app.addHook("onClose", async () => view.close());
        const address = await node.app.listen({ port: f.port, host: f.host });
        const ptau = f.ptau ?? process.env.ZKSEQ_PTAU;
        proposer = new Proposer({
          build: f.build,
          key,
          committees,
          peers: peers.filter((u) => u.replace(/\/+$/, "") !== address),
          local: node,
          inbox,
          ...(proverClient ? { prover: proverClient } : {}),
          localProver: () => createProver({ builds: [f.build], db: `${f.db}.prover`, workers: f.localWorkers, ...(ptau ? { ptau } : {}), logger }),
          db: f.db,
          roundTimeoutMs: f.roundTimeout,
          maxBatchWaitMs: f.maxWait,
          censor,
          withhold: f.withhold,
          logger,
        });
        proposer.on("progress", (p) => {
          view.noteProgress(p);
          logger.info(
            { batchNumber: p.batchNumber.toString(), round: p.round.toString(), leader: p.leader, stage: p.stage, txCount: p.txCount, forcedCount: p.forcedCount, signers: p.signers, ms: p.elapsedMs, detail: p.detail },
            "proposer",
          );
        });
        proposer.start();
        logger.info({ address, page: `${address}/`, publicKey: key.publicKey.map(String), skewMs: f.skewMs, roundTimeoutMs: f.roundTimeout, peers: peers.length }, "member listening");
        const stop = async () => {
          await proposer?.close();
          await node.app.close();
          process.exit(0);
        };
        process.on("SIGINT", () => void stop());
        process.on("SIGTERM", () => void stop());
      }),
    );
}
