import { getBatchBuild, type BatchCircuitBuild } from "./builds.js";
import { txRoot } from "./txTree.js";
import { foldForcedAccumulator } from "./forced.js";
import { fairOrder } from "./ordering.js";
import { reportTimes } from "./report.js";
import { NEVER_SEEN } from "./field.js";
import type { Committee } from "./committee.js";
import type { BatchHeader } from "./header.js";
import { BatchTooLargeError, InvalidArgumentError, TimestampOutOfRangeError } from "./errors.js";

/** What a leader knows when it cuts a batch. */
export interface ProposalRequest {
  build: string | BatchCircuitBuild;
  chainId: bigint;
  inbox: bigint;
  batchNumber: bigint;
  /** The proposal round (default 0): a later round re-proposes a number whose earlier header cannot land. */
  round?: bigint;
  prevBatchHash: bigint;
  committee: Committee;
  /** Defaults to the current committee (no handover). */
  nextCommitteeHash?: bigint;
  /** Forced-queue entries to put first: from index `from`, whose accumulator is `accFrom`. */
  forced: { from: bigint; accFrom: bigint; txHashes: readonly bigint[] };
  /** Candidate transactions for the fair-ordered part. */
  candidates: readonly bigint[];
  /** One map per signer, in the order of `signers`: its receive time (unix ms) of each transaction it saw. */
  receivedAt: readonly ReadonlyMap<bigint, number>[];
  /** The Q member indices whose reports order this batch. */
  signers: readonly number[];
  /** Unix ms; defaults to the earliest receive time among the candidates (or now). */
  timeBase?: bigint;
}

/** A proposed batch: the header to sign, its slots, and what each signer must report. */
export interface Proposal {
  header: BatchHeader;
  /** Slot order, forced first; header.txCount entries. */
  txHashes: bigint[];
  forcedCount: number;
  /** Fair-ordered candidates that did not fit and wait for the next batch. */
  leftOver: bigint[];
  /** For each signer (order of `signers`), its canonical report times (B of them). */
  times: number[][];
}

/**
 * Cuts a batch: forced transactions first in queue order, then candidates in
 * fair order (median of the signers' receive times, ties by txHash), as many
 * as the build's B slots hold. The result's header is what the signers sign
 * with `signReport(key, index, batchHash(header), times[j])`.
 */
export function proposeBatch(req: ProposalRequest): Proposal {
  const build = getBatchBuild(typeof req.build === "string" ? req.build : req.build.id);
  const { Q, B, F } = build.params;
  if (req.signers.length !== Q || req.receivedAt.length !== Q) {
    throw new InvalidArgumentError(`build '${build.id}' orders with exactly ${Q} signers' receive times`);
  }
  const forcedTx = [...req.forced.txHashes];
  if (forcedTx.length > F) throw new BatchTooLargeError("forced transactions", forcedTx.length, F, build.id);
  const forcedSet = new Set(forcedTx);
  const candidates = req.candidates.filter((h) => !forcedSet.has(h));

  let timeBase = req.timeBase;
  if (timeBase === undefined) {
    let min = Number.POSITIVE_INFINITY;
    for (const m of req.receivedAt) for (const h of candidates) min = Math.min(min, m.get(h) ?? min);
    timeBase = BigInt(Number.isFinite(min) ? min : Date.now());
  }
  const tb = Number(timeBase);
  const relative = (at: number | undefined, h: bigint): number => {
    if (at === undefined) return NEVER_SEEN;
    const t = at - tb;
    if (!Number.isInteger(t) || t < 0 || t >= NEVER_SEEN) throw new TimestampOutOfRangeError(t, `transaction 0x${h.toString(16)}`);
    return t;
  };
  const ordered = fairOrder(candidates.map((txHash) => ({ txHash, times: req.receivedAt.map((m) => relative(m.get(txHash), txHash)) })));
  const room = B - forcedTx.length;
  const chosen = ordered.slice(0, room).map((e) => e.txHash);
  const txHashes = [...forcedTx, ...chosen];

  const header: BatchHeader = {
    chainId: req.chainId,
    inbox: req.inbox,
    batchNumber: req.batchNumber,
    round: req.round ?? 0n,
    prevBatchHash: req.prevBatchHash,
    committeeHash: req.committee.hash,
    nextCommitteeHash: req.nextCommitteeHash ?? req.committee.hash,
    timeBase,
    txCount: BigInt(txHashes.length),
    txRoot: txRoot(txHashes, B),
    forcedFrom: req.forced.from,
    forcedTo: req.forced.from + BigInt(forcedTx.length),
    forcedAccFrom: req.forced.accFrom,
    forcedAccTo: foldForcedAccumulator(req.forced.accFrom, forcedTx),
  };
  return {
    header,
    txHashes,
    forcedCount: forcedTx.length,
    leftOver: ordered.slice(room).map((e) => e.txHash),
    times: req.receivedAt.map((m) => reportTimes(txHashes, forcedTx.length, m, timeBase!, B)),
  };
}
