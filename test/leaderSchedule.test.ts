/**
 * The leader schedule (src/leaderSchedule.ts): deterministic, a round robin in
 * leaf order for equal weights, every member leading in proportion to its
 * weight over each period, the rounds of one batch going to distinct members
 * until the committee is exhausted, and typed errors for bad input.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Committee } from "../src/committee.js";
import { electCommittee } from "../src/election.js";
import { InvalidArgumentError, InvalidFieldElementError, type ZkseqError } from "../src/errors.js";
import { leaderOf, roundAt, roundTimeLeft } from "../src/leaderSchedule.js";
import { rng, testKey } from "./helpers/fixtures.js";

/** Eight keys, made once (key derivation is the slow part of building a committee). */
const KEYS = Array.from({ length: 8 }, (_, i) => testKey(i, "leader-schedule"));

/** A committee of the first `weights.length` keys with these weights (depth 3, threshold 1: the schedule ignores both). */
function weighted(weights: readonly bigint[]): Committee {
  return new Committee({ members: weights.map((weight, i) => ({ publicKey: KEYS[i]!.publicKey, weight })), depth: 3, thresholdWeight: 1n, epoch: 0n });
}

/**
 * The schedule by its definition, enumerated: every turn (i, k) of a period with its virtual time (2k + 1) / (2 w_i),
 * sorted by time (exact cross-multiplication), ties by leaf index. Batch n takes turn n mod W.
 */
function referencePeriod(weights: readonly bigint[]): number[] {
  const turns: { i: number; k: bigint }[] = [];
  weights.forEach((w, i) => {
    for (let k = 0n; k < w; k++) turns.push({ i, k });
  });
  turns.sort((a, b) => {
    const x = (2n * a.k + 1n) * weights[b.i]!;
    const y = (2n * b.k + 1n) * weights[a.i]!;
    return x < y ? -1 : x > y ? 1 : a.i - b.i;
  });
  return turns.map((t) => t.i);
}

function counts(leaders: readonly number[], size: number): number[] {
  const c = new Array<number>(size).fill(0);
  for (const l of leaders) c[l]!++;
  return c;
}

const expectCode = (fn: () => unknown, cls: new (...a: never[]) => ZkseqError, code: string) =>
  assert.throws(fn, (e: unknown) => e instanceof cls && e.code === code && e.shortMessage.length > 0);

test("equal weights: over consecutive batches each member leads in turn, in leaf order", () => {
  const committee = electCommittee({ candidates: KEYS.slice(0, 4).map((k) => ({ publicKey: k.publicKey, stake: 0n })), depth: 2, signerCount: 3, epoch: 0n });
  assert.deepEqual(Array.from({ length: 12 }, (_, j) => leaderOf(committee, BigInt(j + 1))), [1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0]);
  // equal weights above 1 schedule the same way
  const heavy = weighted([5n, 5n, 5n]);
  for (let n = 1n; n <= 30n; n++) assert.equal(leaderOf(heavy, n), Number(n % 3n));
});

test("deterministic: the same leader from a committee rebuilt from JSON, and from numbers given as bigint or number", () => {
  const committee = weighted([4n, 1n, 3n, 1n, 2n]);
  const rebuilt = Committee.fromJSON(JSON.parse(JSON.stringify(committee.toJSON())));
  for (let n = 1; n <= 40; n++) {
    for (const r of [0, 1, 4]) {
      const l = leaderOf(committee, BigInt(n), BigInt(r));
      assert.equal(leaderOf(rebuilt, BigInt(n), BigInt(r)), l);
      assert.equal(leaderOf(committee, n, r), l);
    }
  }
});

test("weighted: the schedule is the stride order of the definition, and each member leads exactly its weight in every period", () => {
  const r = rng(7);
  for (let c = 0; c < 40; c++) {
    const size = 2 + Math.floor(r() * 7);
    const weights = Array.from({ length: size }, () => BigInt(1 + Math.floor(r() * 9)));
    const committee = weighted(weights);
    const period = referencePeriod(weights);
    const W = period.length;
    const start = BigInt(1 + Math.floor(r() * 1000));
    const leaders = Array.from({ length: 3 * W }, (_, j) => leaderOf(committee, start + BigInt(j)));
    assert.deepEqual(leaders, leaders.map((_, j) => period[Number((start + BigInt(j)) % BigInt(W))]!), `weights ${weights}`);
    // any W consecutive batches: member i leads exactly w_i of them
    for (const from of [0, 1, Math.floor(W / 2), W]) {
      assert.deepEqual(counts(leaders.slice(from, from + W), size), weights.map(Number), `weights ${weights}, window at ${start + BigInt(from)}`);
    }
  }
  // spread over the period, not in blocks: member 0's two turns have virtual times 1/4 and 3/4, the others' 1/2
  const committee = weighted([2n, 1n, 1n]);
  assert.deepEqual(Array.from({ length: 4 }, (_, j) => leaderOf(committee, BigInt(4 + j))), [0, 1, 2, 0]);
});

