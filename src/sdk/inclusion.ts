import { txInclusionProof, verifyTxInclusion, type TxInclusionProof } from "../txTree.js";
import { InvalidArgumentError } from "../errors.js";

/** A transaction's place in a finalized batch: its Merkle path to the batch's txRoot. */
export interface InclusionProof extends TxInclusionProof {
  batchNumber: bigint;
  txRoot: bigint;
}

/**
 * The Merkle path of `txHash` in a batch, given the batch's transactions in
 * slot order (from the sequencer's batch data) and its slot count B.
 *
 * @example
 * const proof = proveInclusion({ txHash, batchNumber, txHashes, size: 8, txRoot })
 * verifyInclusion(proof, finalized.txRoot) // true
 */
export function proveInclusion(opts: { txHash: bigint; batchNumber: bigint; txHashes: readonly bigint[]; size: number; txRoot: bigint }): InclusionProof {
  const slot = opts.txHashes.indexOf(opts.txHash);
  if (slot < 0) throw new InvalidArgumentError(`transaction 0x${opts.txHash.toString(16)} is not in batch ${opts.batchNumber}`);
  const proof = { ...txInclusionProof(opts.txHashes, opts.size, slot), batchNumber: opts.batchNumber, txRoot: opts.txRoot };
  if (!verifyTxInclusion(opts.txRoot, proof)) throw new InvalidArgumentError(`batch ${opts.batchNumber}'s transactions do not hash to its txRoot`);
  return proof;
}

/** True if the proof leads from its transaction to `txRoot` (take txRoot from the chain, not from the proof). */
export function verifyInclusion(proof: TxInclusionProof, txRoot: bigint): boolean {
  return verifyTxInclusion(txRoot, proof);
}
