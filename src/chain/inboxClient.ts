import {
  BaseError,
  ContractFunctionRevertedError,
  type Address,
  type Hash,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
  type Log,
  parseEventLogs,
  decodeErrorResult,
  type Hex,
} from "viem";
import type { Committee } from "../committee.js";
import type { PublicKey } from "../keys.js";
import { InboxRevertError, InvalidArgumentError } from "../errors.js";
import { batchInboxAbi } from "./abi.js";
import {
  equivocationFromPublicSignals,
  packedHeaderFromPublicSignals,
  proofToSolidity,
  type SnarkjsProof,
} from "./solidity.js";

/** The inbox's head. */
export interface InboxState {
  headBatchHash: bigint;
  nextBatchNumber: bigint;
  committeeHash: bigint;
  lastTimeBase: bigint;
  lastFinalizedAt: bigint;
  forcedConsumed: bigint;
  forcedQueueLength: bigint;
}

/** A BatchFinalized event. */
export interface FinalizedBatch {
  batchNumber: bigint;
  batchHash: bigint;
  txRoot: bigint;
  txCount: bigint;
  forcedFrom: bigint;
  forcedTo: bigint;
  forcedOnly: boolean;
  blockNumber: bigint;
  transactionHash: Hash;
}

/** A ForceIncluded event. */
export interface ForcedEntryEvent {
  index: bigint;
  txHash: bigint;
  accumulator: bigint;
  queuedAt: bigint;
  sender: Address;
}

/** A mined transaction and its gas. */
export interface Sent {
  hash: Hash;
  receipt: TransactionReceipt;
  gasUsed: bigint;
}

/**
 * A typed viem client of one BatchInbox. Writes are simulated first, so a
 * revert surfaces as InboxRevertError naming the contract's custom error
 * before any gas is spent.
 *
 * @example
 * const inbox = new InboxClient({ address, client, wallet })
 * await inbox.submitBatch(proof, publicSignals)
 * inbox.watchBatchFinalized((b) => console.log(b.batchNumber, b.batchHash))
 */
export class InboxClient {
  readonly address: Address;
  readonly client: PublicClient;
  readonly wallet: WalletClient | undefined;
  /** Where event scans start (the deployment block). */
  readonly fromBlock: bigint;

  constructor(opts: { address: Address; client: PublicClient; wallet?: WalletClient; fromBlock?: bigint }) {
    this.address = opts.address;
    this.client = opts.client;
    this.wallet = opts.wallet;
    this.fromBlock = opts.fromBlock ?? 0n;
  }

  /** The head of the batch chain and the forced queue's position. */
  async state(): Promise<InboxState> {
    const [s, len] = await Promise.all([
      this.client.readContract({ address: this.address, abi: batchInboxAbi, functionName: "state" }),
      this.client.readContract({ address: this.address, abi: batchInboxAbi, functionName: "forcedQueueLength" }),
    ]);
    const [headBatchHash, nextBatchNumber, committeeHash, lastTimeBase, lastFinalizedAt, forcedConsumed] = s;
    return {
      headBatchHash,
      nextBatchNumber: BigInt(nextBatchNumber),
      committeeHash,
      lastTimeBase: BigInt(lastTimeBase),
      lastFinalizedAt: BigInt(lastFinalizedAt),
      forcedConsumed: BigInt(forcedConsumed),
      forcedQueueLength: BigInt(len),
    };
  }

  /** Seconds after which a forced entry must be in the next batch. */
  async forceDelay(): Promise<bigint> {
    return BigInt(await this.client.readContract({ address: this.address, abi: batchInboxAbi, functionName: "forceDelay" }));
  }

  /** The forced queue's accumulator after its first `index` entries. */
  async forcedAccAt(index: bigint): Promise<bigint> {
    return this.client.readContract({ address: this.address, abi: batchInboxAbi, functionName: "forcedAcc", args: [index] });
  }

  /** Finalizes a batch with its Batch proof (snarkjs form) and public signals. */
  submitBatch(proof: SnarkjsProof, publicSignals: readonly (string | bigint)[]): Promise<Sent> {
    return this.write("submitBatch", [packedHeaderFromPublicSignals(publicSignals), proofToSolidity(proof)]);
  }

