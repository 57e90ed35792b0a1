import { keccak_256 } from "@noble/hashes/sha3.js";
import { TX_HASH_BITS } from "./field.js";
import { InvalidArgumentError } from "./errors.js";

const MASK = (1n << BigInt(TX_HASH_BITS)) - 1n;

/**
 * A transaction's id in zkseq: keccak256 of the raw transaction bytes, reduced
 * to its low 248 bits (so it is a BN254 field element and fits the circuit's
 * range check).
 *
 * @example
 * txHashOf("0x02f86c...") // 0x...n (248 bits)
 */
export function txHashOf(rawTx: Uint8Array | string): bigint {
  let bytes: Uint8Array;
  if (typeof rawTx === "string") {
    if (!/^0x([0-9a-fA-F]{2})*$/.test(rawTx)) throw new InvalidArgumentError("a raw transaction is 0x-prefixed hex with whole bytes");
    bytes = Uint8Array.from(Buffer.from(rawTx.slice(2), "hex"));
  } else {
    bytes = rawTx;
  }
  const digest = keccak_256(bytes);
  return BigInt("0x" + Buffer.from(digest).toString("hex")) & MASK;
}
