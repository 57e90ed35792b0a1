pragma circom 2.1.0;

include "circomlib/circuits/babyjub.circom";

/*
 * KeyOwnership: the prover knows the private scalar of the BabyJubjub key
 * (Ax, Ay), and binds that knowledge to one L1 address `owner`.
 *
 * Proves:
 *   1. (Ax, Ay) = s * Base8 for a private s < 2^253 (circomlib's BabyPbk). Base8
 *      generates the prime-order subgroup, so (Ax, Ay) is in that subgroup: a
 *      key with a small-order component, such as the "twin" (-Ax, -Ay) = A + (0, -1)
 *      of a real key, has no such proof. (EdDSA verification multiplies by the
 *      cofactor, so a twin would accept every signature of A: a second seat.)
 *   2. `owner` is bound to the proof (a quadratic constraint on it), so a proof
 *      made for one address does not verify for another: nobody can copy a
 *      pending `bond` and claim the key.
 *
 * Does NOT enforce: that `owner` is an address (< 2^160) or that Ax, Ay are
 * below the field modulus as integers. BatchInbox.bond passes msg.sender as
 * `owner` and checks the key's words itself.
 * The scalar is circomlibjs's: s = pruned blake512(privateKey) >> 3 (src/keyOwnership.ts).
 */
template KeyOwnership() {
    signal input Ax;     // public: the key's x coordinate
    signal input Ay;     // public: the key's y coordinate
    signal input owner;  // public: the L1 address the bond will belong to
    signal input s;      // private: the scalar, A = s * Base8

    // 1. A = s * Base8 (s is range-checked to 253 bits inside BabyPbk)
    component pbk = BabyPbk();
    pbk.in <== s;
    pbk.Ax === Ax;
    pbk.Ay === Ay;

    // 2. bind the owner: without a constraint on it, any value would verify
    signal ownerSquare;
    ownerSquare <== owner * owner;
}
