import type { BatchCircuitBuild } from "../src/builds.js";
import type { BatchHeader } from "../src/header.js";
import type { Committee } from "../src/committee.js";
import { leaderOf, roundAt } from "../src/leaderSchedule.js";
import { verifyProposal, type ProposalAuth } from "../src/proposal.js";
import { foldForcedAccumulator } from "../src/forced.js";
import { txRoot } from "../src/txTree.js";
import { NEVER_SEEN } from "../src/field.js";
import {
  BatchTooLargeError,
  DuplicateTransactionError,
  ForcedRangeMismatchError,
  HeaderMismatchError,
  HeaderNotLandableError,
  InvalidArgumentError,
  InvalidCommitteeError,
  NotLeaderError,
  RoundNotCurrentError,
  TimeBaseAfterReceiveError,
  TimeBaseSkipsPendingError,
} from "../src/errors.js";

/** A forced-queue entry as the inbox holds it. */
export interface ForcedQueueEntry {
  index: bigint;
  txHash: bigint;
  /** Unix seconds. */
  queuedAt: bigint;
}

/**
 * What a member reads from the inbox before it signs: everything `submitBatch`
 * checks a header against. Read in one go (`readInboxSnapshot` in
 * member/inboxSnapshot.ts), so the checks see one state of the chain.
 */
export interface InboxSnapshot {
  chainId: bigint;
  inbox: bigint;
  nextBatchNumber: bigint;
  headBatchHash: bigint;
  /** The committee that must sign the next batch. */
  committeeHash: bigint;
  /** The committee the inbox scheduled for the next epoch (0n if none) and the first batch number that must hand over to it. */
  pendingCommitteeHash: bigint;
  handoverAt: bigint;
  lastTimeBase: bigint;
  /** When the last committee batch landed (unix seconds): round 0 of the next batch starts then (src/leaderSchedule.ts roundAt). */
  lastCommitteeBatchAt: bigint;
  /** The latest block's timestamp in milliseconds: the inbox refuses timeBase > now + maxTimeDriftMs. */
  nowMs: bigint;
  maxTimeDriftMs: bigint;
  /** Seconds after which a forced entry is overdue. */
  forceDelay: bigint;
  forcedConsumed: bigint;
  forcedLength: bigint;
  /** The accumulator after forcedConsumed entries. */
  forcedAccConsumed: bigint;
  /** The unconsumed entries, from forcedConsumed on (at least the build's F of them, when there are that many). */
  forced: readonly ForcedQueueEntry[];
}

/** A proposal as a member receives it. */
export interface Proposal {
  header: BatchHeader;
  /** Slot order, forced first; header.txCount of them. */
  txHashes: readonly bigint[];
}

/**
 * The member's signing policy (protocol v2): it signs only a header the inbox
 * would accept now and only reports what it saw. Throws a typed error naming
 * the first rule broken; returns the forced count on success.
 *
 * - domain and committee: the header is for this chain and inbox, signed by the
 *   current committee, and hands over exactly when and to whom the inbox scheduled;
 * - chain: the next batch number, extending the inbox's head;
 * - forced: the range starts at the first unconsumed entry, has at most F and at
 *   most txCount entries, its slots ARE the queue's entries verbatim (duplicates
 *   included), the accumulators are the queue's, and no overdue entry is left out
 *   while forced slots are free;
 * - timeBase: not before the last batch's, not past the chain's clock plus the
 *   allowed drift, and not after this member's own receive time of any
 *   fair-ordered transaction (else its report would misstate what it saw),
 *   except a stale one: received before the last batch's timeBase (earlier
 *   leaders left it out), it is reported at offset 0 and then timeBase must be
 *   exactly the last batch's;
 * - slots: at most B, txRoot matches, fair-ordered transactions are distinct and
 *   none repeats a forced one.
 *
 * @param receivedAt this member's receive time (unix ms) of each slot's transaction, or undefined
 */
