import { poseidon } from "./poseidon.js";
import { InvalidArgumentError } from "./errors.js";

/** A Poseidon binary Merkle path: the leaf's index and its sibling at each level, leaf level first. */
export interface BinaryMerklePath {
  index: number;
  siblings: bigint[];
}

/**
 * The levels of a Poseidon binary Merkle tree of the given depth (empty leaves are 0),
 * leaves first, root last. Matches circuits/MerkleInclusion.circom.
 */
export function binaryMerkleLevels(leaves: readonly bigint[], depth: number): bigint[][] {
  const size = 2 ** depth;
  if (leaves.length > size) throw new InvalidArgumentError(`${leaves.length} leaves do not fit a tree of depth ${depth}`);
  let level = [...leaves, ...new Array<bigint>(size - leaves.length).fill(0n)];
  const levels = [level];
  while (level.length > 1) {
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(poseidon([level[i]!, level[i + 1]!]));
    level = next;
    levels.push(level);
  }
  return levels;
}

/** The path of leaf `index` in the tree given by its levels. */
export function binaryMerklePath(levels: readonly bigint[][], index: number): BinaryMerklePath {
  const siblings: bigint[] = [];
  let i = index;
  for (let l = 0; l + 1 < levels.length; l++) {
    siblings.push(levels[l]![i ^ 1]!);
    i >>= 1;
  }
  return { index, siblings };
}

/** The root a leaf and its path lead to. */
export function binaryMerkleRootFromPath(leaf: bigint, path: BinaryMerklePath): bigint {
  let cur = leaf;
  path.siblings.forEach((sibling, l) => {
    cur = (path.index >> l) & 1 ? poseidon([sibling, cur]) : poseidon([cur, sibling]);
  });
  return cur;
}