  /** The escape hatch: finalizes overdue forced entries once the committee has stalled. */
  finalizeForcedBatch(): Promise<Sent> {
    return this.write("finalizeForcedBatch", []);
  }

  /** Queues a transaction hash for forced inclusion, paying the fee (default: the inbox's forceFee). */
  async forceInclude(txHash: bigint, value?: bigint): Promise<Sent & { index: bigint }> {
    const fee = value ?? (await this.client.readContract({ address: this.address, abi: batchInboxAbi, functionName: "forceFee" }));
    const sent = await this.write("forceInclude", [txHash], fee);
    const [event] = parseEventLogs({ abi: batchInboxAbi, logs: sent.receipt.logs, eventName: "ForceIncluded" });
    return { ...sent, index: BigInt(event!.args.index) };
  }

  /** Registers a committee (every member bonded) so a batch may hand over to it. */
  registerCommittee(committee: Committee): Promise<Sent> {
    return this.registerMembers(committee.members, committee.thresholdWeight, committee.epoch);
  }

  /** registerCommittee from its parts, unchecked here (the contract checks them). */
  registerMembers(members: readonly { publicKey: PublicKey; weight: bigint }[], thresholdWeight: bigint, epoch: bigint): Promise<Sent> {
    for (const m of members) if (m.weight >= 1n << 64n) throw new InvalidArgumentError("member weights are u64");
    if (thresholdWeight >= 1n << 64n || epoch >= 1n << 64n) throw new InvalidArgumentError("threshold and epoch are u64");
    return this.write("registerCommittee", [members.map((m) => ({ Ax: m.publicKey[0], Ay: m.publicKey[1], weight: m.weight })), thresholdWeight, epoch]);
  }

  /** The inbox's id of a member key: keccak256(abi.encode(Ax, Ay)). */
  memberId(publicKey: PublicKey): Promise<`0x${string}`> {
    return this.client.readContract({ address: this.address, abi: batchInboxAbi, functionName: "memberId", args: [publicKey[0], publicKey[1]] });
  }

  async bondOf(publicKey: PublicKey): Promise<{ owner: Address; exitAt: bigint; slashed: boolean; amount: bigint }> {
    const b = await this.client.readContract({ address: this.address, abi: batchInboxAbi, functionName: "bondOf", args: [await this.memberId(publicKey)] });
    return { owner: b.owner, exitAt: BigInt(b.exitAt), slashed: b.slashed, amount: b.amount };
  }

  bond(publicKey: PublicKey, value: bigint): Promise<Sent> {
    return this.write("bond", [publicKey[0], publicKey[1]], value);
  }

  async requestUnbond(publicKey: PublicKey): Promise<Sent> {
    return this.write("requestUnbond", [await this.memberId(publicKey)]);
  }

  async withdrawBond(publicKey: PublicKey): Promise<Sent> {
    return this.write("withdrawBond", [await this.memberId(publicKey)]);
  }

  /** Slashes an equivocating member with an Equivocation proof (snarkjs form) and its public signals. */
  slash(proof: SnarkjsProof, publicSignals: readonly (string | bigint)[]): Promise<Sent> {
    return this.write("slash", [equivocationFromPublicSignals(publicSignals), proofToSolidity(proof)]);
  }

  /** Every BatchFinalized since the deployment (or `fromBlock`), in order. */
  async finalizedBatches(fromBlock = this.fromBlock): Promise<FinalizedBatch[]> {
    const logs = await this.client.getContractEvents({ address: this.address, abi: batchInboxAbi, eventName: "BatchFinalized", fromBlock, toBlock: "latest" });
    return logs.map(toFinalizedBatch);
  }

  /** Every ForceIncluded since the deployment (or `fromBlock`), in queue order. */
  async forcedEntries(fromBlock = this.fromBlock): Promise<ForcedEntryEvent[]> {
    const logs = await this.client.getContractEvents({ address: this.address, abi: batchInboxAbi, eventName: "ForceIncluded", fromBlock, toBlock: "latest" });
    return logs.map(toForcedEntry);
  }