test("weighted with 64-bit weights: exact without enumerating the period", () => {
  // weights 2^40 and 1: member 1's one turn (virtual time 1/2) comes after member 0's first 2^39 turns
  const committee = weighted([1n << 40n, 1n]);
  const W = (1n << 40n) + 1n;
  assert.equal(leaderOf(committee, 1n << 39n), 1);
  assert.equal(leaderOf(committee, (1n << 39n) - 1n), 0);
  assert.equal(leaderOf(committee, (1n << 39n) + 1n), 0);
  assert.equal(leaderOf(committee, (1n << 39n) + W), 1);
  // the largest weights and batch numbers there are
  const big = weighted([(1n << 64n) - 1n, (1n << 64n) - 2n, 3n]);
  const l = leaderOf(big, (1n << 64n) - 1n, (1n << 32n) - 1n);
  assert.ok(l >= 0 && l < 3);
});

test("rounds: round r goes to the member r places after round 0's leader, so the first N rounds have N distinct leaders", () => {
  const committee = weighted([3n, 1n, 2n, 1n, 1n]);
  for (let n = 1n; n <= 16n; n++) {
    const leaders = Array.from({ length: 5 }, (_, r) => leaderOf(committee, n, BigInt(r)));
    assert.equal(new Set(leaders).size, 5, `batch ${n}: ${leaders}`);
    for (let r = 1; r < 5; r++) assert.equal(leaders[r], (leaders[r - 1]! + 1) % 5, "the next member in leaf order");
    assert.equal(leaderOf(committee, n, 5n), leaders[0], "round N wraps around");
  }
  // a dead leader is skipped by the next round
  const equal = weighted([1n, 1n, 1n, 1n]);
  assert.deepEqual([0n, 1n, 2n].map((r) => leaderOf(equal, 6n, r)), [2, 3, 0]);
});

test("bad input: typed errors", () => {
  const committee = weighted([1n, 1n, 1n, 1n]);
  expectCode(() => leaderOf(committee, 0n), InvalidArgumentError, "INVALID_ARGUMENT");
  expectCode(() => leaderOf(committee, -1n), InvalidFieldElementError, "INVALID_FIELD_ELEMENT");
  expectCode(() => leaderOf(committee, 1n << 64n), InvalidFieldElementError, "INVALID_FIELD_ELEMENT");
  expectCode(() => leaderOf(committee, 1.5), InvalidFieldElementError, "INVALID_FIELD_ELEMENT");
  expectCode(() => leaderOf(committee, 1n, -1n), InvalidFieldElementError, "INVALID_FIELD_ELEMENT");
  expectCode(() => leaderOf(committee, 1n, 1n << 32n), InvalidFieldElementError, "INVALID_FIELD_ELEMENT");
  expectCode(() => leaderOf(committee.toJSON() as unknown as Committee, 1n), InvalidArgumentError, "INVALID_ARGUMENT");
  expectCode(() => leaderOf(undefined as unknown as Committee, 1n), InvalidArgumentError, "INVALID_ARGUMENT");
});

test("roundAt: round 0 from the last committee batch's block time, a new round every roundTimeout of chain time", () => {
  const at = 1_800_000_000n; // lastCommitteeBatchAt, unix seconds
  const ms = at * 1000n;
  assert.equal(roundAt(at, ms - 5_000n, 10_000), 0n, "a block before it (a lagging view) is round 0");
  assert.equal(roundAt(at, ms, 10_000), 0n);
  assert.equal(roundAt(at, ms + 9_999n, 10_000), 0n);
  assert.equal(roundAt(at, ms + 10_000n, 10_000), 1n, "a boundary starts the next round");
  assert.equal(roundAt(at, ms + 95_000n, 10_000), 9n);
  assert.equal(roundTimeLeft(at, ms + 2_500n, 10_000, 0n), 7_500);
  assert.equal(roundTimeLeft(at, ms + 12_500n, 10_000, 0n), 0, "round 0 is over");
  assert.equal(roundTimeLeft(at, ms + 12_500n, 10_000, 1n), 7_500);
  assert.equal(roundAt(0n, 10n ** 18n, 1), 0xffffffffn, "capped at the header's u32");
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => roundAt(at, ms, bad), InvalidArgumentError);
});
