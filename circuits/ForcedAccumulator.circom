pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

/**
 * ForcedAccumulator(F): folds the forced-queue accumulator over up to F entries.
 *
 * Proves: accTo = the result of acc <- Poseidon(acc, hashes[i]) for every i with
 * enabled[i] = 1, in order, starting from accFrom (disabled entries leave acc as is).
 *
 * Does NOT enforce that `enabled` is boolean or a prefix (1...10...0): the
 * caller derives it from a comparison, which makes it both.
 */
template ForcedAccumulator(F) {
    assert(F >= 1);

    signal input accFrom;       // the queue accumulator before the first forced entry
    signal input hashes[F];     // candidate forced transaction hashes, queue order
    signal input enabled[F];    // 1 for the entries that are forced in this batch
    signal output accTo;        // the accumulator after the enabled entries

    signal acc[F + 1];
    component hashers[F];
    acc[0] <== accFrom;
    for (var i = 0; i < F; i++) {
        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== acc[i];
        hashers[i].inputs[1] <== hashes[i];
        acc[i + 1] <== acc[i] + enabled[i] * (hashers[i].out - acc[i]);
    }
    accTo <== acc[F];
}
