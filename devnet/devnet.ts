import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";
import { pino, type Logger as PinoLogger } from "pino";
import { toHex, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { getBatchBuild } from "../src/builds.js";
import type { Committee } from "../src/committee.js";
import { generateMemberKey, writeKeystore } from "../src/keys.js";
import { buildCircuit } from "../src/build/buildCircuit.js";
import { compileContracts } from "../src/chain/compileContracts.js";
import { chainClients, HARDHAT_DEV_KEY } from "../src/chain/clients.js";
import { deployInbox, type Deployment } from "../src/chain/deploy.js";
import type { InboxClient } from "../src/chain/inboxClient.js";
import { LightClient, type CheckedBatch, type LightClientProblem } from "../src/sdk/lightClient.js";
import { submitTransaction } from "../src/sdk/submitTransaction.js";
import type { Logger } from "../src/logger.js";
import { createProver, type Prover } from "../prover/prover.js";
import { createProverServer } from "../prover/httpServer.js";
import { createGateway } from "../gateway/gateway.js";
import { exportBatchFile } from "../proposer/exportBatch.js";
import type { ProposerProgress } from "../proposer/proposer.js";
import { TransactionGenerator, type RollupTransaction } from "./txGenerator.js";
import { skewVerdict, type SkewVerdict } from "./skewVerdict.js";
import { deriveBatches } from "../src/sdk/deriveBatches.js";
import type { VerificationKey } from "../src/sdk/verifyBatch.js";
import { InvalidArgumentError } from "../src/errors.js";
import { leaderOf } from "../src/leaderSchedule.js";
import { PACKAGE_ROOT } from "../src/packageRoot.js";

const fmtS = (ms: number | null) => (ms === null ? "n/a" : `${(ms / 1000).toFixed(1)} s`);

const BIN = join(PACKAGE_ROOT, "bin", "zkseq.mjs");

/** Hardhat's development accounts: account 0 deploys and forces, member i submits with account i + 1. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const devAccountKey = (i: number): Hex => toHex(mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: i }).getHdKey().privateKey!);

/** Options of the devnet; every field has a default. */
export interface DevnetOptions {
  /** Committee members (default 4; at most 2^D of the build). */
  members?: number;
  /** Circuit build (default "dev"). */
  build?: string;
  /** Transactions the generator sends (default 40). */
  txs?: number;
  /** Transactions per second (default 4). */
  rate?: number;
  /** Stop after this many seconds even if not every transaction landed (default 180). */
  durationS?: number;
  /** An external chain instead of the in-process Hardhat network; it must mine blocks on its own (e.g. `anvil --block-time 1`). */
  rpc?: string;
  /** The in-process chain mines a block every this many milliseconds, like an L1, whether or not a transaction is waiting (default 1000). */
  blockTimeMs?: number;
  /** Length of a round in ms of chain time (default 12000): a leader that does not land its batch is replaced after it. */
  roundTimeoutMs?: number;
  /** With `rpc`: the deployer's key (default Hardhat's first dev account); members submit with Hardhat's accounts 1..N. */
  privateKey?: Hex;
  /** With `rpc`: the members' L1 keys (default Hardhat's accounts 1..N). */
  memberPrivateKeys?: Hex[];
  ptau?: string;
  /** Scenario: kill this member (kill -9) once the first batch is finalized; it stays dead. */
  crashMember?: number;
  /** Scenario: SIGKILL the leader of a batch after it collected its quorum and before it submitted, then restart it a round later. */
  killLeader?: boolean;
  /** Scenario: this member records the transactions whose txHash is odd `skewMs` late (times that would reorder them if the median did not hold). */
  skewMember?: number;
  skewMs?: number;
  /** Scenario: member i leaves one transaction out whenever it leads; "all": every member does, and the user forces it in through the inbox. */
  censor?: number | "all";
  /** Scenario: this member, when it leads, collects a quorum and never submits. */
  withhold?: number;
  /** Where state goes (default a fresh temp dir). */
  dir?: string;
  /** Progress lines (default stderr). */
  print?: (line: string) => void;
  /** Components' structured logs (default: warnings to stderr). */
  logger?: PinoLogger;
}

/** A proposer event from member process `member`. */
export type DevnetProgress = ProposerProgress & { member: number; /** When the devnet read it (unix ms). */ at: number };

/** What a running devnet exposes (for tests and tools). */
export interface Devnet {
  rpc: string;
  deployment: Deployment;
  inbox: InboxClient;
  committee: Committee;
  /** The stateless gateway (one URL for clients; it forwards to every member). */
  gatewayUrl: string;
  proverUrl: string;
  memberUrls: string[];
  /** Each member's SQLite file (mempool, signed reports, its proposals). */
  memberDbs: string[];
  lightClient: LightClient;
  /** Batches the light client checked, and what it found wrong. */
  checked: CheckedBatch[];
  problems: LightClientProblem[];
  progress: DevnetProgress[];
  /** Resolves when every generated transaction is in a finalized batch (or the duration ran out). */
  done: Promise<DevnetSummary>;
  /** The transactions the generator sent so far (txHash), in order. */
  sent: readonly bigint[];
  /** The censored transaction, if that scenario runs. */
  censoredTx?: bigint;
  killMember(index: number): void;
  /** Starts member `index` again on its keystore, database and port. */
  restartMember(index: number): Promise<void>;
  stop(): Promise<void>;
}

export interface DevnetSummary {
  /** The chain's JSON-RPC URL (with `rpc` the chain outlives the devnet) and the inbox. */
  rpc: string;
  inbox: Hex;
  /** Batches finalized on L1. */
  finalized: number;
  /** Sent transactions found in finalized batches on L1 (derived with deriveBatches, proofs checked). */
  txsLanded: number;
  txsSent: number;
  /** Sent transactions found in more than one slot on L1. */
  txsLandedTwice: number;
  /** Rounds a leader started because an earlier round of the same number did not land. */
  roundChanges: number;
  /** Each finalized batch: its round and the member that led it. */
  leaders: { batchNumber: bigint; round: bigint; leader: number }[];
  meanCutToFinalMs: number;
  /** From a member accepting a transaction to the devnet seeing its batch final on L1 (null if none landed). */
  p50ArrivalToFinalMs: number | null;
  p95ArrivalToFinalMs: number | null;
  /** For numbers a later round's leader landed after a reported round change: from when the number could start (previous batch final, or its first transaction's arrival) to its L1 finality. */
  p50FailoverMs: number | null;
  p95FailoverMs: number | null;
  /** From the first transaction's arrival to the last sent transaction's L1 finality (throughput = txsLanded / spanMs). */
  spanMs: number | null;
  censoredTxBatch?: bigint;
  /** Skew scenario: each batch the skewed member signed, checked against its honest signers. */
  skew?: SkewVerdict[];
  timedOut: boolean;
  /** Why the run failed (a transaction lost or landed twice, a double signature, a scenario's verdict); empty when it passed. */
  failures: string[];
}

/** A free loopback port (members keep theirs across restarts, so peers can find them again). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Every (batchNumber, round) some member signed, with the batchHashes signed
 * for it, read from the members' own databases: more than one hash for one
 * (batchNumber, round) means someone proposed, or signed, two headers for it.
 */
export function signedHeaders(memberDbs: readonly string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const file of memberDbs) {
    if (!existsSync(file)) continue;
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      for (const r of db.prepare(`SELECT batch_number, round, batch_hash FROM reports`).all() as { batch_number: string; round: string; batch_hash: string }[]) {
        const key = `${BigInt(r.batch_number)}:${BigInt(r.round)}`;
        (out.get(key) ?? out.set(key, new Set()).get(key)!).add(r.batch_hash);
      }
    } finally {
      db.close();
    }
  }
  return out;
}

