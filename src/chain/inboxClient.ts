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
  decodeFunctionData,
  toHex,
  type Hex,
} from "viem";
import { Committee } from "../committee.js";
import type { PublicKey } from "../keys.js";
import { InboxRevertError, InvalidArgumentError } from "../errors.js";
import { batchInboxAbi } from "./abi.js";
import {
  equivocationFromPublicSignals,
  packedHeaderFromPublicSignals,
  proofToSolidity,
  type PackedBatchHeader,
  type SnarkjsProof,
  type SolidityProof,
} from "./solidity.js";

/** Everything a member checks a header against (BatchInbox.state(), one call). */
export interface InboxState {
  headBatchHash: bigint;
  nextBatchNumber: bigint;
  /** The current committee: it signs the next batch. */
  committeeHash: bigint;
  lastTimeBase: bigint;
  /** When the last committee batch landed (unix seconds; the deployment before batch 1). Forced-only batches leave it alone. */
  lastCommitteeBatchAt: bigint;
  /** lastCommitteeBatchAt + maxStall: from then on the escape hatch is open, until a committee batch lands. */
  escapeOpensAt: bigint;
  /** The escape hatch is open at the latest block: finalizeForcedBatch finalizes whatever forced entries are overdue. */
  escapeOpen: boolean;
  /** Seconds without a committee batch before the escape hatch opens. */
  maxStall: bigint;
  forcedConsumed: bigint;
  forcedQueueLength: bigint;
  /** The current committee's epoch and the first batch it signed. */
  epoch: bigint;
  tookOfficeAt: bigint;
  /** A member of the current committee was slashed: scheduleCommittee is allowed at once. */
  currentUnbacked: boolean;
  /** The scheduled committee (0n: none) and the batch number from which headers must name it as next. */
  pendingCommitteeHash: bigint;
  handoverAt: bigint;
  /** The batch number from which scheduleCommittee is allowed by the epoch length. */
  scheduleAllowedAt: bigint;
  maxTimeDriftMs: bigint;
  forceDelay: bigint;
  maxForcedPerBatch: bigint;
  maxTxBytes: bigint;
  maxBatchBytes: bigint;
  candidateCount: bigint;
}

/** What a header's nextCommitteeHash must be for batch `batchNumber`, given the inbox's state. */
export function expectedNextCommittee(state: InboxState, batchNumber: bigint): bigint {
  return state.pendingCommitteeHash !== 0n && batchNumber >= state.handoverAt ? state.pendingCommitteeHash : state.committeeHash;
}

/** A CommitteeScheduled event: the committee the inbox elected for `epoch`. */
export interface ScheduledCommittee {
  epoch: bigint;
  committeeHash: bigint;
  root: bigint;
  thresholdWeight: bigint;
  /** 0 for genesis. */
  handoverAt: bigint;
  members: PublicKey[];
  blockNumber: bigint;
}

/** A member key's bond. */
export interface BondInfo {
  owner: Address;
  exitAt: bigint;
  slashed: boolean;
  /** 1 + its index in the candidate list (0: not a candidate). */
  candidateSlot: number;
  amount: bigint;
  /** Locked (no unbond) while the current epoch is below this. */
  lockedUntilEpoch: bigint;
  publicKey: PublicKey;
}

/** A submitBatch call decoded from its calldata: the header, the fair-ordered raw transactions and the proof. */
export interface SubmittedBatch {
  header: PackedBatchHeader;
  txs: Hex[];
  proof: SolidityProof;
}

/**
 * Decodes submitBatch calldata (the input of a transaction to the inbox).
 * The raw transactions of a committee batch live only there.
 *
 * @example
 * const { header, txs } = decodeSubmitBatch((await client.getTransaction({ hash })).input)
 */
export function decodeSubmitBatch(data: Hex): SubmittedBatch {
  let decoded;
  try {
    decoded = decodeFunctionData({ abi: batchInboxAbi, data });
  } catch (e) {
    throw new InvalidArgumentError(`not BatchInbox calldata: ${(e as Error).message.split("\n")[0]}`);
  }
  if (decoded.functionName !== "submitBatch") throw new InvalidArgumentError(`not a submitBatch call (${decoded.functionName})`);
  const [header, txs, proof] = decoded.args as unknown as [PackedBatchHeader, readonly Hex[], readonly bigint[]];
  return { header: { ...header }, txs: [...txs], proof: [...proof] as unknown as SolidityProof };
}

