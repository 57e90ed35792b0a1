import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { pino, type Logger as PinoLogger } from "pino";
import type { Hex } from "viem";
import { getBatchBuild } from "../src/builds.js";
import type { Committee } from "../src/committee.js";
import { generateMemberKey, writeKeystore } from "../src/keys.js";
import { buildCircuit } from "../src/build/buildCircuit.js";
import { compileContracts } from "../src/chain/compileContracts.js";
import { chainClients, HARDHAT_DEV_KEY } from "../src/chain/clients.js";
import { deployInbox, type Deployment } from "../src/chain/deploy.js";
import type { InboxClient } from "../src/chain/inboxClient.js";
import { LightClient, type CheckedBatch, type LightClientProblem } from "../src/sdk/lightClient.js";
import { requestJson } from "../src/http.js";
import type { Logger } from "../src/logger.js";
import { createProver, type Prover } from "../prover/prover.js";
import { createProverServer } from "../prover/httpServer.js";
import { ProverClient } from "../prover/proverClient.js";
import { Sequencer, type BatchProgress } from "../sequencer/sequencer.js";
import { CommitteeDirectory } from "../member/inboxSnapshot.js";
import { TransactionGenerator } from "./txGenerator.js";
import { skewVerdict, type SkewVerdict } from "./skewVerdict.js";
import { deriveBatches } from "../src/sdk/deriveBatches.js";
import type { VerificationKey } from "../src/sdk/verifyBatch.js";
import { InvalidArgumentError } from "../src/errors.js";

const fmtS = (ms: number | null) => (ms === null ? "n/a" : `${(ms / 1000).toFixed(1)} s`);

const BIN = fileURLToPath(new URL("../bin/zkseq.mjs", import.meta.url));

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
  /** With `rpc`: the deployer's key (default Hardhat's first dev account). */
  privateKey?: Hex;
  ptau?: string;
  /** Scenario: kill this member (kill -9) once the first batch is finalized. */
  crashMember?: number;
  /** Scenario: this member records the transactions whose txHash is odd `skewMs` late (times that would reorder them if the median did not hold). */
  skewMember?: number;
  skewMs?: number;
  /** Scenario: the sequencer ignores one transaction; the user forces it in through the inbox. */
  censor?: boolean;
  /** Where state goes (default a fresh temp dir). */
  dir?: string;
  /** Progress lines (default stderr). */
  print?: (line: string) => void;
  /** Components' structured logs (default: warnings to stderr). */
  logger?: PinoLogger;
}

