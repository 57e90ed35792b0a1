pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "MerkleInclusion.circom";

/**
 * Equivocation(D): evidence that a committee member signed two different
 * reports for the same batch slot and round (chainId, inbox, batchNumber,
 * round), naming the reporter the slashing reward goes to (protocol v2).
 * Reports in two different rounds are not evidence: a member signs one
 * header per (batchNumber, round), and a new round may re-propose.
 *
 * Proves:
 *   1. membership: Poseidon(Ax, Ay, weight) is a leaf of the committee tree
 *      whose committeeHash = Poseidon(root, thresholdWeight, epoch) is public;
 *   2. two headers: for r = 0, 1, batchHash[r] = Poseidon(chainId, inbox,
 *      batchNumber, round, rest[r][0..9]) — the same 14-field header hash as
 *      the Batch circuit, with the public chainId, inbox, batchNumber and round
 *      shared and the other ten fields free;
 *   3. two signatures: the member's EdDSA-Poseidon signature (enabled tied to 1)
 *      on message[r] = Poseidon(batchHash[r], tsCommit[r]), the exact message a
 *      report signs;
 *   4. they differ: message[0] != message[1]. Messages, not signatures, are
 *      compared: one message has many valid signatures (R8 is not unique), so
 *      two signatures on the same report are not equivocation;
 *   5. the public `reporter` (an address, paid by the inbox) is bound to the
 *      proof, so a copied slash transaction still pays the original reporter.
 *
 * Does NOT enforce that the committee is one the inbox knows, nor that chainId
 * and inbox are the inbox's own: BatchInbox.slash checks both against its state.
 * The header fields are not range-checked: the hash binds them, and nothing
 * here compares them.
 */
template Equivocation(D) {
    assert(D >= 1);

    // public
    signal input committeeHash;      // a committee the inbox has known
    signal input chainId;            // the batch slot both reports are for
    signal input inbox;
    signal input batchNumber;
    signal input round;              // the round both reports are for
    signal input Ax;                 // the equivocating member's public key
    signal input Ay;
    signal input reporter;           // who gets the reward (the inbox range-checks it to 160 bits)

    // private: membership
    signal input committeeRoot;
    signal input thresholdWeight;
    signal input epoch;
    signal input weight;
    signal input index;
    signal input siblings[D];

    // private: the two reports
    signal input rest[2][10];        // prevBatchHash, committeeHash, nextCommitteeHash, timeBase, txCount,
                                     // txRoot, forcedFrom, forcedTo, forcedAccFrom, forcedAccTo
    signal input tsCommit[2];        // each report's receive-time commitment
    signal input R8x[2];
    signal input R8y[2];
    signal input S[2];

    // 1. membership
    component committee = Poseidon(3);
    committee.inputs[0] <== committeeRoot;
    committee.inputs[1] <== thresholdWeight;
    committee.inputs[2] <== epoch;
    committee.out === committeeHash;

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

    // 2. + 3. two headers of the same slot, each report signed
    component header[2];
    component message[2];
    component sig[2];
    for (var r = 0; r < 2; r++) {
        header[r] = Poseidon(14);
        header[r].inputs[0] <== chainId;
        header[r].inputs[1] <== inbox;
        header[r].inputs[2] <== batchNumber;
        header[r].inputs[3] <== round;
        for (var k = 0; k < 10; k++) {
            header[r].inputs[4 + k] <== rest[r][k];
        }
        message[r] = Poseidon(2);
        message[r].inputs[0] <== header[r].out;
        message[r].inputs[1] <== tsCommit[r];

        sig[r] = EdDSAPoseidonVerifier();
        sig[r].enabled <== 1;
        sig[r].Ax <== Ax;
        sig[r].Ay <== Ay;
        sig[r].R8x <== R8x[r];
        sig[r].R8y <== R8y[r];
        sig[r].S <== S[r];
        sig[r].M <== message[r].out;
    }

    // 4. different reports
    component same = IsZero();
    same.in <== message[0].out - message[1].out;
    same.out === 0;

    // 5. bind the reporter (a public input in no other constraint)
    signal reporterSquare;
    reporterSquare <== reporter * reporter;
}
