/**
 * The leader schedule: which committee member proposes batch `n` in round `r`.
 * A pure function of the committee and the numbers, so every member computes
 * the same leader without talking to anyone (docs/network.md, "Leader schedule").
 *
 * Round 0 is a stake-weighted round robin over the committee's members. In
 * each period of W = totalWeight consecutive batch numbers, member i leads
 * exactly w_i of them, spread over the period: member i's k-th turn
 * (k = 0 .. w_i - 1) has the virtual time (k + 1/2) / w_i, and the period's
 * turns run in order of virtual time, ties by leaf index (stride scheduling
 * with a half-step offset, the order of the Sainte-Laguë divisor method).
 * Batch n takes turn n mod W. With equal weights every member's k-th turn has
 * the same time, so the members lead in leaf order: batch n goes to member
 * n mod N.
 *
 * Round r > 0 of batch n goes to the member r places after round 0's leader in
 * leaf order (cyclically): a leader that is dead or refuses is skipped by the
 * next round, and the first N rounds of a batch have N distinct leaders.
 */
import { Committee } from "./committee.js";
import { InvalidArgumentError } from "./errors.js";
import { assertUint } from "./field.js";

/**
 * Bits of the clock the turns are located on: two different virtual times
 * (2a+1)/(2w_i) and (2b+1)/(2w_j) with weights below 2^64 differ by at least
 * 1/(2 w_i w_j) > 2^-129, so an interval of 2^-130 holds at most one of them.
 */
const CLOCK_BITS = 130n;

/**
 * The leaf index of the member that proposes batch `batchNumber` in round `round`.
 *
 * @param committee the committee that signs the batch (the inbox's current committee)
 * @param batchNumber the batch number (u64, from 1)
 * @param round the round (u32; 0 first, then 1, 2, … while a round's header cannot land)
 * @example
 * const leader = leaderOf(committee, state.nextBatchNumber, 0n) // a leaf index
 * const key = committee.member(leader).publicKey
 */
export function leaderOf(committee: Committee, batchNumber: bigint | number, round: bigint | number = 0n): number {
  if (!(committee instanceof Committee)) throw new InvalidArgumentError("leaderOf needs a Committee");
  const n = assertUint(batchNumber, 64, "batchNumber");
  if (n === 0n) throw new InvalidArgumentError("batch numbers start at 1, got 0");
  const r = assertUint(round, 32, "round");
  const count = committee.members.length;
  const first = roundZeroLeader(committee, n);
  return Number((BigInt(first) + r) % BigInt(count));
}

/** Round 0: turn (n mod W) of the weighted period. */
function roundZeroLeader(committee: Committee, n: bigint): number {
  const weights = committee.members.map((m) => m.weight);
  const total = committee.totalWeight;
  const turn = n % total;
  // equal weights: the turns of one k tie and run in leaf order
  if (weights.every((w) => w === weights[0])) return Number(turn % BigInt(weights.length));
  // the smallest clock tick m (in units of 2^-CLOCK_BITS of the period) by which more than `turn` turns are due
  const scale = 1n << CLOCK_BITS;
  let lo = 0n; // due(lo) <= turn
  let hi = scale; // due(hi) = total > turn
  while (hi - lo > 1n) {
    const mid = (lo + hi) >> 1n;
    if (due(weights, mid) > turn) hi = mid;
    else lo = mid;
  }
  // (lo, hi] holds one virtual time; the members with a turn at it run in leaf order
  let position = due(weights, lo);
  for (let i = 0; i < weights.length; i++) {
    if (dueOf(weights[i]!, hi) > dueOf(weights[i]!, lo)) {
      if (position === turn) return i;
      position++;
    }
  }
  throw new Error("unreachable: the turn is in (lo, hi]");
}

/** Turns of every member with virtual time <= tick / 2^CLOCK_BITS. */
function due(weights: readonly bigint[], tick: bigint): bigint {
  let sum = 0n;
  for (const w of weights) sum += dueOf(w, tick);
  return sum;
}

/** Turns k of a member of weight w with (2k + 1) / (2w) <= tick / 2^CLOCK_BITS: the odd numbers up to floor(2 w tick / 2^CLOCK_BITS). */
function dueOf(w: bigint, tick: bigint): bigint {
  const odd = (2n * w * tick) >> CLOCK_BITS;
  const k = (odd + 1n) / 2n;
  return k < w ? k : w;
}

/**
 * The round of the next batch at chain time `nowMs`: round 0 starts when the
 * last committee batch landed (`lastCommitteeBatchAt`, unix seconds, the
 * inbox's own clock: the deployment before batch 1; forced-only escape
 * batches do not move it), and a new round starts every `roundTimeoutMs`
 * while the batch is not finalized. Every member reads the same block
 * timestamps, so they agree on the round up to one block's propagation; no
 * member's wall clock is involved (docs/network.md, "Rounds and timeouts").
 *
 * @example
 * const round = roundAt(state.lastCommitteeBatchAt, block.timestamp * 1000n, 20_000) // 0 for the first 20 s
 */
export function roundAt(lastCommitteeBatchAt: bigint, nowMs: bigint, roundTimeoutMs: number): bigint {
  if (!Number.isSafeInteger(roundTimeoutMs) || roundTimeoutMs <= 0) throw new InvalidArgumentError(`roundTimeoutMs must be a positive integer, got ${roundTimeoutMs}`);
  const elapsed = nowMs - lastCommitteeBatchAt * 1000n;
  if (elapsed <= 0n) return 0n;
  const r = elapsed / BigInt(roundTimeoutMs);
  return r > 0xffffffffn ? 0xffffffffn : r;
}

/** Milliseconds of round `round` left at chain time `nowMs` (0 when it is over). */
export function roundTimeLeft(lastCommitteeBatchAt: bigint, nowMs: bigint, roundTimeoutMs: number, round: bigint): number {
  const end = lastCommitteeBatchAt * 1000n + (round + 1n) * BigInt(roundTimeoutMs);
  return end > nowMs ? Number(end - nowMs) : 0;
}
