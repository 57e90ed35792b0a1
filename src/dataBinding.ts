import { keccak_256 } from "@noble/hashes/sha3.js";
import { assertField, assertUint, FIELD_MODULUS, TX_HASH_BITS } from "./field.js";
import { headerPublicSignals, validateHeader, type BatchHeader } from "./header.js";
import { txHashOf } from "./txHash.js";
import { HeaderMismatchError, InvalidArgumentError } from "./errors.js";

/**
 * Data on L1 (protocol v2): `submitBatch` carries the raw bytes of a batch's
 * fair-ordered transactions, and the proof is bound to exactly those bytes.
 *
 * With h_0..h_{n-1} the hashes of the n posted transactions (slots k..k+n-1,
 * k = forcedTo - forcedFrom), the inbox computes
 *
 *   dataChallenge = keccak256(txRoot ‖ h_0 ‖ … ‖ h_{n-1}) mod p   (each a 32-byte big-endian word)
 *   dataEval      = Σ_j h_j · dataChallenge^(k+j) mod p
 *
 * and the Batch circuit outputs the same sum over its fair-ordered slots at
 * the public dataChallenge (circuits/DataEvaluation.circom). This module is the
 * TypeScript reference of both sides; docs/protocol.md has the soundness argument.
 */

/** The data binding of a batch: what its proof's `dataEval` and `dataChallenge` public signals are. */
export interface DataBinding {
  dataChallenge: bigint;
  dataEval: bigint;
}

function word(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, "0"), "hex"));
}

/** keccak256(txRoot ‖ h_0 ‖ … ‖ h_{n-1}) mod p, as the inbox computes it (abi.encodePacked of uint256 words). */
export function dataChallenge(txRoot: bigint, postedHashes: readonly bigint[]): bigint {
  const root = assertField(txRoot, "txRoot");
  const buf = new Uint8Array(32 * (postedHashes.length + 1));
  buf.set(word(root), 0);
  postedHashes.forEach((h, j) => buf.set(word(assertUint(h, TX_HASH_BITS, `posted hash ${j}`)), 32 * (j + 1)));
  return BigInt("0x" + Buffer.from(keccak_256(buf)).toString("hex")) % FIELD_MODULUS;
}

/** Σ_j postedHashes[j] · r^(offset + j) mod p. */
export function dataEvaluation(r: bigint, postedHashes: readonly bigint[], offset: number): bigint {
  if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError(`offset must be a non-negative integer, got ${offset}`);
  let power = modPow(r, BigInt(offset));
  let sum = 0n;
  for (const h of postedHashes) {
    sum = (sum + h * power) % FIELD_MODULUS;
    power = (power * r) % FIELD_MODULUS;
  }
  return sum;
}

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = base % FIELD_MODULUS;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % FIELD_MODULUS;
    b = (b * b) % FIELD_MODULUS;
  }
  return result;
}

/**
 * The binding of a batch from its header and its slots' hashes (forced first,
 * header.txCount of them): the fair-ordered ones are posted.
 *
 * @example
 * const { dataChallenge, dataEval } = bindBatchData(header, txHashes)
 */
export function bindBatchData(header: BatchHeader, txHashes: readonly bigint[]): DataBinding {
  const h = validateHeader(header);
  if (BigInt(txHashes.length) !== h.txCount) throw new HeaderMismatchError("txCount", txHashes.length, h.txCount);
  const k = Number(h.forcedTo - h.forcedFrom);
  if (k > txHashes.length) throw new InvalidArgumentError(`${k} forced transactions but only ${txHashes.length} in the batch`);
  const posted = txHashes.slice(k);
  const r = dataChallenge(h.txRoot, posted);
  return { dataChallenge: r, dataEval: dataEvaluation(r, posted, k) };
}

/**
 * The binding the inbox computes from the raw transactions posted with a batch
 * (its fair-ordered slots, in order).
 */
export function bindPostedTransactions(header: BatchHeader, postedRawTxs: readonly (Uint8Array | string)[]): DataBinding {
  const h = validateHeader(header);
  const k = Number(h.forcedTo - h.forcedFrom);
  const posted = postedRawTxs.map((raw) => txHashOf(raw));
  const r = dataChallenge(h.txRoot, posted);
  return { dataChallenge: r, dataEval: dataEvaluation(r, posted, k) };
}

/** The proof's public signals for a header and its slots' hashes (forced first), as decimal strings. */
export function batchPublicSignals(header: BatchHeader, txHashes: readonly bigint[]): string[] {
  return headerPublicSignals(header, bindBatchData(header, txHashes));
}
