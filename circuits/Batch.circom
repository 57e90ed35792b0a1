pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "HeaderWords.circom";
include "TxRoot.circom";
include "PrefixMask.circom";
include "ForcedAccumulator.circom";
include "SignerReport.circom";
include "MedianOfOdd.circom";
include "FairOrderLess.circom";
include "DataEvaluation.circom";

/**
 * Batch(D, Q, B, F): a zkseq batch is committee-attested, fair-ordered,
 * carries the forced transactions it claims, and is bound to the transaction
 * bytes posted on L1 (protocol v2, docs/protocol.md).
 *
 * Parameters: committee tree depth D (up to 2^D members), Q signer slots
 * (odd), B transaction slots (a power of two), at most F forced slots (F <= B).
 *
 * Proves:
 *   1. Header: the packed public words decode to range-checked fields;
 *      batchHash = Poseidon(chainId, inbox, batchNumber, round, prevBatchHash,
 *      committeeHash, nextCommitteeHash, timeBase, txCount, txRoot,
 *      forcedFrom, forcedTo, forcedAccFrom, forcedAccTo).
 *   2. Slots: txCount <= B; every tx hash is below 2^248; slots >= txCount are 0;
 *      txRoot = TxRoot over the B slots.
 *   3. Forced inclusion: k = forcedTo - forcedFrom satisfies 0 <= k <= F and
 *      k <= txCount, and folding Poseidon(acc, txHash) over slots [0, k)
 *      takes forcedAccFrom to forcedAccTo.
 *   4. Committee: committeeHash = Poseidon(committeeRoot, thresholdWeight, epoch).
 *   5. Quorum: Q members of that committee, with strictly increasing leaf
 *      indices (so distinct), each signed Poseidon(batchHash, tsCommit) over
 *      its own receive times, and their weights sum to >= thresholdWeight.
 *   6. Fair ordering: fairTimes[i] is the median of the Q reported receive
 *      times of slot i, and slots [k, txCount) are strictly increasing by
 *      (fairTime, txHash).
 *   7. Data: dataEval = sum over the fair-ordered slots i in [k, txCount) of
 *      txHashes[i] * dataChallenge^i (DataEvaluation), which the inbox
 *      compares with the same sum over the hashes of the raw transactions
 *      posted with the batch, at the challenge it derived from them.
 *
 * Does NOT enforce (the inbox contract does, against its state): that
 * prevBatchHash is the chain head, that committeeHash is the current
 * committee, that the forced range starts at the next unconsumed queue entry
 * and that the accumulators are the stored ones, that overdue forced entries
 * are included, that timeBase is sane, that chainId and inbox are its own,
 * that dataChallenge is derived from txRoot and the posted data, that the
 * round is anything in particular (any round may land, the first one wins).
 * Nor does it constrain receive times of forced or padding slots, or stop a
 * transaction from appearing twice with two different fair times (honest
 * members report one receive time per transaction and refuse duplicates).
 */
