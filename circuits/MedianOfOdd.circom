pragma circom 2.1.0;

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/bitify.circom";

/**
 * MedianOfOdd(Q): checks that `median` is the median of Q (odd) u32 values.
 *
 * Proves: median is a u32, at least (Q+1)/2 values are <= median and at least
 * (Q+1)/2 values are >= median. For odd Q exactly one number satisfies both
 * (a value strictly between two order statistics would be counted by only one
 * side, and the two counts would add up to Q < Q + 1), so median is the
 * ((Q+1)/2)-th smallest value.
 *
 * Does NOT range-check `values`: the caller must (ReceiveTimesCommit does).
 */
template MedianOfOdd(Q) {
    assert(Q % 2 == 1);
    var HALF = (Q + 1) \ 2;
    var CB = 1;   // bits to hold a count 0..Q
    while ((1 << CB) <= Q) { CB++; }

    signal input values[Q];   // u32 values (caller range-checked)
    signal input median;      // the claimed median

    component medianRange = Num2Bits(32);
    medianRange.in <== median;

    component lt[Q];     // values[i] < median
    component eq[Q];     // values[i] == median
    var atMost = 0;      // how many values are <= median
    var atLeast = 0;     // how many values are >= median
    for (var i = 0; i < Q; i++) {
        lt[i] = LessThan(32);
        lt[i].in[0] <== values[i];
        lt[i].in[1] <== median;
        eq[i] = IsZero();
        eq[i].in <== values[i] - median;
        atMost += lt[i].out + eq[i].out;
        atLeast += 1 - lt[i].out;
    }

    component enoughBelow = GreaterEqThan(CB);
    enoughBelow.in[0] <== atMost;
    enoughBelow.in[1] <== HALF;
    enoughBelow.out === 1;

    component enoughAbove = GreaterEqThan(CB);
    enoughAbove.in[0] <== atLeast;
    enoughAbove.in[1] <== HALF;
    enoughAbove.out === 1;
}
