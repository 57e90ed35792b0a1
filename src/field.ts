import { InvalidFieldElementError } from "./errors.js";

/** The BN254 scalar field modulus: every circuit signal and Poseidon input lives below it. */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** Receive time meaning "this member never saw the transaction". */
export const NEVER_SEEN = 0xffffffff;

/** Bits kept of keccak256(rawTx) for a transaction id. */
export const TX_HASH_BITS = 248;

/** Parses a bigint-like value (bigint, safe integer, decimal or 0x-hex string). */
export function toBigInt(value: unknown, what: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  // 80 characters hold any 256-bit value in decimal or hex; longer strings are refused before BigInt parses them
  if (typeof value === "string" && value.length <= 80 && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) return BigInt(value);
  throw new InvalidFieldElementError(what, value, "the integers");
}

/** Checks 0 <= value < FIELD_MODULUS and returns it as a bigint. */
export function assertField(value: unknown, what: string): bigint {
  const v = toBigInt(value, what);
  if (v < 0n || v >= FIELD_MODULUS) throw new InvalidFieldElementError(what, value, "[0, p) for the BN254 scalar field p");
  return v;
}

/** Checks 0 <= value < 2^bits and returns it as a bigint. */
export function assertUint(value: unknown, bits: number, what: string): bigint {
  const v = toBigInt(value, what);
  if (v < 0n || v >= 1n << BigInt(bits)) throw new InvalidFieldElementError(what, value, `[0, 2^${bits})`);
  return v;
}
