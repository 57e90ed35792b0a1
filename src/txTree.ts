import { poseidon } from "./poseidon.js";
import { InvalidArgumentError } from "./errors.js";
import { foldTxInclusionProof, txTreeArities } from "./txTreeShape.js";

export { txTreeArities } from "./txTreeShape.js";

/**
 * zkseq's transaction tree over a batch's B slots (B a power of two), as
 * circuits/TxRoot.circom builds it: Poseidon of arity 4 while a level has a
 * multiple of 4 nodes, then one binary level at the top if 2 nodes are left.
 * Empty slots are 0.
 */

/** Every level of the tree, leaves (padded with 0 to `size`) first, root last. */
export function txTreeLevels(txHashes: readonly bigint[], size: number): bigint[][] {
  const arities = txTreeArities(size);
  if (txHashes.length > size) throw new InvalidArgumentError(`${txHashes.length} transactions do not fit ${size} slots`);
  let level = [...txHashes, ...new Array<bigint>(size - txHashes.length).fill(0n)];
  const levels = [level];
  for (const arity of arities) {
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += arity) next.push(poseidon(level.slice(i, i + arity)));
    level = next;
    levels.push(level);
  }
  return levels;
}

/**
 * The txRoot of a batch: its transaction hashes in slot order, padded with 0 to `size` slots.
 *
 * @example
 * txRoot([tx1, tx2], 8)
 */
export function txRoot(txHashes: readonly bigint[], size: number): bigint {
  const levels = txTreeLevels(txHashes, size);
  return levels[levels.length - 1]![0]!;
}

/** Proof that a transaction sits at a slot of a batch with a given txRoot. */
export interface TxInclusionProof {
  txHash: bigint;
  slot: number;
  /** The batch's slot count B (the build's), which fixes the tree's shape. */
  size: number;
  /** At each level, leaf level first, the other nodes of the group, in order. */
  siblings: bigint[][];
}

/** Builds the inclusion proof of the transaction at `slot`. */
export function txInclusionProof(txHashes: readonly bigint[], size: number, slot: number): TxInclusionProof {
  if (!Number.isInteger(slot) || slot < 0 || slot >= txHashes.length) {
    throw new InvalidArgumentError(`slot ${slot} is not one of the batch's ${txHashes.length} transactions`);
  }
  const levels = txTreeLevels(txHashes, size);
  const arities = txTreeArities(size);
  const siblings: bigint[][] = [];
  let index = slot;
  arities.forEach((arity, l) => {
    const start = index - (index % arity);
    siblings.push(levels[l]!.slice(start, start + arity).filter((_, k) => start + k !== index));
    index = Math.floor(index / arity);
  });
  return { txHash: txHashes[slot]!, slot, size, siblings };
}

/** The root an inclusion proof leads to (throws on a malformed proof). */
export function txRootFromProof(proof: TxInclusionProof): bigint {
  return foldTxInclusionProof(proof, poseidon);
}

/** True if the proof shows its transaction at its slot under `root`; false for a wrong or malformed proof. */
export function verifyTxInclusion(root: bigint, proof: TxInclusionProof): boolean {
  if (proof.txHash === 0n) return false; // an empty slot is not a transaction
  try {
    return txRootFromProof(proof) === root;
  } catch {
    return false;
  }
}
