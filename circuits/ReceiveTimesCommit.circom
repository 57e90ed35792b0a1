pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";

/**
 * ReceiveTimesCommit(B): one signer's commitment to its receive times.
 *
 * Proves: every times[i] is a u32 (Num2Bits(32); callers rely on this range
 * check for their comparisons), and commit = Poseidon(word[0], ..., word[W-1])
 * where W = ceil(B / 7) and word[w] = sum_{j<7} times[7w + j] * 2^(32 j)
 * (a missing time past B counts as 0).
 *
 * Does NOT give the times any meaning (0xFFFFFFFF = never seen is a
 * convention of the signer): MedianOfOdd and Batch interpret them.
 */
template ReceiveTimesCommit(B) {
    var PER_WORD = 7;
    var W = (B + PER_WORD - 1) \ PER_WORD;
    assert(B >= 1);
    assert(W <= 16);   // circomlib's Poseidon takes at most 16 inputs

    signal input times[B];    // u32 millisecond offsets from the header's timeBase
    signal output commit;     // Poseidon of the packed words

    component range[B];
    for (var i = 0; i < B; i++) {
        range[i] = Num2Bits(32);
        range[i].in <== times[i];
    }

    component hasher = Poseidon(W);
    for (var w = 0; w < W; w++) {
        var acc = 0;
        for (var j = 0; j < PER_WORD; j++) {
            if (w * PER_WORD + j < B) {
                acc += times[w * PER_WORD + j] * (1 << (32 * j));
            }
        }
        hasher.inputs[w] <== acc;
    }
    commit <== hasher.out;
}
