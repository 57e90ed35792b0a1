pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";

/**
 * HeaderWords(): unpacks the two packed public header words.
 *
 *   packedA = chainId (64 bits) << 176 | inbox (160 bits) << 16 | txCount (16 bits)
 *   packedB = batchNumber (64 bits) << 176 | timeBase (48 bits) << 128
 *           | forcedFrom (64 bits) << 64 | forcedTo (64 bits)
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
    signal output timeBase;
    signal output forcedFrom;
    signal output forcedTo;

    component a = Num2Bits(240);
    a.in <== packedA;
    component b = Num2Bits(240);
    b.in <== packedB;

    var txCountAcc = 0;
    for (var i = 0; i < 16; i++) { txCountAcc += a.out[i] * (1 << i); }
    var inboxAcc = 0;
    for (var i = 0; i < 160; i++) { inboxAcc += a.out[16 + i] * (1 << i); }
    var chainAcc = 0;
    for (var i = 0; i < 64; i++) { chainAcc += a.out[176 + i] * (1 << i); }
    txCount <== txCountAcc;
    inbox <== inboxAcc;
    chainId <== chainAcc;

    var toAcc = 0;
    for (var i = 0; i < 64; i++) { toAcc += b.out[i] * (1 << i); }
    var fromAcc = 0;
    for (var i = 0; i < 64; i++) { fromAcc += b.out[64 + i] * (1 << i); }
    var timeAcc = 0;
    for (var i = 0; i < 48; i++) { timeAcc += b.out[128 + i] * (1 << i); }
    var numberAcc = 0;
    for (var i = 0; i < 64; i++) { numberAcc += b.out[176 + i] * (1 << i); }
    forcedTo <== toAcc;
    forcedFrom <== fromAcc;
    timeBase <== timeAcc;
    batchNumber <== numberAcc;
}
