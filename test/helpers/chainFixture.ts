/** The contracts on Hardhat's in-process network, deployed for the `dev` build, and real proofs of batches for them. */
import { ProvingPool, buildFiles } from "../../prover/provingPool.js";
import * as snarkjs from "snarkjs";
import { toHex, type Address, type Hex, type PublicClient, type TestClient, type WalletClient } from "viem";
import { compileContracts } from "../../src/chain/compileContracts.js";
import { deployInbox, type Deployment, type InboxParams } from "../../src/chain/deploy.js";
import type { InboxClient } from "../../src/chain/inboxClient.js";
import { buildCircuit, type CircuitArtifacts } from "../../src/build/buildCircuit.js";
import { releaseCurves } from "../../src/build/curves.js";
import { consoleLogger } from "../../src/logger.js";
import { proposeBatch } from "../../src/batch.js";
import { batchHash, type BatchHeader } from "../../src/header.js";
import { signReport } from "../../src/report.js";
import { buildWitnessInput } from "../../src/witness.js";
import type { Committee } from "../../src/committee.js";
import type { MemberKey, PublicKey } from "../../src/keys.js";
import { txHashOf } from "../../src/txHash.js";
import { rng } from "./fixtures.js";
import type { SnarkjsProof } from "../../src/chain/solidity.js";

const logger = consoleLogger("test-setup");

export interface ChainFixture {
  wallet: WalletClient;
  other: WalletClient;
  reporter: WalletClient;
  client: PublicClient;
  testClient: TestClient;
  deployment: Deployment;
  inbox: InboxClient;
  artifacts: CircuitArtifacts;
}

/** Deploys the inbox with `genesis` as epoch 0's members (the inbox elects their committee: deployment.genesisCommittee). */
export async function setUpChain(params: Partial<InboxParams>, genesis: readonly PublicKey[], build = "dev", compileBuilds: string[] = [build]): Promise<ChainFixture> {
  const ptau = process.env.ZKSEQ_PTAU;
  const { hre } = await compileContracts(compileBuilds, { logger, ...(ptau ? { ptau } : {}) });
  const [wallet, other, reporter] = await hre.viem.getWalletClients();
  const client = await hre.viem.getPublicClient();
  const testClient = await hre.viem.getTestClient();
  const { deployment, inbox } = await deployInbox({ wallet: wallet as unknown as WalletClient, client: client as unknown as PublicClient, build, genesisMembers: genesis, params });
  const artifacts = await buildCircuit(build, { logger, ...(ptau ? { ptau } : {}) });
  return {
    wallet: wallet as unknown as WalletClient,
    other: other as unknown as WalletClient,
    reporter: reporter as unknown as WalletClient,
    client: client as unknown as PublicClient,
    testClient: testClient as unknown as TestClient,
    deployment,
    inbox,
    artifacts,
  };
}

/** The keys in a committee's leaf order (an elected committee orders its leaves by rank, not as the keys were made). */
export function keysInLeafOrder(committee: Committee, keys: readonly MemberKey[]): MemberKey[] {
  const inLeafOrder = new Array<MemberKey>(committee.members.length);
  for (const k of keys) if (committee.has(k.publicKey)) inLeafOrder[committee.indexOf(k.publicKey)] = k;
  for (let i = 0; i < inLeafOrder.length; i++) if (!inLeafOrder[i]) throw new Error(`committee member ${i} has no test key`);
  return inLeafOrder;
}

/** `n` raw transactions of `bytes` bytes each (random content from `seed`). */
export function rawTxs(n: number, seed: number, bytes = 100): Uint8Array[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Uint8Array.from({ length: bytes }, () => Math.floor(r() * 256)));
}

/** A signed, proven batch for the chain. */
export interface ChainBatch {
  header: BatchHeader;
  /** Slot order, forced first. */
  txHashes: bigint[];
  /** The fair-ordered slots' raw bytes in slot order: what submitBatch posts. */
  postedTxs: Hex[];
  proof: SnarkjsProof;
  publicSignals: string[];
}

/** A signed, proven batch for the chain: `txs` raw transactions received shortly after timeBase by each signer. */
export async function proveChainBatch(
  artifacts: CircuitArtifacts,
  opts: {
    committee: Committee;
    /** In leaf order (keysInLeafOrder). */
    keys: readonly MemberKey[];
    signers: number[];
    inbox: Address;
    batchNumber: bigint;
    round?: bigint;
    prevBatchHash: bigint;
    forced: { from: bigint; accFrom: bigint; txHashes: bigint[] };
    nextCommitteeHash?: bigint;
    timeBase: bigint;
    /** Raw transactions, or how many 100-byte ones to make. */
    txs: number | Uint8Array[];
    seed: number;
    /** Who proves: snarkjs in this thread (default), or the proving pool's native backend (its proof checked by the pool before it is returned). */
    backend?: "snarkjs" | "native";
  },
): Promise<ChainBatch> {
  const r = rng(opts.seed);
  const raw = typeof opts.txs === "number" ? rawTxs(opts.txs, opts.seed) : opts.txs;
  const byHash = new Map(raw.map((t) => [txHashOf(t), toHex(t)] as const));
  const candidates = [...byHash.keys()];
  const receivedAt = opts.signers.map(() => new Map(candidates.map((h) => [h, Number(opts.timeBase) + Math.floor(r() * 2000)] as const)));
  const p = proposeBatch({
    build: artifacts.build.id,
    chainId: 31337n,
    inbox: BigInt(opts.inbox),
    batchNumber: opts.batchNumber,
    ...(opts.round !== undefined ? { round: opts.round } : {}),
    prevBatchHash: opts.prevBatchHash,
    committee: opts.committee,
    ...(opts.nextCommitteeHash !== undefined ? { nextCommitteeHash: opts.nextCommitteeHash } : {}),
    forced: opts.forced,
    candidates,
    receivedAt,
    signers: opts.signers,
    timeBase: opts.timeBase,
  });
  const h = batchHash(p.header);
  const reports = opts.signers.map((s, j) => signReport(opts.keys[s]!, s, h, p.times[j]!));
  const { input, publicSignals: expected } = buildWitnessInput({ build: artifacts.build.id, header: p.header, committee: opts.committee, txHashes: p.txHashes, reports });
  let proof: SnarkjsProof;
  let publicSignals: string[];
  if (opts.backend === "native") {
    const pool = new ProvingPool({ workers: 1, backend: "native" });
    try {
      ({ proof, publicSignals } = await pool.prove(buildFiles(artifacts), input));
    } finally {
      await pool.close();
    }
  } else {
    ({ proof, publicSignals } = await snarkjs.groth16.fullProve(input, artifacts.wasm, artifacts.zkey));
    await releaseCurves();
  }
  if (JSON.stringify(publicSignals) !== JSON.stringify(expected)) throw new Error("the circuit's public signals differ from buildWitnessInput's");
  const postedTxs = p.txHashes.slice(p.forcedCount).map((t) => byHash.get(t)!);
  return { header: p.header, txHashes: p.txHashes, postedTxs, proof, publicSignals };
}