template Batch(D, Q, B, F) {
    assert(D >= 1);
    assert(Q % 2 == 1);
    assert(B >= 2 && B < (1 << 16));
    assert(F >= 1 && F <= B);
    var LOG_B = 0;
    while ((1 << LOG_B) < B) { LOG_B++; }
    assert((1 << LOG_B) == B);   // B must be a power of two (TxRoot)
    var QB = 1;                  // bits to hold Q
    while ((1 << QB) <= Q) { QB++; }

    // ---- public inputs (checked by the inbox contract) ----
    signal input prevBatchHash;      // the chain head this batch extends
    signal input committeeHash;      // the committee that signs it
    signal input nextCommitteeHash;  // the committee for the next batch
    signal input forcedAccFrom;      // forced-queue accumulator at forcedFrom
    signal input forcedAccTo;        // forced-queue accumulator at forcedTo
    signal input packedA;            // chainId | inbox | txCount (HeaderWords)
    signal input packedB;            // batchNumber | round | timeBase | forcedFrom | forcedTo
    signal input dataChallenge;      // the inbox's challenge point over the posted transactions

    // ---- public outputs ----
    signal output batchHash;         // Poseidon hash of the whole header
    signal output txRoot;            // Merkle root of the B transaction slots
    signal output dataEval;          // the fair-ordered slots' polynomial at dataChallenge

    // ---- private inputs ----
    signal input committeeRoot;              // committee Merkle root
    signal input thresholdWeight;            // quorum weight (u64)
    signal input epoch;                      // committee epoch
    signal input txHashes[B];                // slot i's transaction hash, 0 past txCount
    signal input fairTimes[B];               // slot i's median receive time
    signal input signerIndex[Q];             // leaf index of each signer, increasing
    signal input signerAx[Q];                // signer public keys
    signal input signerAy[Q];
    signal input signerWeight[Q];            // signer stake weights
    signal input signerSiblings[Q][D];       // signer Merkle paths
    signal input sigR8x[Q];                  // signatures
    signal input sigR8y[Q];
    signal input sigS[Q];
    signal input receiveTimes[Q][B];         // receiveTimes[j][i]: signer j's time for slot i

    // ---- 1. header fields ----
    component words = HeaderWords();
    words.packedA <== packedA;
    words.packedB <== packedB;

    // ---- 2. slots ----
    component active = PrefixMask(B);    // active.mask[i] = (i < txCount); forces txCount <= B
    active.count <== words.txCount;
    component hashRange[B];
    for (var i = 0; i < B; i++) {
        hashRange[i] = Num2Bits(248);
        hashRange[i].in <== txHashes[i];
        (1 - active.mask[i]) * txHashes[i] === 0;   // padding slots are zero
    }

    component root = TxRoot(B);
    for (var i = 0; i < B; i++) {
        root.leaves[i] <== txHashes[i];
    }
    txRoot <== root.root;

    // ---- 3. forced inclusion ----
    // forced.mask[i] = (i < forcedTo - forcedFrom); the mask exists only when
    // 0 <= forcedTo - forcedFrom <= F.
    component forced = PrefixMask(F);
    forced.count <== words.forcedTo - words.forcedFrom;
    component acc = ForcedAccumulator(F);
    acc.accFrom <== forcedAccFrom;
    for (var i = 0; i < F; i++) {
        forced.mask[i] * (1 - active.mask[i]) === 0;   // forced slots are within txCount
        acc.hashes[i] <== txHashes[i];
        acc.enabled[i] <== forced.mask[i];
    }
    acc.accTo === forcedAccTo;

    // ---- 4. committee ----
    component committee = Poseidon(3);
    committee.inputs[0] <== committeeRoot;
    committee.inputs[1] <== thresholdWeight;
    committee.inputs[2] <== epoch;
    committee.out === committeeHash;

    // ---- 1. (cont.) header hash ----
    component header = Poseidon(14);
    header.inputs[0] <== words.chainId;
    header.inputs[1] <== words.inbox;
    header.inputs[2] <== words.batchNumber;
    header.inputs[3] <== words.round;
    header.inputs[4] <== prevBatchHash;
    header.inputs[5] <== committeeHash;
    header.inputs[6] <== nextCommitteeHash;
    header.inputs[7] <== words.timeBase;
    header.inputs[8] <== words.txCount;
    header.inputs[9] <== txRoot;
    header.inputs[10] <== words.forcedFrom;
    header.inputs[11] <== words.forcedTo;
    header.inputs[12] <== forcedAccFrom;
    header.inputs[13] <== forcedAccTo;
    batchHash <== header.out;

    // ---- 5. quorum ----
    component reports[Q];
    var weightSum = 0;
    for (var j = 0; j < Q; j++) {
        reports[j] = SignerReport(D, B);
        reports[j].batchHash <== batchHash;
        reports[j].committeeRoot <== committeeRoot;
        reports[j].index <== signerIndex[j];
        reports[j].Ax <== signerAx[j];
        reports[j].Ay <== signerAy[j];
        reports[j].weight <== signerWeight[j];
        for (var l = 0; l < D; l++) {
            reports[j].siblings[l] <== signerSiblings[j][l];
        }
        reports[j].R8x <== sigR8x[j];
        reports[j].R8y <== sigR8y[j];
        reports[j].S <== sigS[j];
        for (var i = 0; i < B; i++) {
            reports[j].times[i] <== receiveTimes[j][i];
        }
        weightSum += signerWeight[j];
    }

    // distinct signers: leaf indices strictly increase (range-checked to D
    // bits inside MerkleInclusion)
    component distinct[Q - 1];
    for (var j = 0; j + 1 < Q; j++) {
        distinct[j] = LessThan(D);
        distinct[j].in[0] <== signerIndex[j];
        distinct[j].in[1] <== signerIndex[j + 1];
        distinct[j].out === 1;
    }

    component thresholdRange = Num2Bits(64);
    thresholdRange.in <== thresholdWeight;
    component quorum = GreaterEqThan(64 + QB);   // each weight is a u64
    quorum.in[0] <== weightSum;
    quorum.in[1] <== thresholdWeight;
    quorum.out === 1;

    // ---- 6. fair ordering ----
    component median[B];
    for (var i = 0; i < B; i++) {
        median[i] = MedianOfOdd(Q);
        for (var j = 0; j < Q; j++) {
            median[i].values[j] <== receiveTimes[j][i];
        }
        median[i].median <== fairTimes[i];
    }

    component less[B - 1];
    signal ordered[B - 1];   // 1 when slots i and i+1 are both fair-ordered slots
    for (var i = 0; i + 1 < B; i++) {
        less[i] = FairOrderLess();
        less[i].timeA <== fairTimes[i];
        less[i].hashA <== txHashes[i];
        less[i].timeB <== fairTimes[i + 1];
        less[i].hashB <== txHashes[i + 1];
        if (i < F) {
            ordered[i] <== active.mask[i + 1] * (1 - forced.mask[i]);
        } else {
            ordered[i] <== active.mask[i + 1];
        }
        ordered[i] * (1 - less[i].out) === 0;
    }

    // ---- 7. data on L1 ----
    // posted[i] = 1 for a fair-ordered slot (active and not forced): exactly
    // the slots whose raw bytes submitBatch carries.
    signal posted[B];
    component data = DataEvaluation(B);
    for (var i = 0; i < B; i++) {
        if (i < F) {
            posted[i] <== active.mask[i] * (1 - forced.mask[i]);
        } else {
            posted[i] <== active.mask[i];
        }
        data.leaves[i] <== txHashes[i];
        data.enabled[i] <== posted[i];
    }
    data.challenge <== dataChallenge;
    dataEval <== data.evaluation;
}