export function checkProposal(build: BatchCircuitBuild, own: { committeeHash: bigint }, chain: InboxSnapshot, p: Proposal, receivedAt: readonly (number | undefined)[]): number {
  const { B, F } = build.params;
  const h = p.header;
  const slots = p.txHashes;

  if (h.chainId !== chain.chainId || h.inbox !== chain.inbox) throw new InvalidArgumentError("the header is for another chain or inbox");
  if (h.committeeHash !== own.committeeHash) throw new InvalidCommitteeError("the header names a committee this member is not in");

  // slots
  if (slots.length > B) throw new BatchTooLargeError("transactions", slots.length, B, build.id);
  if (BigInt(slots.length) !== h.txCount) throw new HeaderMismatchError("txCount", slots.length, h.txCount);
  const root = txRoot(slots, B);
  if (root !== h.txRoot) throw new HeaderMismatchError("txRoot", root, h.txRoot);

  // chain
  if (h.batchNumber !== chain.nextBatchNumber) throw new HeaderNotLandableError("batchNumber", `batch ${h.batchNumber} is not the inbox's next number ${chain.nextBatchNumber}`);
  if (h.prevBatchHash !== chain.headBatchHash) throw new HeaderNotLandableError("prevBatchHash", `prevBatchHash ${h.prevBatchHash} is not the inbox's head ${chain.headBatchHash}`);
  if (h.committeeHash !== chain.committeeHash) throw new HeaderNotLandableError("committeeHash", `committee ${h.committeeHash} is not the inbox's current committee ${chain.committeeHash}`);
  const mustHandOver = chain.pendingCommitteeHash !== 0n && h.batchNumber >= chain.handoverAt;
  const next = mustHandOver ? chain.pendingCommitteeHash : chain.committeeHash;
  if (h.nextCommitteeHash !== next) {
    throw new HeaderNotLandableError(
      "nextCommitteeHash",
      mustHandOver ? `batch ${h.batchNumber} must hand over to the scheduled committee ${next}` : `nextCommitteeHash ${h.nextCommitteeHash} is not a committee the inbox scheduled`,
    );
  }

  // forced range: the slots are the queue, verbatim
  if (h.forcedFrom !== chain.forcedConsumed) throw new HeaderNotLandableError("forcedFrom", `forcedFrom ${h.forcedFrom} is not the first unconsumed entry ${chain.forcedConsumed}`);
  const k = Number(h.forcedTo - h.forcedFrom);
  if (k > F) throw new BatchTooLargeError("forced transactions", k, F, build.id);
  if (k > slots.length) throw new ForcedRangeMismatchError(`${k} forced transactions but only ${slots.length} in the batch`);
  if (h.forcedTo > chain.forcedLength) throw new HeaderNotLandableError("forcedTo", `forcedTo ${h.forcedTo} is past the queue's end ${chain.forcedLength}`);
  const queued = chain.forced.slice(0, k);
  if (queued.length !== k) throw new HeaderNotLandableError("forcedTo", `this member reads only ${queued.length} of the ${k} forced entries`);
  queued.forEach((e, i) => {
    if (e.index !== h.forcedFrom + BigInt(i) || e.txHash !== slots[i]) throw new ForcedRangeMismatchError(`forced slot ${i} is not forced entry ${h.forcedFrom + BigInt(i)} of the queue`);
  });
  if (h.forcedAccFrom !== chain.forcedAccConsumed) throw new ForcedRangeMismatchError("forcedAccFrom is not the queue's accumulator at forcedFrom");
  if (h.forcedAccTo !== foldForcedAccumulator(chain.forcedAccConsumed, slots.slice(0, k))) throw new ForcedRangeMismatchError("forcedAccTo is not the queue's accumulator at forcedTo");
  const firstLeft = chain.forced[k];
  if (k < F && firstLeft && firstLeft.queuedAt + chain.forceDelay <= chain.nowMs / 1000n) {
    throw new HeaderNotLandableError("forcedTo", `forced entry ${firstLeft.index} is overdue and left out while ${F - k} forced slots are free`);
  }

  // timeBase
  if (h.timeBase < chain.lastTimeBase) throw new HeaderNotLandableError("timeBase", `timeBase ${h.timeBase} is before the last batch's ${chain.lastTimeBase}`);
  if (h.timeBase > chain.nowMs + chain.maxTimeDriftMs) throw new HeaderNotLandableError("timeBase", `timeBase ${h.timeBase} is ahead of the chain's clock ${chain.nowMs} by more than ${chain.maxTimeDriftMs} ms`);

  // fair-ordered slots: distinct, none a forced one, and what this member saw is reportable
  const seen = new Set<bigint>(slots.slice(0, k));
  for (let i = k; i < slots.length; i++) {
    const tx = slots[i]!;
    if (seen.has(tx)) throw new DuplicateTransactionError(tx, i);
    seen.add(tx);
    const at = receivedAt[i];
    if (at === undefined) continue;
    const offset = at - Number(h.timeBase);
    // a transaction this member received before the last batch's timeBase was left out by earlier leaders: it is reported
    // at offset 0 (first), and only under the earliest timeBase the inbox allows, so no leader can clamp a fresh transaction
    if (offset < 0 && !(at < Number(chain.lastTimeBase) && h.timeBase === chain.lastTimeBase)) throw new TimeBaseAfterReceiveError(tx, at, h.timeBase);
    if (offset >= NEVER_SEEN) throw new HeaderNotLandableError("timeBase", `transaction 0x${tx.toString(16)} arrived ${offset} ms after timeBase, beyond a u32 offset`);
  }
  return k;
}

