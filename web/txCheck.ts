import { keccak_256 } from "@noble/hashes/sha3.js";
import { foldTxInclusionProof } from "../src/txTreeShape.js";
import type { TxLookup } from "../member/networkView.js";

const TX_HASH_MASK = (1n << 248n) - 1n;

/** zkseq's txHash of raw bytes (src/txHash.ts): keccak256, low 248 bits. */
export function txHashOfHex(raw: string): bigint {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(raw)) throw new RangeError("raw bytes are 0x-hex");
  const bytes = new Uint8Array((raw.length - 2) / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(raw.slice(2 + 2 * i, 4 + 2 * i), 16);
  const digest = keccak_256(bytes);
  let x = 0n;
  for (const b of digest) x = (x << 8n) | BigInt(b);
  return x & TX_HASH_MASK;
}

/** What the page concludes about a node's answer on a transaction, checked here and not taken on trust. */
export interface TxCheck {
  /** The inclusion proof leads to the batch's txRoot (as the node read it from L1). */
  included: boolean;
  /** The raw bytes the node returned hash to the transaction asked for (null: no bytes returned). */
  rawMatches: boolean | null;
  /** The answer is for the hash asked for. */
  sameHash: boolean;
  reason?: string;
}

/** Checks a `/api/tx/:hash` answer: the answer's hash is the one asked for, its raw bytes hash to it, and its inclusion proof folds to the batch's txRoot. */
export function checkTxLookup(asked: bigint, found: TxLookup, poseidon: (inputs: bigint[]) => bigint): TxCheck {
  const txHash = BigInt(found.txHash);
  const sameHash = txHash === asked;
  const rawMatches = found.raw === null ? null : txHashOfHex(found.raw) === txHash;
  if (!found.batch || !found.proof || found.slot === null) return { included: false, rawMatches, sameHash, reason: "no inclusion proof (not landed, or this member could not read the batch's slots)" };
  try {
    const root = foldTxInclusionProof({ txHash, slot: found.slot, size: found.proof.size, siblings: found.proof.siblings.map((l) => l.map((x) => BigInt(x))) }, poseidon);
    const included = txHash !== 0n && root === BigInt(found.batch.txRoot);
    return included ? { included, rawMatches, sameHash } : { included, rawMatches, sameHash, reason: "the proof does not lead to the batch's txRoot" };
  } catch (e) {
    return { included: false, rawMatches, sameHash, reason: `malformed proof: ${(e as Error).message}` };
  }
}
