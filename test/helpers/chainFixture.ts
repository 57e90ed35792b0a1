/** The contracts on Hardhat's in-process network, deployed for the `dev` build, and real proofs of batches for them. */
import * as snarkjs from "snarkjs";
import type { Address, PublicClient, TestClient, WalletClient } from "viem";
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
import type { MemberKey } from "../../src/keys.js";
import { randomTxHash, rng } from "./fixtures.js";
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

export async function setUpChain(params: Partial<InboxParams>, genesis: Committee, build = "dev", compileBuilds: string[] = [build]): Promise<ChainFixture> {
  const ptau = process.env.ZKSEQ_PTAU;
  const { hre } = await compileContracts(compileBuilds, { logger, ...(ptau ? { ptau } : {}) });
  const [wallet, other, reporter] = await hre.viem.getWalletClients();
  const client = await hre.viem.getPublicClient();
  const testClient = await hre.viem.getTestClient();
  const { deployment, inbox } = await deployInbox({ wallet: wallet as unknown as WalletClient, client: client as unknown as PublicClient, build, genesisCommittee: genesis, params });
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

/** A signed, proven batch for the chain: candidates received shortly after timeBase by each signer. */
export async function proveChainBatch(
  artifacts: CircuitArtifacts,
  opts: {
    committee: Committee;
    keys: readonly MemberKey[];
    signers: number[];
    inbox: Address;
    batchNumber: bigint;
    prevBatchHash: bigint;
    forced: { from: bigint; accFrom: bigint; txHashes: bigint[] };
    nextCommitteeHash?: bigint;
    timeBase: bigint;
    txs: number;
    seed: number;
  },
): Promise<{ header: BatchHeader; txHashes: bigint[]; proof: SnarkjsProof; publicSignals: string[] }> {
  const r = rng(opts.seed);
  const candidates = Array.from({ length: opts.txs }, () => randomTxHash(r));
  const receivedAt = opts.signers.map(() => new Map(candidates.map((h) => [h, Number(opts.timeBase) + Math.floor(r() * 2000)] as const)));
  const p = proposeBatch({
    build: artifacts.build.id,
    chainId: 31337n,
    inbox: BigInt(opts.inbox),
    batchNumber: opts.batchNumber,
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
  const { input } = buildWitnessInput({ build: artifacts.build.id, header: p.header, committee: opts.committee, txHashes: p.txHashes, reports });
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, artifacts.wasm, artifacts.zkey);
  await releaseCurves();
  return { header: p.header, txHashes: p.txHashes, proof, publicSignals };
}
