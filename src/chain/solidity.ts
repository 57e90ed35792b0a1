import { FIELD_MODULUS } from "../field.js";
import { InvalidArgumentError } from "../errors.js";

/** A snarkjs Groth16 proof (JSON form). */
export interface SnarkjsProof {
  pi_a: readonly (string | bigint)[];
  pi_b: readonly (readonly (string | bigint)[])[];
  pi_c: readonly (string | bigint)[];
}

/** A proof as the inbox takes it: [a0, a1, b00, b01, b10, b11, c0, c1], G2 coordinates in EVM (imaginary first) order. */
export type SolidityProof = readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];

/** The Batch proof's 11 public signals (protocol v2), in snarkjs order: the fields of PackedBatchHeader. */
export const BATCH_PUBLIC_SIGNALS = [
  "batchHash",
  "txRoot",
  "dataEval",
  "prevBatchHash",
  "committeeHash",
  "nextCommitteeHash",
  "forcedAccFrom",
  "forcedAccTo",
  "packedA",
  "packedB",
  "dataChallenge",
] as const;

/** The Equivocation proof's 8 public signals (protocol v2), in order: the fields of EquivocationSignals. */
export const EQUIVOCATION_SIGNAL_NAMES = ["committeeHash", "chainId", "inbox", "batchNumber", "round", "Ax", "Ay", "reporter"] as const;

/** The header as BatchInbox.submitBatch takes it: the Batch circuit's 11 public signals by name. */
export interface PackedBatchHeader {
  batchHash: bigint;
  txRoot: bigint;
  dataEval: bigint;
  prevBatchHash: bigint;
  committeeHash: bigint;
  nextCommitteeHash: bigint;
  forcedAccFrom: bigint;
  forcedAccTo: bigint;
  packedA: bigint;
  packedB: bigint;
  dataChallenge: bigint;
}

/** Slashing evidence as BatchInbox.slash takes it: the Equivocation circuit's 8 public signals by name. */
export interface EquivocationSignals {
  committeeHash: bigint;
  chainId: bigint;
  inbox: bigint;
  batchNumber: bigint;
  round: bigint;
  Ax: bigint;
  Ay: bigint;
  /** The address paid the reward. */
  reporter: bigint;
}

const big = (v: string | bigint, what: string): bigint => {
  try {
    return BigInt(v);
  } catch {
    throw new InvalidArgumentError(`${what} is not an integer`);
  }
};

/**
 * Lays a snarkjs proof out for the EVM: the pairing precompile takes G2
 * coordinates as (imaginary, real), snarkjs writes (real, imaginary).
 *
 * @example
 * await inbox.submitBatch(packedHeaderFromPublicSignals(publicSignals), proofToSolidity(proof))
 */
export function proofToSolidity(proof: SnarkjsProof): SolidityProof {
  const a = proof.pi_a;
  const b = proof.pi_b;
  const c = proof.pi_c;
  if (a.length < 2 || b.length < 2 || b[0]!.length < 2 || b[1]!.length < 2 || c.length < 2) throw new InvalidArgumentError("a Groth16 proof has pi_a, pi_b and pi_c");
  return [
    big(a[0]!, "pi_a[0]"),
    big(a[1]!, "pi_a[1]"),
    big(b[0]![1]!, "pi_b[0][1]"),
    big(b[0]![0]!, "pi_b[0][0]"),
    big(b[1]![1]!, "pi_b[1][1]"),
    big(b[1]![0]!, "pi_b[1][0]"),
    big(c[0]!, "pi_c[0]"),
    big(c[1]!, "pi_c[1]"),
  ];
}

/** The Batch proof's 11 public signals as the inbox's PackedBatchHeader. */
export function packedHeaderFromPublicSignals(signals: readonly (string | bigint)[]): PackedBatchHeader {
  if (signals.length !== BATCH_PUBLIC_SIGNALS.length) throw new InvalidArgumentError(`a Batch proof has ${BATCH_PUBLIC_SIGNALS.length} public signals, got ${signals.length}`);
  const s = signals.map((v, i) => big(v, `publicSignals[${i}]`));
  return Object.fromEntries(BATCH_PUBLIC_SIGNALS.map((k, i) => [k, s[i]!])) as unknown as PackedBatchHeader;
}

/** The PackedBatchHeader back as the 11 public signals (decimal strings, snarkjs order). */
export function publicSignalsFromPackedHeader(h: PackedBatchHeader): string[] {
  return BATCH_PUBLIC_SIGNALS.map((k) => h[k].toString());
}

/** The Equivocation proof's 8 public signals by name. */
export function equivocationFromPublicSignals(signals: readonly (string | bigint)[]): EquivocationSignals {
  if (signals.length !== EQUIVOCATION_SIGNAL_NAMES.length) throw new InvalidArgumentError(`an Equivocation proof has ${EQUIVOCATION_SIGNAL_NAMES.length} public signals, got ${signals.length}`);
  const s = signals.map((v, i) => big(v, `publicSignals[${i}]`));
  return Object.fromEntries(EQUIVOCATION_SIGNAL_NAMES.map((k, i) => [k, s[i]!])) as unknown as EquivocationSignals;
}

/** packedB = batchNumber << 176 | round << 144 | timeBase << 96 | forcedFrom << 48 | forcedTo, decoded. */
export function unpackB(packedB: bigint): { batchNumber: bigint; round: bigint; timeBase: bigint; forcedFrom: bigint; forcedTo: bigint } {
  const m = (bits: bigint) => (1n << bits) - 1n;
  return { batchNumber: packedB >> 176n, round: (packedB >> 144n) & m(32n), timeBase: (packedB >> 96n) & m(48n), forcedFrom: (packedB >> 48n) & m(48n), forcedTo: packedB & m(48n) };
}

/** packedA = chainId << 176 | inbox << 16 | txCount, decoded. */
export function unpackA(packedA: bigint): { chainId: bigint; inbox: bigint; txCount: bigint } {
  return { chainId: packedA >> 176n, inbox: (packedA >> 16n) & ((1n << 160n) - 1n), txCount: packedA & 0xffffn };
}

export { FIELD_MODULUS };