/**
 * The rotation rule: a member signs only for the current round (by the
 * chain's clock, `roundAt`) and only the proposal of that round's leader
 * (`leaderOf`), authenticated by the leader's signature on the header's
 * batchHash. So a proposer that is not the leader, or a leader whose round is
 * over, gets no signature, and members sign at most one header per
 * (batchNumber, round) (memberNode's durable record) from one leader.
 */
export function checkLeader(committee: Committee, header: BatchHeader, batchHash: bigint, auth: ProposalAuth, chain: Pick<InboxSnapshot, "lastCommitteeBatchAt" | "nowMs">, roundTimeoutMs: number): void {
  const current = roundAt(chain.lastCommitteeBatchAt, chain.nowMs, roundTimeoutMs);
  if (header.round !== current) throw new RoundNotCurrentError(header.round, current);
  checkLeaderSignature(committee, header, batchHash, auth);
}

/** The part of `checkLeader` that needs no chain: the proposal is signed by `leaderOf(committee, batchNumber, round)`. */
export function checkLeaderSignature(committee: Committee, header: BatchHeader, batchHash: bigint, auth: ProposalAuth): void {
  const leader = leaderOf(committee, header.batchNumber, header.round);
  if (auth.leader !== leader) throw new NotLeaderError(`member ${auth.leader} proposed, but member ${leader} leads batch ${header.batchNumber} round ${header.round}`);
  if (!verifyProposal(committee.members[leader]!.publicKey, batchHash, auth.signature)) throw new NotLeaderError(`the signature is not member ${leader}'s on this header`);
}

/**
 * A leader may not make a pending transaction stale: a member refuses a
 * header whose timeBase is later, by more than `graceMs` (gossip), than its
 * own receive time of the earliest transaction it holds that has not landed,
 * arrived at or after the last batch's timeBase, and is not in this batch.
 * Without it, a leader could propose a batch with a late timeBase that leaves
 * those transactions out, and the next batch would have to order them at
 * offset 0, by txHash, where a transaction sent later with a ground hash goes
 * first. An honest leader's timeBase is the earliest receive time among its
 * candidates, its whole mempool oldest first, so it never trips this.
 *
 * @param skipped the earliest such transaction (undefined if none)
 */
export function checkNoSkippedPending(header: BatchHeader, skipped: { txHash: bigint; receivedAt: number } | undefined, graceMs: number): void {
  if (skipped && skipped.receivedAt + graceMs < Number(header.timeBase)) throw new TimeBaseSkipsPendingError(skipped.txHash, skipped.receivedAt, header.timeBase);
}
