pragma circom 2.1.0;

/**
 * DataEvaluation(B): binds the batch's transaction slots to the bytes the
 * inbox receives on L1.
 *
 *   evaluation = sum over i < B of enabled[i] * leaves[i] * challenge^i
 *
 * i.e. the polynomial whose coefficients are the enabled slots' hashes,
 * evaluated at `challenge`. The inbox derives challenge = keccak256(txRoot,
 * posted hashes) mod p from the raw transactions posted with the batch and
 * compares this evaluation with its own over the posted hashes: two different
 * hash sequences agree at a random point with probability at most B/p
 * (docs/protocol.md, "Data on L1").
 *
 * Proves: `evaluation` is that sum.
 * Does NOT constrain `enabled` to be boolean, nor the leaves' range: Batch
 * derives `enabled` from its boolean slot masks and range-checks the leaves.
 */
template DataEvaluation(B) {
    assert(B >= 1);

    signal input leaves[B];      // slot i's transaction hash
    signal input enabled[B];     // 1 when slot i's bytes are posted with the batch, else 0
    signal input challenge;      // the inbox's challenge point r
    signal output evaluation;    // sum of enabled[i] * leaves[i] * r^i

    signal power[B];             // r^i
    signal kept[B];              // enabled[i] * leaves[i]
    signal term[B];              // kept[i] * r^i
    power[0] <== 1;
    for (var i = 1; i < B; i++) {
        power[i] <== power[i - 1] * challenge;
    }
    var sum = 0;
    for (var i = 0; i < B; i++) {
        kept[i] <== enabled[i] * leaves[i];
        term[i] <== kept[i] * power[i];
        sum += term[i];
    }
    evaluation <== sum;
}
