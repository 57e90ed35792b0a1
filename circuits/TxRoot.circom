pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

/**
 * TxRoot(B): the root of zkseq's transaction tree over B slots (B a power of two).
 *
 * The tree is a Poseidon Merkle tree of arity 4, with one binary level at the
 * top when B is not a power of 4: while a level has a multiple of 4 nodes,
 * each group of 4 consecutive nodes is hashed with Poseidon(4); a level of 2
 * nodes is hashed with Poseidon(2). (Arity 4 costs about 300 constraints per 4
 * leaves where a binary tree costs about 730; src/txTree.ts builds the same
 * tree and its inclusion proofs.)
 *
 * Proves: root is that tree's root over `leaves` in slot order.
 * Does NOT constrain the leaves (range, padding): Batch does.
 */
template TxRoot(B) {
    assert(B >= 2);

    signal input leaves[B];   // slot i's transaction hash (0 for an empty slot)
    signal output root;

    // Count the hashers: one per group at every level.
    var nHashers = 0;
    var width = B;
    while (width > 1) {
        var arity = width % 4 == 0 ? 4 : 2;
        assert(width % arity == 0);
        width = width \ arity;
        nHashers += width;
    }

    signal nodes[B + nHashers];
    for (var i = 0; i < B; i++) {
        nodes[i] <== leaves[i];
    }

    component hashers[nHashers];
    var levelStart = 0;
    var next = B;
    width = B;
    while (width > 1) {
        var arity = width % 4 == 0 ? 4 : 2;
        for (var g = 0; g < width \ arity; g++) {
            hashers[next - B] = Poseidon(arity);
            for (var k = 0; k < arity; k++) {
                hashers[next - B].inputs[k] <== nodes[levelStart + g * arity + k];
            }
            nodes[next] <== hashers[next - B].out;
            next++;
        }
        levelStart += width;
        width = width \ arity;
    }
    root <== nodes[B + nHashers - 1];
}
