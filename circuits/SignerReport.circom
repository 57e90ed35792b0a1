pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "MerkleInclusion.circom";
include "ReceiveTimesCommit.circom";

/**
 * SignerReport(D, B): one committee member's signed report on a batch.
 *
 * Proves, for one signer slot:
 *   1. membership: Poseidon(Ax, Ay, weight) is the leaf at `index` of the
 *      committee tree of depth D whose root is `committeeRoot`;
 *   2. weight is a u64 (so the caller can sum weights without overflow);
 *   3. every receive time is a u32 (via ReceiveTimesCommit);
 *   4. the member's EdDSA-Poseidon (BabyJubjub) signature (R8, S) is valid on
 *      Poseidon(batchHash, tsCommit), tsCommit = ReceiveTimesCommit(times).
 *      The verifier is always enabled (enabled = 1, never left to the prover),
 *      and circomlib checks S < the subgroup order and A is not of small order.
 *
 * Does NOT enforce that signers are distinct or that their weight reaches the
 * threshold: Batch does, across slots.
 */
template SignerReport(D, B) {
    signal input batchHash;        // the header hash being signed
    signal input committeeRoot;    // root of the committee tree
    signal input index;            // the member's leaf index
    signal input Ax;               // the member's BabyJubjub public key
    signal input Ay;
    signal input weight;           // the member's stake weight (u64)
    signal input siblings[D];      // Merkle path of the member's leaf
    signal input R8x;              // signature point R8
    signal input R8y;
    signal input S;                // signature scalar
    signal input times[B];         // the member's receive time for each slot

    // 1. membership
    component leaf = Poseidon(3);
    leaf.inputs[0] <== Ax;
    leaf.inputs[1] <== Ay;
    leaf.inputs[2] <== weight;
    component path = MerkleInclusion(D);
    path.leaf <== leaf.out;
    path.index <== index;
    for (var l = 0; l < D; l++) {
        path.siblings[l] <== siblings[l];
    }
    path.root === committeeRoot;

    // 2. weight range
    component weightRange = Num2Bits(64);
    weightRange.in <== weight;

    // 3. receive-time commitment (range-checks every time)
    component tsCommit = ReceiveTimesCommit(B);
    for (var i = 0; i < B; i++) {
        tsCommit.times[i] <== times[i];
    }

    // 4. signature over Poseidon(batchHash, tsCommit)
    component message = Poseidon(2);
    message.inputs[0] <== batchHash;
    message.inputs[1] <== tsCommit.commit;

    component sig = EdDSAPoseidonVerifier();
    sig.enabled <== 1;
    sig.Ax <== Ax;
    sig.Ay <== Ay;
    sig.R8x <== R8x;
    sig.R8y <== R8y;
    sig.S <== S;
    sig.M <== message.out;
}
