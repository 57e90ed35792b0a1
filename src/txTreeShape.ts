import { InvalidArgumentError } from "./errors.js";

/**
 * The shape of zkseq's transaction tree (circuits/TxRoot.circom) and the fold
 * of an inclusion proof, with the hash passed in: no Node API and no
 * circomlibjs, so the network page (web/) checks inclusion proofs in the
 * browser with the same code src/txTree.ts uses.
 */

/** The arity of each level, leaf level first: 4 while a level has a multiple of 4 nodes, then one binary level if 2 are left. */
export function txTreeArities(size: number): number[] {
  if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
    throw new InvalidArgumentError(`a transaction tree has a power-of-two size >= 2, got ${size}`);
  }
  const arities: number[] = [];
  for (let width = size; width > 1; ) {
    const arity = width % 4 === 0 ? 4 : 2;
    arities.push(arity);
    width /= arity;
  }
  return arities;
}

/** An inclusion proof: the transaction, its slot, the batch's slot count, and at each level (leaf level first) the other nodes of its group in order. */
export interface TxProofShape {
  txHash: bigint;
  slot: number;
  size: number;
  siblings: bigint[][];
}

/** The root an inclusion proof leads to under `hash` (Poseidon of 2 or 4 inputs); throws InvalidArgumentError on a malformed proof. */
export function foldTxInclusionProof(proof: TxProofShape, hash: (inputs: bigint[]) => bigint): bigint {
  const arities = txTreeArities(proof.size);
  if (!Number.isInteger(proof.slot) || proof.slot < 0 || proof.slot >= proof.size) throw new InvalidArgumentError(`slot ${proof.slot} is outside the tree`);
  if (!Array.isArray(proof.siblings) || proof.siblings.length !== arities.length) throw new InvalidArgumentError(`a proof for ${proof.size} slots has ${arities.length} levels`);
  let cur = proof.txHash;
  let index = proof.slot;
  arities.forEach((arity, l) => {
    const sib = proof.siblings[l]!;
    if (!Array.isArray(sib) || sib.length !== arity - 1) throw new InvalidArgumentError(`level ${l} of the proof needs ${arity - 1} siblings`);
    const pos = index % arity;
    cur = hash([...sib.slice(0, pos), cur, ...sib.slice(pos)]);
    index = Math.floor(index / arity);
  });
  return cur;
}
