import { FIELD_MODULUS } from "../field.js";
import { InvalidArgumentError } from "../errors.js";
import { EQUIVOCATION_PUBLIC_SIGNALS } from "../equivocation.js";

/** A snarkjs Groth16 proof (JSON form). */
export interface SnarkjsProof {
  pi_a: readonly (string | bigint)[];
  pi_b: readonly (readonly (string | bigint)[])[];
  pi_c: readonly (string | bigint)[];
}

/** A proof as the inbox takes it: [a0, a1, b00, b01, b10, b11, c0, c1], G2 coordinates in EVM (imaginary first) order. */
export type SolidityProof = readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];

/** The header as BatchInbox.submitBatch takes it: the Batch circuit's 9 public signals by name. */
export interface PackedBatchHeader {
  batchHash: bigint;
  txRoot: bigint;
  prevBatchHash: bigint;
  committeeHash: bigint;
  nextCommitteeHash: bigint;
  forcedAccFrom: bigint;
  forcedAccTo: bigint;
  packedA: bigint;
  packedB: bigint;
}

/** Slashing evidence as BatchInbox.slash takes it: the Equivocation circuit's 6 public signals by name. */
export interface EquivocationSignals {
  committeeHash: bigint;
  chainId: bigint;
  inbox: bigint;
  batchNumber: bigint;
  Ax: bigint;
  Ay: bigint;
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

/** The Batch proof's 9 public signals as the inbox's PackedBatchHeader. */
export function packedHeaderFromPublicSignals(signals: readonly (string | bigint)[]): PackedBatchHeader {
  if (signals.length !== 9) throw new InvalidArgumentError(`a Batch proof has 9 public signals, got ${signals.length}`);
  const s = signals.map((v, i) => big(v, `publicSignals[${i}]`));
  return {
    batchHash: s[0]!,
    txRoot: s[1]!,
    prevBatchHash: s[2]!,
    committeeHash: s[3]!,
    nextCommitteeHash: s[4]!,
    forcedAccFrom: s[5]!,
    forcedAccTo: s[6]!,
    packedA: s[7]!,
    packedB: s[8]!,
  };
}

/** The PackedBatchHeader back as the 9 public signals (decimal strings, snarkjs order). */
export function publicSignalsFromPackedHeader(h: PackedBatchHeader): string[] {
  return [h.batchHash, h.txRoot, h.prevBatchHash, h.committeeHash, h.nextCommitteeHash, h.forcedAccFrom, h.forcedAccTo, h.packedA, h.packedB].map((v) => v.toString());
}

/** The Equivocation proof's 6 public signals by name. */
export function equivocationFromPublicSignals(signals: readonly (string | bigint)[]): EquivocationSignals {
  if (signals.length !== EQUIVOCATION_PUBLIC_SIGNALS.length) throw new InvalidArgumentError(`an Equivocation proof has 6 public signals, got ${signals.length}`);
  const s = signals.map((v, i) => big(v, `publicSignals[${i}]`));
  return { committeeHash: s[0]!, chainId: s[1]!, inbox: s[2]!, batchNumber: s[3]!, Ax: s[4]!, Ay: s[5]! };
}

export { FIELD_MODULUS };
