pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";

/**
 * MerkleInclusion(depth): the root implied by a leaf, its index and its siblings
 * in a Poseidon binary Merkle tree of 2^depth leaves.
 *
 * Proves: root = fold of Poseidon over the path, where bit l of `index`
 * (least significant first) says whether the node at level l is a right child.
 * `index` is range-checked to `depth` bits, so it is the leaf's unique position.
 *
 * Does NOT enforce that `root` equals any particular value: the caller compares it.
 */
template MerkleInclusion(depth) {
    assert(depth >= 1);

    signal input leaf;               // the leaf's value
    signal input index;              // the leaf's position, 0 .. 2^depth - 1
    signal input siblings[depth];    // the sibling at each level, leaf level first
    signal output root;              // the root this path leads to

    component indexBits = Num2Bits(depth);
    indexBits.in <== index;

    signal cur[depth + 1];
    signal left[depth];
    component hashers[depth];
    cur[0] <== leaf;
    for (var l = 0; l < depth; l++) {
        // bit = 1: the current node is the right child, so the sibling goes left.
        left[l] <== cur[l] + indexBits.out[l] * (siblings[l] - cur[l]);
        hashers[l] = Poseidon(2);
        hashers[l].inputs[0] <== left[l];
        hashers[l].inputs[1] <== cur[l] + siblings[l] - left[l];
        cur[l + 1] <== hashers[l].out;
    }
    root <== cur[depth];
}