/**
 * Starts a whole zkseq network on loopback: an in-process Hardhat chain (or
 * `rpc`) mining on a timer, the contracts, `members` member processes
 * (`zkseq member`, each with its own keystore, database, L1 key and proposer
 * role, gossiping to the others), the proving service, a stateless gateway, a
 * light client and a transaction generator, and prints each batch's leader,
 * round and stages, and every round change with its reason.
 */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const print = options.print ?? ((l: string) => process.stderr.write(l + "\n"));
  const logger = options.logger ?? pino({ level: "warn" }, pino.destination(2));
  const buildId = options.build ?? "dev";
  const build = getBatchBuild(buildId);
  const { D, Q, B } = build.params;
  const n = options.members ?? Math.min(2 ** D, Q + 1);
  if (n < Q || n > 2 ** D) throw new InvalidArgumentError(`build '${buildId}' needs between ${Q} and ${2 ** D} members, got ${n}`);
  const scenarioMembers = [
    ["--crash-member", options.crashMember],
    ["--skew-member", options.skewMember],
    ["--withhold", options.withhold],
    ["--censor", options.censor === "all" ? undefined : options.censor],
  ] as const;
  for (const [flag, i] of scenarioMembers) {
    if (i !== undefined && !(Number.isSafeInteger(i) && i >= 0 && i < n)) throw new InvalidArgumentError(`${flag} ${i}: there is no member ${i} (the devnet has ${n} members, 0 to ${n - 1})`);
  }
  const faulty = [options.crashMember, options.withhold, options.killLeader ? -1 : undefined].filter((x) => x !== undefined).length;
  if (faulty > 0 && n - 1 < Q) throw new InvalidArgumentError(`a crash, kill or withhold scenario needs more than ${Q} members (build '${buildId}' needs ${Q} signers), got ${n}`);
  if (options.crashMember !== undefined && options.crashMember === options.withhold) throw new InvalidArgumentError(`--crash-member and --withhold name the same member ${options.crashMember}`);
  if (options.skewMember !== undefined && (options.skewMs ?? 3000) <= 0) throw new InvalidArgumentError(`--skew-ms must be positive with --skew-member`);
  const blockTimeMs = options.blockTimeMs ?? 1000;
  if (!Number.isSafeInteger(blockTimeMs) || blockTimeMs <= 0) throw new InvalidArgumentError(`--block-time must be a positive number of milliseconds, got ${blockTimeMs}`);
  const roundTimeoutMs = options.roundTimeoutMs ?? 12_000;
  if (!Number.isSafeInteger(roundTimeoutMs) || roundTimeoutMs < 3 * blockTimeMs) throw new InvalidArgumentError(`--round-timeout must be at least three blocks (${3 * blockTimeMs} ms), got ${roundTimeoutMs}`);
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "zkseq-devnet-")));
  const ptau = options.ptau ?? process.env.ZKSEQ_PTAU;
  const buildLog: Logger = { info: (m) => print(`  ${m}`), warn: (m) => print(`  WARNING: ${m}`) };
  const cleanups: (() => Promise<void> | void)[] = [];

  print(`zkseq devnet: ${n} members, build '${buildId}' (Q=${Q}, B=${B}), rounds of ${roundTimeoutMs} ms, state in ${dir}`);
  print(`[1/6] circuits and contracts (cached after the first run)`);
  const { hre } = await compileContracts([buildId], { logger: buildLog, ...(ptau ? { ptau } : {}) });
  const artifacts = await buildCircuit(buildId, { logger: buildLog, ...(ptau ? { ptau } : {}) });

  print(`[2/6] chain`);
  let rpc = options.rpc;
  if (!rpc) {
    const { TASK_NODE_CREATE_SERVER } = await import("hardhat/builtin-tasks/task-names.js");
    const server = (await hre.run(TASK_NODE_CREATE_SERVER, { hostname: "127.0.0.1", port: 0, provider: hre.network.provider })) as {
      listen(): Promise<{ address: string; port: number }>;
      close(): Promise<void>;
    };
    // the deployment mines at once (a devnet started earlier in this process may have left interval mining on)
    await hre.network.provider.send("evm_setAutomine", [true]);
    const { port } = await server.listen();
    rpc = `http://127.0.0.1:${port}`;
    cleanups.push(() => server.close());
    print(`  in-process Hardhat network at ${rpc}`);
  }
  const { client, wallet } = await chainClients({ rpc, privateKey: options.privateKey ?? HARDHAT_DEV_KEY, pollingInterval: 100 });

  const password = randomBytes(16).toString("hex");
  const made = Array.from({ length: n }, () => generateMemberKey());
  const { deployment, inbox } = await deployInbox({ wallet: wallet!, client, build: buildId, genesisMembers: made.map((k) => k.publicKey), params: { forceDelay: 30n, maxStall: 600n, forceFee: 10n ** 12n } });
  const committee = deployment.genesisCommittee;
  // member i runs the key of leaf i (the inbox orders an elected committee's leaves by rank, here memberId)
  const keys = Array.from({ length: n }, (_, leaf) => made.find((k) => committee.indexOf(k.publicKey) === leaf)!);
  print(`  BatchInbox at ${deployment.inbox}; committee ${n} members, threshold ${Q}`);
  if (options.rpc) {
    print(`  chain ${rpc} is yours: it must mine blocks on its own (the inbox and the rounds take their clock from them)`);
  } else {
    // like an L1: a block on a timer, transactions wait for it, and block.timestamp keeps up with time
    await hre.network.provider.send("evm_setAutomine", [false]);
    await hre.network.provider.send("evm_setIntervalMining", [blockTimeMs]);
    // back to Hardhat's default, so a later devnet in this process deploys on an automining chain
    cleanups.push(async () => {
      await hre.network.provider.send("evm_setIntervalMining", [0]);
      await hre.network.provider.send("evm_setAutomine", [true]);
    });
    print(`  a block every ${blockTimeMs} ms`);
  }
  await writeFile(join(dir, "committee.json"), JSON.stringify(committee.toJSON(), null, 2));

  print(`[3/6] proving service`);
  const prover: Prover = await createProver({ artifacts: { [buildId]: { id: buildId, wasm: artifacts.wasm, zkey: artifacts.zkey, verificationKey: artifacts.verificationKey, witnessCalculator: artifacts.witnessCalculator } }, db: join(dir, "prover.db"), logger });
  const proverApp = createProverServer(prover, { logger });
  const proverUrl = await proverApp.listen({ port: 0, host: "127.0.0.1" });
  cleanups.push(async () => {
    await proverApp.close();
    await prover.close();
  });
  print(`  ${prover.pool.size} workers at ${proverUrl}`);

  print(`[4/6] ${n} member processes, each a signer and a proposer`);
  const users = new TransactionGenerator({ chainId: BigInt(await client.getChainId()) });
  const censored = options.censor !== undefined ? await users.next() : undefined;
  const censoredTx = censored?.txHash;
  const ports = await Promise.all(keys.map(() => freePort()));
  const memberUrls = ports.map((p) => `http://127.0.0.1:${p}`);
  const memberDbs = keys.map((_, i) => join(dir, `member-${i}.db`));
  const children: (ChildProcess | undefined)[] = [];
  const alive = new Set<number>();
  const lastWarning: string[] = [];
  const progress: DevnetProgress[] = [];
  let onProgress: (p: DevnetProgress) => void = () => {};
  await Promise.all(keys.map((key, i) => writeKeystore(join(dir, `member-${i}.keystore.json`), key, password)));
  const memberKeys = options.memberPrivateKeys ?? keys.map((_, i) => devAccountKey(i + 1));
  if (memberKeys.length < n) throw new InvalidArgumentError(`${n} members need ${n} L1 keys, got ${memberKeys.length}`);
  const startMember = (i: number): Promise<void> => {
    const args = [
      BIN, "member", "--keystore", join(dir, `member-${i}.keystore.json`), "--build", buildId, "--inbox", deployment.inbox,
      "--rpc", rpc!, "--db", memberDbs[i]!, "--port", String(ports[i]), "--log-level", "info",
      "--peers", memberUrls.filter((_, j) => j !== i).join(","), "--prover", proverUrl, "--round-timeout", String(roundTimeoutMs),
      ...(options.skewMember === i ? ["--skew-ms", String(options.skewMs ?? 3000)] : []),
      ...(censoredTx !== undefined && (options.censor === "all" || options.censor === i) ? ["--censor", "0x" + censoredTx.toString(16)] : []),
      ...(options.withhold === i ? ["--withhold"] : []),
    ];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ZKSEQ_KEYSTORE_PASSWORD: password, ZKSEQ_PRIVATE_KEY: memberKeys[i]! },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children[i] = child;
    return new Promise<void>((resolve, reject) => {
      child.on("exit", (code) => {
        alive.delete(i);
        reject(new Error(`member ${i} exited with ${code}`));
      });
      createInterface({ input: child.stdout! }).on("line", (line) => {
        let e: Record<string, unknown>;
        try {
          e = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return; // not a log line
        }
        if (typeof e.level === "number" && (e.level >= 50 || e.msg === "not enough members answered with times that order a batch; waiting")) {
          // a member's own trouble, once per distinct message in a row
          const line = `  member ${i}: ${String(e.msg)}${e.err ? ` (${String(e.err)})` : ""}`;
          if (lastWarning[i] !== line) print((lastWarning[i] = line));
        }
        if (e.msg === "member listening") {
          alive.add(i);
          resolve();
        } else if (e.msg === "proposer") {
          const p: DevnetProgress = {
            member: i,
            at: Date.now(),
            batchNumber: BigInt(e.batchNumber as string),
            round: BigInt(e.round as string),
            leader: e.leader as number,
            stage: e.stage as ProposerProgress["stage"],
            txCount: e.txCount as number,
            forcedCount: e.forcedCount as number,
            elapsedMs: e.ms as number,
            ...(Array.isArray(e.signers) ? { signers: e.signers as number[] } : {}),
            ...(typeof e.detail === "string" ? { detail: e.detail } : {}),
          };
          progress.push(p);
          onProgress(p);
        }
      });
    });
  };
  await Promise.all(keys.map((_, i) => startMember(i)));
  cleanups.push(() => {
    for (const c of children) c?.kill("SIGTERM");
  });
  memberUrls.forEach((u, i) =>
    print(
      `  member ${i} at ${u}` +
        (options.skewMember === i ? ` (clock +${options.skewMs ?? 3000} ms on odd hashes)` : "") +
        (options.withhold === i ? " (withholds when it leads)" : "") +
        (options.censor === i ? " (censors one tx when it leads)" : ""),
    ),
  );

  print(`  network page: ${memberUrls[0]}/ (every member serves its own view at its URL)`);

  print(`[5/6] gateway and light client`);
  const gateway = createGateway({ members: memberUrls, logger });
  const gatewayUrl = await gateway.listen({ port: 0, host: "127.0.0.1" });
  cleanups.push(() => gateway.close());
  print(`  stateless gateway at ${gatewayUrl} (clients may also talk to the members directly)`);
  const vkey = JSON.parse(await readFile(artifacts.verificationKey, "utf8")) as VerificationKey;
  const genesis = { batchHash: deployment.genesisBatchHash, committeeHash: committee.hash };
  const lightClient = new LightClient({ inbox, verificationKey: vkey, build: buildId, genesis });
  const checked: CheckedBatch[] = [];
  const problems: LightClientProblem[] = [];
  /** When a member accepted each sent transaction, and when the devnet saw its batch final. */
  const arrivedAt = new Map<bigint, number>();
  const finalAt = new Map<bigint, number>();
  /** When the light client saw each batch final. */
  const checkedAt = new Map<bigint, number>();
  lightClient.on("batch", (b) => {
    checked.push(b);
    const now = Date.now();
    checkedAt.set(b.batchNumber, now);
    for (const t of b.transactions) if (!finalAt.has(t.txHash)) finalAt.set(t.txHash, now);
    print(`  ✔ light client: batch ${b.batchNumber} verified (${b.forcedOnly ? "forced-only" : "proof ok"}, txRoot 0x${b.txRoot.toString(16).slice(0, 10)}…, ${b.txCount} tx)`);
  });
  lightClient.on("problem", (p) => {
    problems.push(p);
    print(`  ✘ light client: batch ${p.batchNumber}: ${p.reason}`);
  });
  const unfollow = lightClient.follow({ pollingInterval: 200 });
  cleanups.push(() => unfollow());

  const cutToFinal: number[] = [];
  const skewVerdicts: SkewVerdict[] = [];
  const failures: string[] = [];
  let crashed = false;
  let crashedAt = Number.POSITIVE_INFINITY;
  let stopped = false;
  /** kill-leader scenario: the member killed, the batch it led, and whether it was brought back. */
  let killed: { member: number; batchNumber: bigint; round: bigint } | undefined;
  let restarted = false;
  /** The restarted member signed a batch after the one it was killed leading. */
  const rejoined = () => killed !== undefined && [...signedHeaders([memberDbs[killed.member]!]).keys()].some((k) => BigInt(k.split(":")[0]!) > killed!.batchNumber);
  const killMember = (i: number) => {
    children[i]?.kill("SIGKILL");
    alive.delete(i);
    print(`  ☠ member ${i} killed (kill -9)`);
  };
  const restartMember = async (i: number) => {
    print(`  ↻ member ${i} starting again on its database`);
    await startMember(i);
    print(`  ↻ member ${i} is back at ${memberUrls[i]}`);
  };
  onProgress = (p) => {
    const what =
      p.stage === "cut" ? `cut: ${p.txCount} tx (${p.forcedCount} forced)` :
      p.stage === "signed" ? `signed by members [${p.signers?.join(", ")}]` :
      p.stage === "proven" ? `proven` :
      p.stage === "finalized" ? `FINALIZED on L1 (${p.detail}); cut → final ${(p.elapsedMs / 1000).toFixed(1)} s` :
      p.stage === "round-change" ? `ROUND CHANGE: ${p.detail}` :
      `${p.stage}: ${p.detail ?? ""}`;
    print(`batch ${p.batchNumber} round ${p.round} leader ${p.leader}  ${what}${p.stage !== "cut" && p.stage !== "finalized" && p.stage !== "round-change" ? ` (+${(p.elapsedMs / 1000).toFixed(1)} s)` : ""}`);
    if (p.stage === "signed" && options.skewMember !== undefined && p.signers?.includes(options.skewMember)) pendingSkew.push({ batchNumber: p.batchNumber, round: p.round, leader: p.leader });
    if (p.stage === "finalized") {
      cutToFinal.push(p.elapsedMs);
      if (options.crashMember !== undefined && !crashed) {
        crashed = true;
        crashedAt = Date.now();
        killMember(options.crashMember);
      }
    }
    // kill the leader between its quorum and its submission, once the chain is running; bring it back a round later
    if (options.killLeader && !killed && p.stage === "signed" && progress.some((q) => q.stage === "finalized") && alive.size > Q) {
      killed = { member: p.member, batchNumber: p.batchNumber, round: p.round };
      killMember(p.member);
      print(`  ☠ scenario --kill-leader: batch ${p.batchNumber}'s round-${p.round} leader killed after its quorum, before it submitted`);
    }
    // ... and restart it once another leader landed its batch (a member restarted mid-run rejoins)
    if (killed && !restarted && p.stage === "finalized" && p.batchNumber === killed.batchNumber && p.member !== killed.member) {
      restarted = true;
      void restartMember(killed.member).catch((e: unknown) => failures.push(`member ${killed!.member} did not restart: ${(e as Error).message}`));
    }
  };
  /** Skew scenario: batches the skewed member signed, checked once they landed (the reports are in their leader's store). */
  const pendingSkew: { batchNumber: bigint; round: bigint; leader: number }[] = [];
  const reportSkew = (batchNumber: bigint, leader: number) => {
    if (options.skewMember === undefined) return;
    let batch;
    try {
      batch = exportBatchFile(memberDbs[leader]!, batchNumber);
    } catch {
      return;
    }
    const forced = Number(BigInt(batch.header.forcedTo) - BigInt(batch.header.forcedFrom));
    const v = skewVerdict(batchNumber, options.skewMember, forced, batch.txHashes.map(BigInt), batch.reports);
    skewVerdicts.push(v);
    print(
      `  ⏱ batch ${batchNumber}: member ${v.skewMember}'s times would reverse ${v.invertedBySkewed} of the ${v.honestPairs} pairs every honest signer saw in one order; ` +
        (v.violations === 0 ? `the median kept all ${v.honestPairs} ✓` : `the batch reverses ${v.violations} of them ✗`),
    );
  };

  print(`[6/6] transaction generator: ${options.txs ?? 40} tx at ${options.rate ?? 4}/s to every member (SDK submitTransaction)` + (censoredTx !== undefined ? `; one of them censored by ${options.censor === "all" ? "every member" : `member ${options.censor}`}` : ""));
  const txsTotal = options.txs ?? 40;
  const sent: bigint[] = [];
  const gen = (async () => {
    for (let i = 0; i < txsTotal && !stopped; i++) {
      const tx = i === Math.floor(txsTotal / 3) && censored !== undefined ? censored : await users.next();
      await sendTx(tx);
      if (tx.txHash === censoredTx && options.censor === "all") {
        print(`  ⚠ tx ${tx.ethHash.slice(0, 14)}… left out by every leader; the user forces it in through the inbox`);
        await inbox.forceInclude(tx.raw);
      }
      await new Promise((r) => setTimeout(r, 1000 / (options.rate ?? 4)));
    }
  })();
  /** Sends one transaction like a wallet: to every member at once, resent until one takes it. */
  async function sendTx(tx: RollupTransaction): Promise<void> {
    const h = tx.txHash;
    sent.push(h);
    // like a wallet: to every member at once, resent until one takes it; resending is idempotent (keyed by txHash)
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await submitTransaction(tx.raw, { endpoints: memberUrls, timeoutMs: 3000 });
        if (!arrivedAt.has(h)) arrivedAt.set(h, Date.now());
        break;
      } catch (e) {
        if (attempt === 1) print(`  generator: ${(e as Error).message}; resending`);
        if (attempt >= 100) {
          print(`  generator: giving up on tx ${tx.ethHash.slice(0, 14)}… after ${attempt} attempts`);
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  const done = (async (): Promise<DevnetSummary> => {
    await gen;
    const deadline = Date.now() + (options.durationS ?? 180) * 1000;
    const landedCount = () => sent.filter((h) => finalAt.has(h)).length;
    while (!stopped && landedCount() < sent.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      await lightClient.sync().catch(() => undefined);
    }
    // kill-leader: keep a trickle of transactions going until the restarted member has signed a later batch
    while (!stopped && options.killLeader && Date.now() < deadline && (!killed || !rejoined())) {
      await sendTx(await users.next());
      await new Promise((r) => setTimeout(r, 2000));
    }
    while (!stopped && landedCount() < sent.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      await lightClient.sync().catch(() => undefined);
    }
    await lightClient.sync();
    // the verdict comes from L1 alone: every finalized batch derived and verified, each sent transaction counted
    const onL1 = new Map<bigint, number>();
    let finalized = 0;
    let censoredTxBatch: bigint | undefined;
    /** Who led each finalized batch, from L1: its header's round and `leaderOf` (the leader's own log line may still be on its way). */
    const leaders: DevnetSummary["leaders"] = [];
    for await (const b of deriveBatches({ inbox, verificationKey: vkey, build: buildId, genesis })) {
      finalized++;
      if (b.header) leaders.push({ batchNumber: b.batchNumber, round: b.header.round, leader: leaderOf(committee, b.batchNumber, b.header.round) });
      for (const t of b.transactions) {
        onL1.set(t.txHash, (onL1.get(t.txHash) ?? 0) + 1);
        if (t.txHash === censoredTx) censoredTxBatch = b.batchNumber;
      }
    }
    const txsLanded = sent.filter((h) => (onL1.get(h) ?? 0) > 0).length;
    const txsLandedTwice = sent.filter((h) => (onL1.get(h) ?? 0) > 1).length;
    const latencies = sent.flatMap((h) => (arrivedAt.has(h) && finalAt.has(h) && onL1.has(h) ? [finalAt.get(h)! - arrivedAt.get(h)!] : []));

    // leader failover: for each number a later round's leader landed after a reported round change (an earlier round was
    // signed and did not land, or its leader proposed nothing while transactions waited), the time from when the number
    // could start (the previous batch final on L1, or its first transaction's arrival if later) to its L1 finality
    const changed = new Set(progress.filter((p) => p.stage === "round-change").map((p) => `${p.batchNumber}:${p.round}`));
    const failovers = leaders.flatMap((l) => {
      const landedAt = checkedAt.get(l.batchNumber);
      const batch = checked.find((b) => b.batchNumber === l.batchNumber);
      if (!changed.has(`${l.batchNumber}:${l.round}`) || landedAt === undefined || !batch) return [];
      const arrivals = batch.transactions.flatMap((t) => (arrivedAt.has(t.txHash) ? [arrivedAt.get(t.txHash)!] : []));
      const start = Math.max(checkedAt.get(l.batchNumber - 1n) ?? 0, arrivals.length ? Math.min(...arrivals) : 0);
      return start > 0 ? [landedAt - start] : [];
    });
    const roundChanges = progress.filter((p) => p.stage === "round-change").length;
    for (const l of leaders) if (options.skewMember !== undefined && pendingSkew.some((s) => s.batchNumber === l.batchNumber && s.round === l.round)) reportSkew(l.batchNumber, l.leader);

    // no (batchNumber, round) with two different headers signed, across every member's database (dead ones too)
    for (const [key, hashes] of signedHeaders(memberDbs)) if (hashes.size > 1) failures.push(`members signed ${hashes.size} different headers for (batch, round) ${key}`);
    // scenario verdicts, each able to fail
    if (killed) {
      const landed = leaders.find((l) => l.batchNumber === killed!.batchNumber);
      if (!landed) failures.push(`batch ${killed.batchNumber}, whose leader was killed, was not finalized by a later leader`);
      else if (landed.round === killed.round) failures.push(`batch ${killed.batchNumber} landed in the killed leader's own round ${killed.round}: the kill came too late to test failover`);
      if (!rejoined()) failures.push(`member ${killed.member} restarted but signed no later batch: it did not rejoin`);
    }
    if (options.withhold !== undefined) {
      const withheld = progress.filter((p) => p.stage === "withheld");
      for (const w of withheld) if (!leaders.some((l) => l.batchNumber === w.batchNumber && l.leader !== options.withhold)) failures.push(`batch ${w.batchNumber}, withheld by member ${options.withhold}, was not landed by another leader`);
    }
    if (censoredTx !== undefined) {
      if (censoredTxBatch === undefined) failures.push(`the censored transaction did not land`);
      else if (options.censor !== "all" && leaders.find((l) => l.batchNumber === censoredTxBatch)?.leader === options.censor) failures.push(`the censored transaction landed in a batch its censor led`);
    }
    if (options.crashMember !== undefined && crashed) {
      const after = progress.filter((p) => p.stage === "cut" && p.leader === options.crashMember && p.at > crashedAt);
      if (after.length > 0) failures.push(`member ${options.crashMember} cut a batch after it was killed`);
    }
    failures.push(
      ...(txsLanded < sent.length ? [`${sent.length - txsLanded} of ${sent.length} sent transactions did not land`] : []),
      ...(txsLandedTwice > 0 ? [`${txsLandedTwice} transactions landed more than once`] : []),
      ...(problems.length > 0 ? [`the light client found ${problems.length} problems`] : []),
      ...skewVerdicts.filter((v) => v.violations > 0).map((v) => `batch ${v.batchNumber} reverses ${v.violations} pairs every honest signer saw in one order`),
    );
    const finals = sent.flatMap((h) => (finalAt.has(h) ? [finalAt.get(h)!] : []));
    const summary: DevnetSummary = {
      rpc: rpc!,
      inbox: deployment.inbox,
      finalized,
      txsLanded,
      txsSent: sent.length,
      txsLandedTwice,
      roundChanges,
      leaders,
      meanCutToFinalMs: cutToFinal.length ? cutToFinal.reduce((a, b) => a + b, 0) / cutToFinal.length : 0,
      p50ArrivalToFinalMs: percentile(latencies, 50),
      p95ArrivalToFinalMs: percentile(latencies, 95),
      p50FailoverMs: percentile(failovers, 50),
      p95FailoverMs: percentile(failovers, 95),
      spanMs: finals.length && arrivedAt.size ? Math.max(...finals) - Math.min(...arrivedAt.values()) : null,
      ...(censoredTxBatch !== undefined ? { censoredTxBatch } : {}),
      ...(options.skewMember !== undefined ? { skew: skewVerdicts } : {}),
      timedOut: landedCount() < sent.length,
      failures,
    };
    print(
      `done: ${summary.finalized} batches finalized, ${summary.txsLanded}/${summary.txsSent} tx landed, mean cut → L1 finality ${(summary.meanCutToFinalMs / 1000).toFixed(1)} s, ` +
        `light client checked ${checked.length} batches, ${problems.length} problems` +
        (summary.censoredTxBatch !== undefined ? `; the censored tx landed in batch ${summary.censoredTxBatch}` : ""),
    );
    print(`  leaders: ${leaders.map((l) => `#${l.batchNumber}→m${l.leader}${l.round > 0n ? ` (round ${l.round})` : ""}`).join(", ")}`);
    print(
      `  L1: ${summary.txsLanded}/${summary.txsSent} sent tx in finalized batches, ${summary.txsLandedTwice} twice; ${summary.roundChanges} round changes; ` +
        `arrival → L1 finality p50 ${fmtS(summary.p50ArrivalToFinalMs)}, p95 ${fmtS(summary.p95ArrivalToFinalMs)}; leader failover p50 ${fmtS(summary.p50FailoverMs)}, p95 ${fmtS(summary.p95FailoverMs)}`,
    );
    for (const f of failures) print(`  ✘ ${f}`);
    return summary;
  })();

  return {
    rpc,
    deployment,
    inbox,
    committee,
    gatewayUrl,
    proverUrl,
    memberUrls,
    memberDbs,
    lightClient,
    checked,
    problems,
    progress,
    sent,
    done,
    ...(censoredTx !== undefined ? { censoredTx } : {}),
    killMember,
    restartMember,
    async stop() {
      stopped = true;
      // a run stopped before its verdict: the verdict's last chain reads fail once the chain is gone; nobody may be waiting for it
      done.catch(() => undefined);
      await gen;
      for (const c of cleanups.reverse()) await c();
    },
  };
}

/** The summary as one JSON line (bigints as decimal strings): what `zkseq devnet --json` prints last. */
export function summaryJsonLine(s: DevnetSummary): string {
  return JSON.stringify(s, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** The p-th percentile (nearest rank) of some numbers, or null if there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

