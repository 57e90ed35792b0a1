import type { Address, Hex, PublicClient, WalletClient } from "viem";
import { poseidonContract } from "circomlibjs";
import type { BuildOptions } from "../build/buildCircuit.js";
import { equivocationBuildFor, getBatchBuild, getKeyOwnershipBuild } from "../builds.js";
import type { Committee } from "../committee.js";
import { genesisCommitteeOf } from "../election.js";
import type { PublicKey } from "../keys.js";
import { InvalidArgumentError } from "../errors.js";
import { poseidon } from "../poseidon.js";
import { batchInboxAbi, poseidon2Abi, poseidon3Abi } from "./abi.js";
import { readContractArtifact, readVerifierArtifact } from "./artifacts.js";
import { InboxClient } from "./inboxClient.js";

/** The inbox's tunable parameters (the build fixes committeeDepth, signerCount and maxForcedPerBatch). */
export interface InboxParams {
  /** Batches a committee serves before anyone may schedule the next (default 100). */
  epochLength: bigint;
  /** Bonded keys competing for seats at most; the lowest stake is evicted for a higher one (default 64). */
  maxCandidates: number;
  /** Bytes of one raw transaction at most (default 4096). */
  maxTxBytes: number;
  /** Bytes of a batch's raw transactions together at most (default 128 KiB). */
  maxBatchBytes: number;
  /** Seconds after which a forced entry must be in the next batch (default 300: with a live committee a forced transaction lands within 5 minutes). */
  forceDelay: bigint;
  /** Seconds without a committee batch before the escape hatch opens; it stays open until the committee's next batch (default 1800). */
  maxStall: bigint;
  /** Seconds between an unbond request and the withdrawal (default 7 days). */
  exitDelay: bigint;
  /** Milliseconds timeBase may run ahead of the block timestamp (default 30000: L1 block times lag the wall clock). */
  maxTimeDriftMs: bigint;
  /** Forced entries one escape-hatch call finalizes at most (default 64). */
  maxEscapeEntries: number;
  /** Share of a slashed bond paid to the reporter, in basis points (default 5000). */
  reporterRewardBps: number;
  /** Wei per forceInclude (default 10^15). */
  forceFee: bigint;
  /** Wei a key must bond to be a candidate for a seat (default 10^18). */
  minBond: bigint;
}

export const DEFAULT_INBOX_PARAMS: InboxParams = {
  epochLength: 100n,
  maxCandidates: 64,
  maxTxBytes: 4096,
  maxBatchBytes: 128 * 1024,
  forceDelay: 300n,
  maxStall: 1800n,
  exitDelay: 7n * 86_400n,
  maxTimeDriftMs: 30_000n,
  maxEscapeEntries: 64,
  reporterRewardBps: 5000,
  forceFee: 10n ** 15n,
  minBond: 10n ** 18n,
};

/** Where everything was deployed. */
export interface Deployment {
  inbox: Address;
  batchVerifier: Address;
  equivocationVerifier: Address;
  keyOwnershipVerifier: Address;
  poseidon2: Address;
  poseidon3: Address;
  build: string;
  params: InboxParams;
  /** Epoch 0's committee as the inbox elected it (leaves in memberId order, weight 1). */
  genesisCommittee: Committee;
  genesisBatchHash: bigint;
  blockNumber: bigint;
}

async function deployed(client: PublicClient, hash: Hex): Promise<{ address: Address; blockNumber: bigint }> {
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress || receipt.status !== "success") throw new InvalidArgumentError(`deployment ${hash} failed`);
  return { address: receipt.contractAddress, blockNumber: receipt.blockNumber };
}

/**
 * Deploys zkseq's contracts for a build: circomlibjs's Poseidon contracts (2
 * and 3 inputs), the build's Batch and Equivocation verifiers and the
 * KeyOwnership verifier (Hardhat's, compiled by `npm run build:contracts` in a
 * checkout; else compiled on demand with solc-js from the keys buildCircuit
 * sets up or finds with `buildOptions`, see readVerifierArtifact), and the
 * BatchInbox, which elects epoch 0's committee from `genesisMembers` (the
 * deployer trusts them; they need no bond): weight 1 each, leaves in memberId
 * order, threshold floor(2n/3) + 1. `deployment.genesisCommittee` is that committee.
 *
 * @example
 * const { deployment, inbox } = await deployInbox({ wallet, client, build: "dev", genesisMembers: keys.map((k) => k.publicKey) })
 * await inbox.forceInclude("0x02f8...")
 */