  /** Calls `onBatch` for each new BatchFinalized; returns the function that stops watching. */
  watchBatchFinalized(onBatch: (batch: FinalizedBatch) => void, opts: { pollingInterval?: number; onError?: (e: Error) => void } = {}): () => void {
    return this.client.watchContractEvent({
      address: this.address,
      abi: batchInboxAbi,
      eventName: "BatchFinalized",
      ...(opts.pollingInterval ? { pollingInterval: opts.pollingInterval } : {}),
      ...(opts.onError ? { onError: opts.onError } : {}),
      onLogs: (logs) => logs.forEach((l) => onBatch(toFinalizedBatch(l))),
    });
  }

  /** Calls `onEntry` for each new ForceIncluded; returns the function that stops watching. */
  watchForceIncluded(onEntry: (entry: ForcedEntryEvent) => void, opts: { pollingInterval?: number } = {}): () => void {
    return this.client.watchContractEvent({
      address: this.address,
      abi: batchInboxAbi,
      eventName: "ForceIncluded",
      ...(opts.pollingInterval ? { pollingInterval: opts.pollingInterval } : {}),
      onLogs: (logs) => logs.forEach((l) => onEntry(toForcedEntry(l))),
    });
  }

  private async write(functionName: string, args: readonly unknown[], value?: bigint): Promise<Sent> {
    const wallet = this.wallet;
    if (!wallet?.account) throw new InvalidArgumentError("this InboxClient has no wallet with an account: it can only read");
    let request;
    try {
      ({ request } = await this.client.simulateContract({
        address: this.address,
        abi: batchInboxAbi,
        functionName: functionName as never,
        args: args as never,
        account: wallet.account,
        ...(value !== undefined ? { value } : {}),
      } as never));
    } catch (e) {
      throw decodeRevert(e);
    }
    const hash = await wallet.writeContract(request as never);
    const receipt = await this.client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new InboxRevertError("reverted", [hash]);
    return { hash, receipt, gasUsed: receipt.gasUsed };
  }
}

function toFinalizedBatch(l: Log & { args: Record<string, unknown> }): FinalizedBatch {
  const a = l.args as Record<keyof Omit<FinalizedBatch, "blockNumber" | "transactionHash">, never>;
  return {
    batchNumber: BigInt(a.batchNumber),
    batchHash: a.batchHash,
    txRoot: a.txRoot,
    txCount: BigInt(a.txCount),
    forcedFrom: BigInt(a.forcedFrom),
    forcedTo: BigInt(a.forcedTo),
    forcedOnly: a.forcedOnly,
    blockNumber: l.blockNumber!,
    transactionHash: l.transactionHash!,
  };
}

function toForcedEntry(l: { args: Record<string, unknown> }): ForcedEntryEvent {
  const a = l.args as Record<keyof ForcedEntryEvent, never>;
  return { index: BigInt(a.index), txHash: a.txHash, accumulator: a.accumulator, queuedAt: BigInt(a.queuedAt), sender: a.sender };
}

/** A viem error from a reverted call, as InboxRevertError with the contract's custom error name and arguments. */
export function decodeRevert(e: unknown): unknown {
  if (e instanceof BaseError) {
    const revert = e.walk((x) => x instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError && revert.data?.errorName) {
      return new InboxRevertError(revert.data.errorName, (revert.data.args ?? []) as readonly unknown[], e);
    }
  }
  // Some providers (Hardhat's in-process network) put the revert data on an inner error instead.
  for (let c: unknown = e, depth = 0; c && depth < 10; c = (c as { cause?: unknown }).cause, depth++) {
    const data = (c as { data?: unknown }).data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8}/.test(data)) {
      try {
        const decoded = decodeErrorResult({ abi: batchInboxAbi, data: data as Hex });
        return new InboxRevertError(decoded.errorName, (decoded.args ?? []) as readonly unknown[], e);
      } catch {
        /* not one of the inbox's errors */
      }
    }
  }
  return e;
}
