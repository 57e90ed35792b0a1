import { getBatchBuild, type BatchCircuitBuild } from "./builds.js";
import { batchHash as hashHeader, headerPublicSignals, packHeaderUnchecked, validateHeader, type BatchHeader } from "./header.js";
import { bindBatchData, type DataBinding } from "./dataBinding.js";
import { txRoot as computeTxRoot } from "./txTree.js";
import { foldForcedAccumulator } from "./forced.js";
import { assertFairOrder, assertReceiveTime, median } from "./ordering.js";
import { verifyReport, type SignedReport } from "./report.js";
import { assertUint, TX_HASH_BITS } from "./field.js";
import type { Committee } from "./committee.js";
import {
  BatchTooLargeError,
  DuplicateSignerError,
  ForcedRangeMismatchError,
  HeaderMismatchError,
  InvalidArgumentError,
  InvalidCommitteeError,
  InvalidSignatureError,
  UnknownSignerError,
  WeightBelowThresholdError,
  WrongSignerCountError,
} from "./errors.js";

/** The Batch circuit's input: every signal as decimal strings. */
export type CircuitInput = Record<string, string | string[] | string[][]>;

/** Everything a batch proof is made from. */
export interface WitnessRequest {
  /** Build id (`dev`, `standard`) or build. */
  build: string | BatchCircuitBuild;
  header: BatchHeader;
  committee: Committee;
  /** The batch's transactions in slot order, forced ones first; header.txCount of them. */
  txHashes: readonly bigint[];
  /** Exactly Q reports by distinct members, in any order. */
  reports: readonly SignedReport[];
}

/** The checked circuit input and what the circuit will output for it. */
export interface BatchWitness {
  input: CircuitInput;
  batchHash: bigint;
  txRoot: bigint;
  /** Median receive time of each of the B slots. */
  fairTimes: number[];
  /** The data binding of the posted (fair-ordered) transactions: the proof's dataChallenge and dataEval. */
  binding: DataBinding;
  /** The proof's public signals, in snarkjs order. */
  publicSignals: string[];
}

/**
 * Checks a batch and its reports against every rule the circuit enforces and
 * turns them into the circuit's input. Every violation is a typed ZkseqError,
 * so a bad batch is refused here, before any proving time is spent.
 *
 * @example
 * const { input } = buildWitnessInput({ build: "dev", header, committee, txHashes, reports })
 * await snarkjs.groth16.fullProve(input, wasm, zkey)
 */
