import { poseidon } from "./poseidon.js";
import { assertField, NEVER_SEEN } from "./field.js";
import { assertReceiveTime } from "./ordering.js";
import { signMessage, verifySignature, type MemberKey, type Signature } from "./keys.js";
import type { Committee } from "./committee.js";
import { InvalidArgumentError } from "./errors.js";

/** Receive times packed into one field element (7 x 32 bits = 224 bits). */
export const TIMES_PER_WORD = 7;

/** Packs u32 receive times, 7 per word, first time in the lowest bits (ReceiveTimesCommit.circom). */
export function packReceiveTimes(times: readonly number[]): bigint[] {
  const words: bigint[] = [];
  times.forEach((t, i) => {
    assertReceiveTime(t, `slot ${i}`);
    const w = Math.floor(i / TIMES_PER_WORD);
    words[w] = (words[w] ?? 0n) | (BigInt(t) << BigInt(32 * (i % TIMES_PER_WORD)));
  });
  return words;
}

/** tsCommit: Poseidon of the packed receive times of every slot of the batch (B of them). */
export function tsCommit(times: readonly number[]): bigint {
  if (times.length < 1) throw new InvalidArgumentError("a report covers at least one slot");
  return poseidon(packReceiveTimes(times));
}

/** What a member signs: Poseidon(batchHash, tsCommit(times)). */
export function reportMessage(batchHash: bigint, times: readonly number[]): bigint {
  return poseidon([assertField(batchHash, "batchHash"), tsCommit(times)]);
}

/** A member's signed report on a batch. */
export interface SignedReport {
  /** The member's leaf index in the committee. */
  memberIndex: number;
  /** The member's receive time for each of the build's B slots (u32 offsets from timeBase). */
  times: number[];
  signature: Signature;
}

/**
 * Signs a report: the member's receive times for the batch's slots, bound to its batchHash.
 *
 * @example
 * const report = signReport(key, 2, batchHash(header), times)
 */
export function signReport(key: MemberKey, memberIndex: number, batchHash: bigint, times: readonly number[]): SignedReport {
  return { memberIndex, times: [...times], signature: signMessage(key.privateKey, reportMessage(batchHash, times)) };
}

/** True if the report is signed by the committee member it names. */
export function verifyReport(committee: Committee, batchHash: bigint, report: SignedReport): boolean {
  const member = committee.members[report.memberIndex];
  if (!member) return false;
  try {
    return verifySignature(member.publicKey, reportMessage(batchHash, report.times), report.signature);
  } catch {
    return false;
  }
}

/**
 * A member's canonical report times for a batch: for each of the `size` slots,
 * its own receive time of the slot's transaction as an offset from timeBase
 * for fair-ordered slots, and NEVER_SEEN for forced and padding slots and for
 * transactions it never saw.
 *
 * @param slots the batch's transaction hashes in slot order (forced first)
 * @param forcedCount how many leading slots are forced
 * @param receivedAt the member's receive time of each transaction (unix ms)
 */
export function reportTimes(
  slots: readonly bigint[],
  forcedCount: number,
  receivedAt: ReadonlyMap<bigint, number>,
  timeBase: bigint,
  size: number,
): number[] {
  const times = new Array<number>(size).fill(NEVER_SEEN);
  for (let i = forcedCount; i < slots.length; i++) {
    const at = receivedAt.get(slots[i]!);
    if (at === undefined) continue;
    times[i] = assertReceiveTime(at - Number(timeBase), `slot ${i}`);
  }
  return times;
}
