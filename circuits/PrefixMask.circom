pragma circom 2.1.0;

/**
 * PrefixMask(N): the unary mask of a count, mask[i] = 1 iff i < count.
 *
 * Proves: every mask[i] is boolean, the mask never rises again once it falls
 * (mask[i] <= mask[i-1]), and the ones add up to count. Together these pin
 * mask to exactly `count` leading ones, and force 0 <= count <= N (a count
 * outside that range, including a "negative" field element, has no mask).
 *
 * The mask is computed by a hint (<--); the three constraint groups above are
 * what pin it, and test/circuit.soundness.test.ts tampers with it.
 */
template PrefixMask(N) {
    assert(N >= 1);

    signal input count;     // 0 .. N
    signal output mask[N];  // 1 for i < count, else 0

    var total = 0;
    for (var i = 0; i < N; i++) {
        mask[i] <-- i < count ? 1 : 0;
        mask[i] * (mask[i] - 1) === 0;
        if (i > 0) {
            mask[i] * (1 - mask[i - 1]) === 0;
        }
        total += mask[i];
    }
    total === count;
}
