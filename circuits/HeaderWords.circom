pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";

/**
 * HeaderWords(): unpacks the two packed public header words (protocol v2).
 *
 *   packedA = chainId (64 bits) << 176 | inbox (160 bits) << 16 | txCount (16 bits)
 *   packedB = batchNumber (64 bits) << 176 | round (32 bits) << 144
 *           | timeBase (48 bits) << 96 | forcedFrom (48 bits) << 48 | forcedTo (48 bits)
 *
 * Proves: each word is below 2^240 and the outputs are its fields, each
 * range-checked to its width (so the decomposition is unique).
 *
 * Does NOT check the fields' values against any state: the inbox contract does.
 */
template HeaderWords() {
    signal input packedA;
    signal input packedB;
    signal output chainId;
    signal output inbox;
    signal output txCount;
    signal output batchNumber;
    signal output round;
    signal output timeBase;
    signal output forcedFrom;
    signal output forcedTo;

    component a = Num2Bits(240);
    a.in <== packedA;
    component b = Num2Bits(240);
    b.in <== packedB;

    var chainIdAcc = 0;
    for (var i = 0; i < 64; i++) { chainIdAcc += a.out[176 + i] * (1 << i); }
    chainId <== chainIdAcc;
    var inboxAcc = 0;
    for (var i = 0; i < 160; i++) { inboxAcc += a.out[16 + i] * (1 << i); }
    inbox <== inboxAcc;
    var txCountAcc = 0;
    for (var i = 0; i < 16; i++) { txCountAcc += a.out[0 + i] * (1 << i); }
    txCount <== txCountAcc;
    var batchNumberAcc = 0;
    for (var i = 0; i < 64; i++) { batchNumberAcc += b.out[176 + i] * (1 << i); }
    batchNumber <== batchNumberAcc;
    var roundAcc = 0;
    for (var i = 0; i < 32; i++) { roundAcc += b.out[144 + i] * (1 << i); }
    round <== roundAcc;
    var timeBaseAcc = 0;
    for (var i = 0; i < 48; i++) { timeBaseAcc += b.out[96 + i] * (1 << i); }
    timeBase <== timeBaseAcc;
    var forcedFromAcc = 0;
    for (var i = 0; i < 48; i++) { forcedFromAcc += b.out[48 + i] * (1 << i); }
    forcedFrom <== forcedFromAcc;
    var forcedToAcc = 0;
    for (var i = 0; i < 48; i++) { forcedToAcc += b.out[0 + i] * (1 << i); }
    forcedTo <== forcedToAcc;
}

