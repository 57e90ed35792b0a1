import { getBatchBuild, type BatchCircuitBuild } from "../builds.js";
import { TX_HASH_BITS } from "../field.js";
import { txInclusionProof, verifyTxInclusion, type TxInclusionProof } from "../txTree.js";
import { InvalidArgumentError } from "../errors.js";

/** A transaction's place in a finalized batch: its Merkle path to the batch's txRoot. */
export interface InclusionProof extends TxInclusionProof {
  batchNumber: bigint;
  txRoot: bigint;
}

/**
 * The Merkle path of `txHash` in a batch, given the batch's transactions in
 * slot order (from L1: `deriveBatches`) and the build that proved it.
 *
 * @example
 * const proof = proveInclusion({ txHash, batchNumber, txHashes, build: "dev", txRoot })
 * verifyInclusion(proof, finalized.txRoot, "dev") // true
 */
export function proveInclusion(opts: { txHash: bigint; batchNumber: bigint; txHashes: readonly bigint[]; build: string | BatchCircuitBuild; txRoot: bigint }): InclusionProof {
  const size = slotsOf(opts.build);
  const slot = opts.txHashes.indexOf(opts.txHash);
  if (slot < 0) throw new InvalidArgumentError(`transaction 0x${opts.txHash.toString(16)} is not in batch ${opts.batchNumber}`);
  const proof = { ...txInclusionProof(opts.txHashes, size, slot), batchNumber: opts.batchNumber, txRoot: opts.txRoot };
  if (!verifyTxInclusion(opts.txRoot, proof)) throw new InvalidArgumentError(`batch ${opts.batchNumber}'s transactions do not hash to its txRoot`);
  return proof;
}

/**
 * True if the proof leads from its transaction to `txRoot`. The tree's shape
 * comes from the build that proved the batch, never from the proof (a proof
 * that claims a smaller tree could pass an internal node off as a
 * transaction), and a transaction hash is below 2^248. Take txRoot from the
 * chain, not from the proof.
 */
export function verifyInclusion(proof: TxInclusionProof, txRoot: bigint, build: string | BatchCircuitBuild): boolean {
  const size = slotsOf(build);
  if (typeof proof.txHash !== "bigint" || proof.txHash >= 1n << BigInt(TX_HASH_BITS)) return false;
  return verifyTxInclusion(txRoot, { ...proof, size });
}

function slotsOf(build: string | BatchCircuitBuild): number {
  return getBatchBuild(typeof build === "string" ? build : build.id).params.B;
}