export function buildWitnessInput(req: WitnessRequest): BatchWitness {
  const build = getBatchBuild(typeof req.build === "string" ? req.build : req.build.id);
  const { D, Q, B, F } = build.params;
  const header = validateHeader(req.header);
  const { committee, reports } = req;
  const txs = [...req.txHashes];

  // slots
  if (txs.length > B) throw new BatchTooLargeError("transactions", txs.length, B, build.id);
  if (BigInt(txs.length) !== header.txCount) throw new HeaderMismatchError("txCount", txs.length, header.txCount);
  txs.forEach((h, i) => assertUint(h, TX_HASH_BITS, `txHash of slot ${i}`));

  // forced range
  const forcedCount = Number(header.forcedTo - header.forcedFrom);
  if (forcedCount > F) throw new BatchTooLargeError("forced transactions", forcedCount, F, build.id);
  if (forcedCount > txs.length) throw new ForcedRangeMismatchError(`${forcedCount} forced transactions but only ${txs.length} in the batch`);
  if (foldForcedAccumulator(header.forcedAccFrom, txs.slice(0, forcedCount)) !== header.forcedAccTo) {
    throw new ForcedRangeMismatchError(
      `the first ${forcedCount} transactions do not take the forced accumulator from forcedAccFrom to forcedAccTo (missing, reordered or wrong forced transactions)`,
    );
  }

  const root = computeTxRoot(txs, B);
  if (root !== header.txRoot) throw new HeaderMismatchError("txRoot", root, header.txRoot);

  // committee
  if (committee.depth !== D) throw new InvalidCommitteeError(`build '${build.id}' takes a committee of depth ${D}, got ${committee.depth}`);
  if (committee.hash !== header.committeeHash) throw new HeaderMismatchError("committeeHash", committee.hash, header.committeeHash);

  // reports
  if (reports.length !== Q) throw new WrongSignerCountError(reports.length, Q, build.id);
  const sorted = [...reports].sort((a, b) => a.memberIndex - b.memberIndex);
  const bHash = hashHeader(header);
  let weight = 0n;
  sorted.forEach((r, j) => {
    if (!Number.isInteger(r.memberIndex) || !committee.members[r.memberIndex]) throw new UnknownSignerError(`#${r.memberIndex}`);
    if (j > 0 && sorted[j - 1]!.memberIndex === r.memberIndex) throw new DuplicateSignerError(r.memberIndex);
    if (!Array.isArray(r.times) || r.times.length !== B) {
      throw new InvalidArgumentError(`the report of member ${r.memberIndex} has ${r.times?.length} receive times; build '${build.id}' has ${B} slots`);
    }
    r.times.forEach((t, i) => assertReceiveTime(t, `member ${r.memberIndex}, slot ${i}`));
    if (!verifyReport(committee, bHash, r)) throw new InvalidSignatureError(r.memberIndex);
    weight += committee.members[r.memberIndex]!.weight;
  });
  if (weight < committee.thresholdWeight) throw new WeightBelowThresholdError(weight, committee.thresholdWeight);

  // fair ordering
  const fairTimes = Array.from({ length: B }, (_, i) => median(sorted.map((r) => r.times[i]!)));
  assertFairOrder(
    txs.slice(forcedCount).map((txHash, i) => ({ txHash, fairTime: fairTimes[forcedCount + i]! })),
    forcedCount,
  );

  const binding = bindBatchData(header, txs);
  const input = assembleCircuitInput(build, header, committee, txs, sorted, fairTimes, binding.dataChallenge);
  return { input, batchHash: bHash, txRoot: root, fairTimes, binding, publicSignals: headerPublicSignals(header, binding) };
}

/**
 * Lays out the circuit input from its parts WITHOUT checking anything: the
 * reports must already be sorted by member index. Use buildWitnessInput; this
 * exists for tools and soundness tests that need an input the rules reject.
 */
export function assembleCircuitInput(
  build: BatchCircuitBuild,
  header: BatchHeader,
  committee: Committee,
  txHashes: readonly bigint[],
  sortedReports: readonly SignedReport[],
  fairTimes: readonly (number | bigint)[],
  dataChallenge: bigint,
): CircuitInput {
  const { packedA, packedB } = packHeaderUnchecked(header);
  const s = (v: bigint | number) => v.toString();
  const slots = [...txHashes, ...new Array<bigint>(Math.max(0, build.params.B - txHashes.length)).fill(0n)];
  const member = (r: SignedReport) => committee.members[r.memberIndex] ?? { publicKey: [0n, 0n] as const, weight: 0n };
  return {
    prevBatchHash: s(header.prevBatchHash),
    committeeHash: s(header.committeeHash),
    nextCommitteeHash: s(header.nextCommitteeHash),
    forcedAccFrom: s(header.forcedAccFrom),
    forcedAccTo: s(header.forcedAccTo),
    packedA: s(packedA),
    packedB: s(packedB),
    dataChallenge: s(dataChallenge),
    committeeRoot: s(committee.root),
    thresholdWeight: s(committee.thresholdWeight),
    epoch: s(committee.epoch),
    txHashes: slots.map(s),
    fairTimes: fairTimes.map(s),
    signerIndex: sortedReports.map((r) => s(r.memberIndex)),
    signerAx: sortedReports.map((r) => s(member(r).publicKey[0])),
    signerAy: sortedReports.map((r) => s(member(r).publicKey[1])),
    signerWeight: sortedReports.map((r) => s(member(r).weight)),
    signerSiblings: sortedReports.map((r) =>
      committee.members[r.memberIndex] ? committee.path(r.memberIndex).siblings.map(s) : new Array<string>(committee.depth).fill("0"),
    ),
    sigR8x: sortedReports.map((r) => s(r.signature.R8[0])),
    sigR8y: sortedReports.map((r) => s(r.signature.R8[1])),
    sigS: sortedReports.map((r) => s(r.signature.S)),
    receiveTimes: sortedReports.map((r) => r.times.map(s)),
  };
}