/** What a running devnet exposes (for tests and tools). */
export interface Devnet {
  rpc: string;
  deployment: Deployment;
  inbox: InboxClient;
  committee: Committee;
  sequencerUrl: string;
  proverUrl: string;
  memberUrls: string[];
  lightClient: LightClient;
  /** Batches the light client checked, and what it found wrong. */
  checked: CheckedBatch[];
  problems: LightClientProblem[];
  progress: BatchProgress[];
  /** Resolves when every generated transaction is in a finalized batch (or the duration ran out). */
  done: Promise<DevnetSummary>;
  /** The transactions the generator sent so far (txHash), in order. */
  sent: readonly bigint[];
  /** The censored transaction, if that scenario runs. */
  censoredTx?: bigint;
  killMember(index: number): void;
  /** Stops the sequencer (mid-batch, whatever it is doing) and starts a new one on its database. */
  restartSequencer(): Promise<void>;
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
  /** Numbers re-proposed in a new round. */
  roundChanges: number;
  meanCutToFinalMs: number;
  /** From the sequencer accepting a transaction to the devnet seeing its batch final on L1 (null if none landed). */
  p50ArrivalToFinalMs: number | null;
  p95ArrivalToFinalMs: number | null;
  censoredTxBatch?: bigint;
  /** Skew scenario: each batch the skewed member signed, checked against its honest signers. */
  skew?: SkewVerdict[];
  timedOut: boolean;
  /** Why the run failed (a transaction lost or landed twice, a light-client problem, an honest order broken); empty when it passed. */
  failures: string[];
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

/**
 * Starts a whole zkseq network on loopback: an in-process Hardhat chain (or
 * `rpc`), the contracts, `members` member processes (`zkseq member`), the
 * proving service, the sequencer, a light client and a transaction generator,
 * and prints each batch as it is cut, signed, proven and finalized.
 */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const print = options.print ?? ((l: string) => process.stderr.write(l + "\n"));
  const logger = options.logger ?? pino({ level: "warn" }, pino.destination(2));
  const buildId = options.build ?? "dev";
  const build = getBatchBuild(buildId);
  const { D, Q, B } = build.params;
  const n = options.members ?? Math.min(2 ** D, Q + 1);
  if (n < Q || n > 2 ** D) throw new InvalidArgumentError(`build '${buildId}' needs between ${Q} and ${2 ** D} members, got ${n}`);
  for (const [flag, i] of [["--crash-member", options.crashMember], ["--skew-member", options.skewMember]] as const) {
    if (i !== undefined && !(Number.isSafeInteger(i) && i >= 0 && i < n)) throw new InvalidArgumentError(`${flag} ${i}: there is no member ${i} (the devnet has ${n} members, 0 to ${n - 1})`);
  }
  if (options.crashMember !== undefined && n - 1 < Q) throw new InvalidArgumentError(`--crash-member needs more than ${Q} members (build '${buildId}' needs ${Q} signers), got ${n}`);
  if (options.skewMember !== undefined && (options.skewMs ?? 3000) <= 0) throw new InvalidArgumentError(`--skew-ms must be positive with --skew-member`);
  const blockTimeMs = options.blockTimeMs ?? 1000;
  if (!Number.isSafeInteger(blockTimeMs) || blockTimeMs <= 0) throw new InvalidArgumentError(`--block-time must be a positive number of milliseconds, got ${blockTimeMs}`);
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "zkseq-devnet-")));
  const ptau = options.ptau ?? process.env.ZKSEQ_PTAU;
  const buildLog: Logger = { info: (m) => print(`  ${m}`), warn: (m) => print(`  WARNING: ${m}`) };
  const cleanups: (() => Promise<void> | void)[] = [];

  print(`zkseq devnet: ${n} members, build '${buildId}' (Q=${Q}, B=${B}), state in ${dir}`);
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
    print(`  chain ${rpc} is yours: it must mine blocks on its own (the inbox takes its clock from them)`);
  } else {
    // like an L1: a block on a timer, transactions wait for it, and block.timestamp keeps up with time
    await hre.network.provider.send("evm_setAutomine", [false]);
    await hre.network.provider.send("evm_setIntervalMining", [blockTimeMs]);
    cleanups.push(() => hre.network.provider.send("evm_setIntervalMining", [0]));
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

  print(`[4/6] ${n} member processes`);
  const children: (ChildProcess | undefined)[] = [];
  const memberUrls = await Promise.all(
    keys.map(async (key, i) => {
      const keystore = join(dir, `member-${i}.keystore.json`);
      await writeKeystore(keystore, key, password);
      const args = [
        BIN, "member", "--keystore", keystore, "--build", buildId, "--inbox", deployment.inbox,
        "--rpc", rpc!, "--db", join(dir, `member-${i}.db`), "--port", "0", "--log-level", "info",
        ...(options.skewMember === i ? ["--skew-ms", String(options.skewMs ?? 3000)] : []),
      ];
      const child = spawn(process.execPath, args, { env: { ...process.env, ZKSEQ_KEYSTORE_PASSWORD: password }, stdio: ["ignore", "pipe", "inherit"] });
      children[i] = child;
      return new Promise<string>((resolve, reject) => {
        child.on("exit", (code) => reject(new Error(`member ${i} exited with ${code}`)));
        createInterface({ input: child.stdout! }).on("line", (line) => {
          try {
            const e = JSON.parse(line) as { msg?: string; address?: string };
            if (e.msg === "member listening" && e.address) resolve(e.address);
          } catch {
            /* not a log line */
          }
        });
      });
    }),
  );
  cleanups.push(() => {
    for (const c of children) c?.kill("SIGTERM");
  });
  memberUrls.forEach((u, i) => print(`  member ${i} at ${u}${options.skewMember === i ? ` (clock +${options.skewMs ?? 3000} ms)` : ""}`));

  print(`[5/6] sequencer and light client`);
  const users = new TransactionGenerator({ chainId: BigInt(await client.getChainId()) });
  const censored = options.censor ? await users.next() : undefined;
  const censoredTx = censored?.txHash;
  const committees = new CommitteeDirectory(inbox, D);
  let sequencer!: Sequencer;
  let sequencerUrl = "";
  const startSequencer = async () => {
    sequencer = new Sequencer({
      build: buildId,
      committees,
      members: memberUrls.map((url, index) => ({ index, url })),
      inbox,
      prover: new ProverClient(proverUrl),
      db: join(dir, "sequencer.db"),
      maxBatchWaitMs: 1500,
      memberTimeoutMs: 5000, // a loaded machine answers slowly; a dead member is refused at once
      ...(censoredTx !== undefined ? { censor: [censoredTx] } : {}),
      logger,
    });
    sequencer.on("batch", onBatch);
    sequencerUrl = await sequencer.app.listen({ port: 0, host: "127.0.0.1" });
    sequencer.start();
  };
  cleanups.push(() => sequencer.app.close());
  const vkey = JSON.parse(await readFile(artifacts.verificationKey, "utf8")) as VerificationKey;
  const genesis = { batchHash: deployment.genesisBatchHash, committeeHash: committee.hash };
  const lightClient = new LightClient({ inbox, verificationKey: vkey, build: buildId, genesis });
  const checked: CheckedBatch[] = [];
  const problems: LightClientProblem[] = [];
  lightClient.on("batch", (b) => {
    checked.push(b);
    print(`  ✔ light client: batch ${b.batchNumber} verified (${b.forcedOnly ? "forced-only" : "proof ok"}, txRoot 0x${b.txRoot.toString(16).slice(0, 10)}…, ${b.txCount} tx)`);
  });
  lightClient.on("problem", (p) => {
    problems.push(p);
    print(`  ✘ light client: batch ${p.batchNumber}: ${p.reason}`);
  });
  const unfollow = lightClient.follow({ pollingInterval: 200 });
  cleanups.push(() => unfollow());

  const progress: BatchProgress[] = [];
  const cutToFinal: number[] = [];
  let roundChanges = 0;
  /** When the sequencer accepted each sent transaction, and when the devnet saw its batch final. */
  const arrivedAt = new Map<bigint, number>();
  const finalAt = new Map<bigint, number>();
  const skewVerdicts: SkewVerdict[] = [];
  let crashed = false;
  const killMember = (i: number) => {
    children[i]?.kill("SIGKILL");
    print(`  ☠ member ${i} killed (kill -9)`);
  };
  const onBatch = (p: BatchProgress) => {
    progress.push(p);
    const what =
      p.stage === "cut" ? `cut: ${p.txCount} tx (${p.forcedCount} forced)` :
      p.stage === "signed" ? `signed by members [${p.signers?.join(", ")}]` :
      p.stage === "proven" ? `proven` :
      p.stage === "finalized" ? `FINALIZED on L1 (${p.detail}); cut → final ${(p.elapsedMs / 1000).toFixed(1)} s` :
      `${p.stage}: ${p.detail ?? ""}`;
    print(`batch ${p.batchNumber}  ${what}${p.stage !== "cut" && p.stage !== "finalized" ? ` (+${(p.elapsedMs / 1000).toFixed(1)} s)` : ""}`);
    if (p.stage === "signed" && options.skewMember !== undefined && p.signers?.includes(options.skewMember)) reportSkew(p.batchNumber);
    if (p.stage === "new-round") roundChanges++;
    if (p.stage === "finalized") {
      cutToFinal.push(p.elapsedMs);
      const now = Date.now();
      for (const h of sequencer.store.batch(p.batchNumber)?.batch.txHashes ?? []) if (!finalAt.has(BigInt(h))) finalAt.set(BigInt(h), now);
      if (options.crashMember !== undefined && !crashed) {
        crashed = true;
        killMember(options.crashMember);
      }
    }
  };
  /** Checks a batch the skewed member signed against its honest signers: the median must keep every order they all agree on. */
  const reportSkew = (batchNumber: bigint) => {
    const rec = sequencer.store.batch(batchNumber);
    if (!rec || options.skewMember === undefined) return;
    const forced = Number(BigInt(rec.batch.header.forcedTo) - BigInt(rec.batch.header.forcedFrom));
    const v = skewVerdict(batchNumber, options.skewMember, forced, rec.batch.txHashes.map(BigInt), rec.batch.reports);
    skewVerdicts.push(v);
    print(
      `  ⏱ batch ${batchNumber}: member ${v.skewMember}'s times would reverse ${v.invertedBySkewed} of the ${v.honestPairs} pairs every honest signer saw in one order; ` +
        (v.violations === 0 ? `the median kept all ${v.honestPairs} ✓` : `the batch reverses ${v.violations} of them ✗`),
    );
  };
  await startSequencer();
  print(`  sequencer at ${sequencerUrl}`);

  print(`[6/6] transaction generator: ${options.txs ?? 40} tx at ${options.rate ?? 4}/s${censoredTx !== undefined ? "; one of them censored by the sequencer" : ""}`);
  const txsTotal = options.txs ?? 40;
  let stopped = false;
  const sent: bigint[] = [];
  const gen = (async () => {
    for (let i = 0; i < txsTotal && !stopped; i++) {
      const tx = i === Math.floor(txsTotal / 3) && censored !== undefined ? censored : await users.next();
      const h = tx.txHash;
      sent.push(h);
      // like a wallet: resend until the sequencer accepts it (it may be restarting); resending is idempotent (keyed by txHash)
      for (let attempt = 1; !stopped; attempt++) {
        try {
          await requestJson("sequencer", `${sequencerUrl}/txs`, { body: { txs: [tx.raw] } });
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
      if (h === censoredTx) {
        print(`  ⚠ tx ${tx.ethHash.slice(0, 14)}… ignored by the sequencer; the user forces it in through the inbox`);
        await inbox.forceInclude(tx.raw);
      }
      await new Promise((r) => setTimeout(r, 1000 / (options.rate ?? 4)));
    }
  })();

  const done = (async (): Promise<DevnetSummary> => {
    await gen;
    const deadline = Date.now() + (options.durationS ?? 180) * 1000;
    const landed = async () => {
      let count = 0;
      let censoredBatch: bigint | undefined;
      for (const h of sent) {
        const r = await requestJson<{ batchNumber: string | null }>("sequencer", `${sequencerUrl}/txs/0x${h.toString(16)}`).catch(() => ({ batchNumber: null }));
        if (r.batchNumber !== null) {
          count++;
          if (h === censoredTx) censoredBatch = BigInt(r.batchNumber);
        }
      }
      return { count, censoredBatch };
    };
    let state = await landed();
    while (!stopped && state.count < sent.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      state = await landed();
    }
    await lightClient.sync();
    // the verdict comes from L1 alone: every finalized batch derived and verified, each sent transaction counted
    const onL1 = new Map<bigint, number>();
    let finalized = 0;
    for await (const b of deriveBatches({ inbox, verificationKey: vkey, build: buildId, genesis })) {
      finalized++;
      for (const t of b.transactions) onL1.set(t.txHash, (onL1.get(t.txHash) ?? 0) + 1);
    }
    const txsLanded = sent.filter((h) => (onL1.get(h) ?? 0) > 0).length;
    const txsLandedTwice = sent.filter((h) => (onL1.get(h) ?? 0) > 1).length;
    const latencies = sent.flatMap((h) => (arrivedAt.has(h) && finalAt.has(h) && onL1.has(h) ? [finalAt.get(h)! - arrivedAt.get(h)!] : []));
    const failures = [
      ...(txsLanded < sent.length ? [`${sent.length - txsLanded} of ${sent.length} sent transactions did not land`] : []),
      ...(txsLandedTwice > 0 ? [`${txsLandedTwice} transactions landed more than once`] : []),
      ...(problems.length > 0 ? [`the light client found ${problems.length} problems`] : []),
      ...skewVerdicts.filter((v) => v.violations > 0).map((v) => `batch ${v.batchNumber} reverses ${v.violations} pairs every honest signer saw in one order`),
    ];
    const summary: DevnetSummary = {
      rpc: rpc!,
      inbox: deployment.inbox,
      finalized,
      txsLanded,
      txsSent: sent.length,
      txsLandedTwice,
      roundChanges,
      meanCutToFinalMs: cutToFinal.length ? cutToFinal.reduce((a, b) => a + b, 0) / cutToFinal.length : 0,
      p50ArrivalToFinalMs: percentile(latencies, 50),
      p95ArrivalToFinalMs: percentile(latencies, 95),
      ...(state.censoredBatch !== undefined ? { censoredTxBatch: state.censoredBatch } : {}),
      ...(options.skewMember !== undefined ? { skew: skewVerdicts } : {}),
      timedOut: state.count < sent.length,
      failures,
    };
    print(
      `done: ${summary.finalized} batches finalized, ${summary.txsLanded}/${summary.txsSent} tx landed, mean cut → L1 finality ${(summary.meanCutToFinalMs / 1000).toFixed(1)} s, ` +
        `light client checked ${checked.length} batches, ${problems.length} problems` +
        (summary.censoredTxBatch !== undefined ? `; the censored tx landed through the forced queue in batch ${summary.censoredTxBatch}` : ""),
    );
    print(
      `  L1: ${summary.txsLanded}/${summary.txsSent} sent tx in finalized batches, ${summary.txsLandedTwice} twice; ${summary.roundChanges} round changes; ` +
        `arrival → L1 finality p50 ${fmtS(summary.p50ArrivalToFinalMs)}, p95 ${fmtS(summary.p95ArrivalToFinalMs)}`,
    );
    for (const f of failures) print(`  ✘ ${f}`);
    return summary;
  })();

  return {
    rpc,
    deployment,
    inbox,
    committee,
    get sequencerUrl() {
      return sequencerUrl;
    },
    proverUrl,
    memberUrls,
    lightClient,
    checked,
    problems,
    progress,
    sent,
    done,
    ...(censoredTx !== undefined ? { censoredTx } : {}),
    killMember,
    async restartSequencer() {
      await sequencer.app.close();
      print(`  ↻ sequencer stopped; starting it again on the same database`);
      await startSequencer();
    },
    async stop() {
      stopped = true;
      await gen;
      for (const c of cleanups.reverse()) await c();
    },
  };
}