export async function deployInbox(opts: {
  wallet: WalletClient;
  client: PublicClient;
  build: string;
  /** Epoch 0's member keys (between Q and maxMembers of them). */
  genesisMembers?: readonly PublicKey[];
  /** Instead of genesisMembers: a committee that must be exactly the one the inbox elects from its keys (else InvalidArgumentError). */
  genesisCommittee?: Committee;
  /** What batch 1 takes as prevBatchHash (default Poseidon(chainId, genesisCommitteeHash)). */
  genesisBatchHash?: bigint;
  params?: Partial<InboxParams>;
  /** Where the verifiers' keys come from when they are compiled on demand (no Hardhat artifacts): the ptau and build cache of buildCircuit. */
  buildOptions?: BuildOptions;
}): Promise<{ deployment: Deployment; inbox: InboxClient }> {
  const build = getBatchBuild(opts.build);
  const { wallet, client } = opts;
  const account = wallet.account;
  if (!account) throw new InvalidArgumentError("the wallet client needs an account");
  const chain = wallet.chain ?? null;
  const params = { ...DEFAULT_INBOX_PARAMS, ...opts.params };
  const keys = opts.genesisMembers ?? opts.genesisCommittee?.members.map((m) => m.publicKey);
  if (!keys) throw new InvalidArgumentError("deployInbox needs genesisMembers");
  const genesisCommittee = genesisCommitteeOf(keys, build.params.D, build.params.Q);
  if (opts.genesisCommittee && opts.genesisCommittee.hash !== genesisCommittee.hash) {
    throw new InvalidArgumentError("the genesis committee is not the one the inbox elects from its keys (weight 1 each, memberId order, threshold floor(2n/3) + 1): use genesisCommitteeOf or pass genesisMembers");
  }
  const genesis = genesisCommittee.hash;
  const genesisBatchHash = opts.genesisBatchHash ?? poseidon([BigInt(await client.getChainId()), genesis]);

  const buildOptions = opts.buildOptions ?? {};
  const batchVerifierArt = await readVerifierArtifact(build, buildOptions);
  const eqVerifierArt = await readVerifierArtifact(equivocationBuildFor(build.id), buildOptions);
  const koVerifierArt = await readVerifierArtifact(getKeyOwnershipBuild(), buildOptions);
  const inboxArt = await readContractArtifact("BatchInbox.sol/BatchInbox", build.id);

  const p2 = await deployed(client, await wallet.deployContract({ abi: poseidon2Abi, bytecode: poseidonContract.createCode(2) as Hex, account, chain }));
  const p3 = await deployed(client, await wallet.deployContract({ abi: poseidon3Abi, bytecode: poseidonContract.createCode(3) as Hex, account, chain }));
  const bv = await deployed(client, await wallet.deployContract({ abi: batchVerifierArt.abi, bytecode: batchVerifierArt.bytecode, account, chain }));
  const ev = await deployed(client, await wallet.deployContract({ abi: eqVerifierArt.abi, bytecode: eqVerifierArt.bytecode, account, chain }));
  const kv = await deployed(client, await wallet.deployContract({ abi: koVerifierArt.abi, bytecode: koVerifierArt.bytecode, account, chain }));
  const inbox = await deployed(
    client,
    await wallet.deployContract({
      abi: batchInboxAbi,
      bytecode: inboxArt.bytecode,
      account,
      chain,
      args: [
        {
          batchVerifier: bv.address,
          equivocationVerifier: ev.address,
          keyOwnershipVerifier: kv.address,
          poseidon2: p2.address,
          poseidon3: p3.address,
          committeeDepth: build.params.D,
          signerCount: build.params.Q,
          maxForcedPerBatch: build.params.F,
          maxCandidates: params.maxCandidates,
          maxTxBytes: params.maxTxBytes,
          maxBatchBytes: params.maxBatchBytes,
          epochLength: params.epochLength,
          forceDelay: params.forceDelay,
          maxStall: params.maxStall,
          exitDelay: params.exitDelay,
          maxTimeDriftMs: params.maxTimeDriftMs,
          maxEscapeEntries: params.maxEscapeEntries,
          reporterRewardBps: params.reporterRewardBps,
          forceFee: params.forceFee,
          minBond: params.minBond,
        },
        genesisCommittee.members.map((m) => ({ Ax: m.publicKey[0], Ay: m.publicKey[1] })),
        genesisBatchHash,
      ],
    }),
  );
  const deployment: Deployment = {
    inbox: inbox.address,
    batchVerifier: bv.address,
    equivocationVerifier: ev.address,
    keyOwnershipVerifier: kv.address,
    poseidon2: p2.address,
    poseidon3: p3.address,
    build: build.id,
    params,
    genesisCommittee,
    genesisBatchHash,
    blockNumber: inbox.blockNumber,
  };
  return { deployment, inbox: new InboxClient({ address: inbox.address, client, wallet, fromBlock: inbox.blockNumber }) };
}
