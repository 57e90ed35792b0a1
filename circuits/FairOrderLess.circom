pragma circom 2.1.0;

include "circomlib/circuits/comparators.circom";

/**
 * FairOrderLess(): out = 1 iff (timeA, hashA) < (timeB, hashB) lexicographically.
 *
 * Proves: out is boolean and equals [timeA < timeB] + [timeA == timeB] * [hashA < hashB].
 *
 * Does NOT range-check its inputs: the caller must give u32 times and
 * 248-bit hashes (LessThan is only sound on range-checked inputs).
 */
template FairOrderLess() {
    signal input timeA;   // u32
    signal input hashA;   // < 2^248
    signal input timeB;   // u32
    signal input hashB;   // < 2^248
    signal output out;

    component timeLt = LessThan(32);
    timeLt.in[0] <== timeA;
    timeLt.in[1] <== timeB;

    component timeEq = IsZero();
    timeEq.in <== timeA - timeB;

    component hashLt = LessThan(248);
    hashLt.in[0] <== hashA;
    hashLt.in[1] <== hashB;

    // timeLt and timeEq are never both 1, so out is boolean.
    out <== timeLt.out + timeEq.out * hashLt.out;
}