const asHex = (tx: Uint8Array | Hex): Hex => (typeof tx === "string" ? tx : toHex(tx));

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
  /** The transaction's bytes (the inbox hashed them into txHash). */
  rawTx: Hex;
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
 * await inbox.submitBatch(proof, publicSignals, rawTxs)
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

  /** Everything a member checks a header against, in one call (the head, the forced queue, the committees, the limits). */
  async state(): Promise<InboxState> {
    const s = await this.client.readContract({ address: this.address, abi: batchInboxAbi, functionName: "state" });
    const n = (v: number | bigint) => BigInt(v);
    return {
      headBatchHash: s.headBatchHash,
      nextBatchNumber: n(s.nextBatchNumber),
      committeeHash: s.committeeHash,
      lastTimeBase: n(s.lastTimeBase),
      lastCommitteeBatchAt: n(s.lastCommitteeBatchAt),
      escapeOpensAt: n(s.escapeOpensAt),
      escapeOpen: s.escapeOpen,
      maxStall: n(s.maxStall),
      forcedConsumed: n(s.forcedConsumed),
      forcedQueueLength: n(s.forcedLength),
      epoch: n(s.epoch),
      tookOfficeAt: n(s.tookOfficeAt),
      currentUnbacked: s.currentUnbacked,
      pendingCommitteeHash: s.pendingCommitteeHash,
      handoverAt: n(s.handoverAt),
      scheduleAllowedAt: n(s.scheduleAllowedAt),
      maxTimeDriftMs: n(s.maxTimeDriftMs),
      forceDelay: n(s.forceDelay),
      maxForcedPerBatch: n(s.maxForcedPerBatch),
      maxTxBytes: n(s.maxTxBytes),
      maxBatchBytes: n(s.maxBatchBytes),
      candidateCount: s.candidateCount,
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

  /**
   * Finalizes a batch with its Batch proof (snarkjs form), its 11 public
   * signals and the raw bytes of its fair-ordered transactions in slot order
   * (not the forced ones: their bytes are already on L1).
   */
  submitBatch(proof: SnarkjsProof, publicSignals: readonly (string | bigint)[], txs: readonly (Uint8Array | Hex)[]): Promise<Sent> {
    return this.write("submitBatch", [packedHeaderFromPublicSignals(publicSignals), txs.map(asHex), proofToSolidity(proof)]);
  }

  /** The header, raw transactions and proof of the submitBatch transaction `hash` (what a full node or the SDK replays). */
  async submittedBatch(hash: Hash): Promise<SubmittedBatch> {
    const tx = await this.client.getTransaction({ hash });
    if (tx.to?.toLowerCase() !== this.address.toLowerCase()) throw new InvalidArgumentError(`transaction ${hash} is not to the inbox`);
    return decodeSubmitBatch(tx.input);
  }

  /**
   * The escape hatch: finalizes the overdue forced entries (up to the inbox's
   * maxEscapeEntries) as a forced-only batch once no committee batch has landed
   * for maxStall seconds. The hatch stays open until the committee's next batch,
   * so call it again whenever another entry falls due (NothingToEscape when none is).
   */
  finalizeForcedBatch(): Promise<Sent> {
    return this.write("finalizeForcedBatch", []);
  }

  /** Whether the escape hatch is open at the latest block (no committee batch for maxStall seconds). */
  async escapeOpen(): Promise<boolean> {
    return this.client.readContract({ address: this.address, abi: batchInboxAbi, functionName: "escapeOpen" });
  }

  /** Queues a raw transaction for forced inclusion (the inbox hashes it), paying the fee (default: the inbox's forceFee). */
  async forceInclude(rawTx: Uint8Array | Hex, value?: bigint): Promise<Sent & { index: bigint; txHash: bigint }> {
    const fee = value ?? (await this.client.readContract({ address: this.address, abi: batchInboxAbi, functionName: "forceFee" }));
    const sent = await this.write("forceInclude", [asHex(rawTx)], fee);
    const [event] = parseEventLogs({ abi: batchInboxAbi, logs: sent.receipt.logs, eventName: "ForceIncluded" });
    return { ...sent, index: BigInt(event!.args.index), txHash: event!.args.txHash };
  }

  /**
   * Elects and schedules the next committee (permissionless; allowed once the
   * epoch is over or the current committee lost a member to slashing).
   * Returns the committee (rebuilt from the CommitteeScheduled event).
   */
  async scheduleCommittee(): Promise<Sent & { committee: ScheduledCommittee }> {
    const sent = await this.write("scheduleCommittee", []);
    const [event] = parseEventLogs({ abi: batchInboxAbi, logs: sent.receipt.logs, eventName: "CommitteeScheduled" });
    return { ...sent, committee: toScheduled(event as never) };
  }

  /** Every CommitteeScheduled since the deployment (genesis first), in epoch order. */
  async scheduledCommittees(fromBlock = this.fromBlock): Promise<ScheduledCommittee[]> {
    const logs = await this.client.getContractEvents({ address: this.address, abi: batchInboxAbi, eventName: "CommitteeScheduled", fromBlock, toBlock: "latest" });
    return logs.map((l) => toScheduled(l as never));
  }

  /** The committee of an epoch as a Committee (tree, paths), rebuilt from its CommitteeScheduled event. */
  async committeeOfEpoch(epoch: bigint, depth: number): Promise<Committee> {
    const found = (await this.scheduledCommittees()).find((c) => c.epoch === epoch);
    if (!found) throw new InvalidArgumentError(`the inbox has elected no committee for epoch ${epoch}`);
    const committee = new Committee({ members: found.members.map((publicKey) => ({ publicKey, weight: 1n })), depth, thresholdWeight: found.thresholdWeight, epoch });
    if (committee.hash !== found.committeeHash) throw new InvalidArgumentError(`committee of epoch ${epoch} does not rebuild to its hash at depth ${depth}`);
    return committee;
  }

  /** Calls `onCommittee` for each new CommitteeScheduled; returns the function that stops watching. */
  watchCommitteeScheduled(onCommittee: (c: ScheduledCommittee) => void, opts: { pollingInterval?: number; onError?: (e: Error) => void } = {}): () => void {
    return this.client.watchContractEvent({
      address: this.address,
      abi: batchInboxAbi,
      eventName: "CommitteeScheduled",
      ...(opts.pollingInterval ? { pollingInterval: opts.pollingInterval } : {}),
      ...(opts.onError ? { onError: opts.onError } : {}),
      onLogs: (logs) => logs.forEach((l) => onCommittee(toScheduled(l as never))),
    });
  }

  /** The memberIds of the candidate set (unordered). */
  candidateIds(): Promise<readonly Hex[]> {
    return this.client.readContract({ address: this.address, abi: batchInboxAbi, functionName: "candidateIds" });
  }

  /** The inbox's id of a member key: keccak256(abi.encode(Ax, Ay)). */
  memberId(publicKey: PublicKey): Promise<`0x${string}`> {
    return this.client.readContract({ address: this.address, abi: batchInboxAbi, functionName: "memberId", args: [publicKey[0], publicKey[1]] });
  }

  async bondOf(publicKey: PublicKey): Promise<BondInfo> {
    const b = await this.client.readContract({ address: this.address, abi: batchInboxAbi, functionName: "bondOf", args: [await this.memberId(publicKey)] });
    return {
      owner: b.owner,
      exitAt: BigInt(b.exitAt),
      slashed: b.slashed,
      candidateSlot: Number(b.candidateSlot),
      amount: b.amount,
      lockedUntilEpoch: BigInt(b.lockedUntilEpoch),
      publicKey: [b.Ax, b.Ay] as const,
    };
  }

  /**
   * Bonds `value` wei against a member key. The first bond of a key needs a
   * KeyOwnership proof for this wallet's address (`proveKeyOwnership`) and at
   * least minBond; top-ups by the owner need none.
   */
  bond(publicKey: PublicKey, value: bigint, proof?: SnarkjsProof): Promise<Sent> {
    const p = proof ? proofToSolidity(proof) : ([0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n] as const);
    return this.write("bond", [publicKey[0], publicKey[1], p], value);
  }

  async requestUnbond(publicKey: PublicKey): Promise<Sent> {
    return this.write("requestUnbond", [await this.memberId(publicKey)]);
  }

  async withdrawBond(publicKey: PublicKey): Promise<Sent> {
    return this.write("withdrawBond", [await this.memberId(publicKey)]);
  }

  /** Slashes an equivocating member with an Equivocation proof (snarkjs form) and its 8 public signals; pays the reporter they name. */
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
  return { index: BigInt(a.index), txHash: a.txHash, accumulator: a.accumulator, queuedAt: BigInt(a.queuedAt), sender: a.sender, rawTx: a.rawTx };
}

function toScheduled(l: { args: Record<string, unknown>; blockNumber: bigint | null }): ScheduledCommittee {
  const a = l.args as { epoch: bigint; committeeHash: bigint; root: bigint; thresholdWeight: bigint; handoverAt: bigint; members: readonly { Ax: bigint; Ay: bigint }[] };
  return {
    epoch: BigInt(a.epoch),
    committeeHash: a.committeeHash,
    root: a.root,
    thresholdWeight: BigInt(a.thresholdWeight),
    handoverAt: BigInt(a.handoverAt),
    members: a.members.map((m) => [m.Ax, m.Ay] as const),
    blockNumber: l.blockNumber ?? 0n,
  };
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
