import { NEVER_SEEN } from "./field.js";
import { DuplicateTransactionError, InvalidArgumentError, TimestampOutOfRangeError, UnsortedTransactionsError } from "./errors.js";

/** Checks a receive time is a u32 (0xFFFFFFFF = never seen). */
export function assertReceiveTime(t: unknown, where: string): number {
  if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || t > NEVER_SEEN) throw new TimestampOutOfRangeError(t, where);
  return t;
}

/**
 * The median of an odd number of u32 receive times: a transaction's fair time.
 *
 * @example
 * median([5, 1, 0xffffffff]) // 5
 */
export function median(times: readonly number[]): number {
  if (times.length % 2 !== 1) throw new InvalidArgumentError(`the median needs an odd number of times, got ${times.length}`);
  times.forEach((t, i) => assertReceiveTime(t, `report ${i}`));
  return [...times].sort((a, b) => a - b)[(times.length - 1) / 2]!;
}

/** An entry in fair order: its fair time and its hash. */
export interface FairKey {
  fairTime: number;
  txHash: bigint;
}

/** Fair-order comparison: by fair time, then by txHash. */
export function compareFairOrder(a: FairKey, b: FairKey): number {
  if (a.fairTime !== b.fairTime) return a.fairTime - b.fairTime;
  return a.txHash < b.txHash ? -1 : a.txHash > b.txHash ? 1 : 0;
}

/**
 * Sorts transactions into fair order (Pompe-style median timestamps): each
 * transaction's fair time is the median of the signers' receive times, and the
 * order is by (fairTime, txHash). Rejects a transaction listed twice.
 *
 * @param entries one per transaction: its hash and one receive time per signer (same signer order)
 */
export function fairOrder<T extends { txHash: bigint; times: readonly number[] }>(entries: readonly T[]): (T & { fairTime: number })[] {
  const seen = new Set<bigint>();
  const keyed = entries.map((e, i) => {
    if (seen.has(e.txHash)) throw new DuplicateTransactionError(e.txHash, i);
    seen.add(e.txHash);
    return { ...e, fairTime: median(e.times) };
  });
  return keyed.sort(compareFairOrder);
}

/** Checks that keys are strictly increasing in fair order (what the circuit enforces on slots [k, txCount)). */
export function assertFairOrder(keys: readonly FairKey[], firstSlot = 0): void {
  for (let i = 0; i + 1 < keys.length; i++) {
    const c = compareFairOrder(keys[i]!, keys[i + 1]!);
    if (c === 0) throw new DuplicateTransactionError(keys[i]!.txHash, firstSlot + i + 1);
    if (c > 0) throw new UnsortedTransactionsError(firstSlot + i);
  }
}
