import { NEVER_SEEN } from "../src/field.js";

/** What the skew scenario found in one batch signed by the skewed member. */
export interface SkewVerdict {
  batchNumber: bigint;
  skewMember: number;
  /** Slot pairs every honest signer saw in one order (the later one's earliest honest time after the earlier one's latest). */
  honestPairs: number;
  /** Of those, pairs the skewed member's own times put the other way round: what it would have changed had its times decided. */
  invertedBySkewed: number;
  /** Of those, pairs the batch orders against every honest signer: what the median must prevent (0 for a batch the circuit accepted with one outlier among Q >= 3). */
  violations: number;
}

/**
 * Checks a batch's fair order against its honest signers: for every two
 * fair-ordered slots that all honest signers received in one order, the batch
 * must keep that order, whatever the skewed member reported. With at most
 * `(Q - 1) / 2` dishonest signers the median of a slot lies between its
 * honest signers' earliest and latest times, so such a pair can never be
 * reversed; `invertedBySkewed` shows the skewed member tried.
 *
 * @param slots the batch's slots in order (forced ones first); `forcedCount` of them are forced
 * @param reports each signer's report times (offsets from `timeBase`, NEVER_SEEN where unseen)
 *
 * @example
 * skewVerdict(3n, 0, 0, [a, b], [{ memberIndex: 0, times: [4000, 10] }, { memberIndex: 1, times: [0, 10] }, { memberIndex: 2, times: [1, 11] }])
 * // { honestPairs: 1, invertedBySkewed: 1, violations: 0, ... }
 */
export function skewVerdict(
  batchNumber: bigint,
  skewMember: number,
  forcedCount: number,
  slots: readonly bigint[],
  reports: readonly { memberIndex: number; times: readonly number[] }[],
): SkewVerdict {
  const honest = reports.filter((r) => r.memberIndex !== skewMember);
  const skewed = reports.find((r) => r.memberIndex === skewMember);
  const verdict: SkewVerdict = { batchNumber, skewMember, honestPairs: 0, invertedBySkewed: 0, violations: 0 };
  if (honest.length === 0) return verdict;
  const seen = (i: number) => honest.every((r) => r.times[i] !== undefined && r.times[i] !== NEVER_SEEN);
  const fair = [];
  for (let i = forcedCount; i < slots.length; i++) if (seen(i)) fair.push(i);
  const earliest = (i: number) => Math.min(...honest.map((r) => r.times[i]!));
  const latest = (i: number) => Math.max(...honest.map((r) => r.times[i]!));
  for (const x of fair)
    for (const y of fair) {
      if (x === y || !(latest(x) < earliest(y))) continue; // every honest signer received x before y
      verdict.honestPairs++;
      if (skewed && skewed.times[x]! > skewed.times[y]!) verdict.invertedBySkewed++;
      if (x > y) verdict.violations++; // the batch put y's slot first
    }
  return verdict;
}
