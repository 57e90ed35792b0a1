import type { Address, Hex, PublicClient, WalletClient } from "viem";
import { poseidonContract } from "circomlibjs";
import { getBatchBuild } from "../builds.js";
import type { Committee } from "../committee.js";
import { InvalidArgumentError } from "../errors.js";
import { poseidon } from "../poseidon.js";
import { batchInboxAbi, poseidon2Abi, poseidon3Abi } from "./abi.js";
import { readContractArtifact } from "./artifacts.js";
import { InboxClient } from "./inboxClient.js";
import { verifierContractName } from "./verifierSources.js";

/** The inbox's tunable parameters (the build fixes committeeDepth and maxForcedPerBatch). */
export interface InboxParams {
  /** Seconds after which a forced entry must be in the next batch (default 3600). */
  forceDelay: bigint;
  /** Seconds without a finalized batch before the escape hatch opens (default 86400). */
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
  /** Wei a member must bond to be in a registered committee (default 10^18). */
  minBond: bigint;
}

export const DEFAULT_INBOX_PARAMS: InboxParams = {
  forceDelay: 3600n,
  maxStall: 86_400n,
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
  poseidon2: Address;
  poseidon3: Address;
  build: string;
  params: InboxParams;
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
 * and 3 inputs), the build's Batch and Equivocation verifiers (compiled by
 * `npm run build:contracts`), and the BatchInbox with `genesisCommittee` as its
 * first committee.
 *
 * @example
 * const { deployment, inbox } = await deployInbox({ wallet, client, build: "dev", genesisCommittee: committee })
 * await inbox.forceInclude(txHash)
 */
export async function deployInbox(opts: {
  wallet: WalletClient;
  client: PublicClient;
  build: string;
  genesisCommittee: Committee | bigint;
  /** What batch 1 takes as prevBatchHash (default Poseidon(chainId, genesisCommitteeHash)). */
  genesisBatchHash?: bigint;
  params?: Partial<InboxParams>;
}): Promise<{ deployment: Deployment; inbox: InboxClient }> {
  const build = getBatchBuild(opts.build);
  const { wallet, client } = opts;
  const account = wallet.account;
  if (!account) throw new InvalidArgumentError("the wallet client needs an account");
  const chain = wallet.chain ?? null;
  const params = { ...DEFAULT_INBOX_PARAMS, ...opts.params };
  const genesis = typeof opts.genesisCommittee === "bigint" ? opts.genesisCommittee : opts.genesisCommittee.hash;
  const genesisBatchHash = opts.genesisBatchHash ?? poseidon([BigInt(await client.getChainId()), genesis]);
  if (typeof opts.genesisCommittee !== "bigint" && opts.genesisCommittee.depth !== build.params.D) {
    throw new InvalidArgumentError(`build '${build.id}' has committees of depth ${build.params.D}, the genesis committee has depth ${opts.genesisCommittee.depth}`);
  }

  const batchVerifierArt = await readContractArtifact(`verifiers/${verifierContractName(build.id)}.sol/${verifierContractName(build.id)}`, build.id);
  const eqName = verifierContractName(`equivocation-${build.id}`);
  const eqVerifierArt = await readContractArtifact(`verifiers/${eqName}.sol/${eqName}`, build.id);
  const inboxArt = await readContractArtifact("BatchInbox.sol/BatchInbox", build.id);

  const p2 = await deployed(client, await wallet.deployContract({ abi: poseidon2Abi, bytecode: poseidonContract.createCode(2) as Hex, account, chain }));
  const p3 = await deployed(client, await wallet.deployContract({ abi: poseidon3Abi, bytecode: poseidonContract.createCode(3) as Hex, account, chain }));
  const bv = await deployed(client, await wallet.deployContract({ abi: batchVerifierArt.abi, bytecode: batchVerifierArt.bytecode, account, chain }));
  const ev = await deployed(client, await wallet.deployContract({ abi: eqVerifierArt.abi, bytecode: eqVerifierArt.bytecode, account, chain }));
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
          poseidon2: p2.address,
          poseidon3: p3.address,
          committeeDepth: build.params.D,
          maxForcedPerBatch: build.params.F,
          forceDelay: params.forceDelay,
          maxStall: params.maxStall,
          exitDelay: params.exitDelay,
          maxTimeDriftMs: params.maxTimeDriftMs,
          maxEscapeEntries: params.maxEscapeEntries,
          reporterRewardBps: params.reporterRewardBps,
          forceFee: params.forceFee,
          minBond: params.minBond,
        },
        genesis,
        genesisBatchHash,
      ],
    }),
  );
  const deployment: Deployment = {
    inbox: inbox.address,
    batchVerifier: bv.address,
    equivocationVerifier: ev.address,
    poseidon2: p2.address,
    poseidon3: p3.address,
    build: build.id,
    params,
    genesisBatchHash,
    blockNumber: inbox.blockNumber,
  };
  return { deployment, inbox: new InboxClient({ address: inbox.address, client, wallet, fromBlock: inbox.blockNumber }) };
}
