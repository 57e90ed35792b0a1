import { poseidon } from "./poseidon.js";
import { assertField, assertUint, TX_HASH_BITS } from "./field.js";

/** One step of the forced-queue accumulator: acc[n+1] = Poseidon(acc[n], txHash_n). */
export function forcedAccumulatorStep(acc: bigint, txHash: bigint): bigint {
  return poseidon([assertField(acc, "accumulator"), assertUint(txHash, TX_HASH_BITS, "forced txHash")]);
}

/** Folds the accumulator over forced transactions in queue order. */
export function foldForcedAccumulator(accFrom: bigint, txHashes: readonly bigint[]): bigint {
  return txHashes.reduce(forcedAccumulatorStep, accFrom);
}

/** A forced-queue entry as the inbox keeps it. */
export interface ForcedEntry {
  txHash: bigint;
  /** When it was queued (unix seconds on L1). */
  queuedAt: bigint;
}

/**
 * An in-memory mirror of the inbox's forced queue: entries and the accumulator
 * after each (acc[0] = 0), as the contract computes them.
 */
export class ForcedQueue {
  readonly entries: ForcedEntry[] = [];
  /** accumulators[n] = accumulator after the first n entries. */
  readonly accumulators: bigint[] = [0n];

  append(txHash: bigint, queuedAt: bigint): void {
    const acc = forcedAccumulatorStep(this.accumulators[this.accumulators.length - 1]!, txHash);
    this.entries.push({ txHash, queuedAt });
    this.accumulators.push(acc);
  }

  get length(): number {
    return this.entries.length;
  }

  accAt(index: number): bigint {
    const a = this.accumulators[index];
    if (a === undefined) throw new RangeError(`forced queue has no index ${index}`);
    return a;
  }

  /** Entries [from, to) as txHashes. */
  slice(from: number, to: number): bigint[] {
    return this.entries.slice(from, to).map((e) => e.txHash);
  }
}
