// The BN254 groups: G1 over Fq and G2 over Fq2, both y^2 = x^3 + b.
// Sums are kept in Jacobian coordinates (x = X/Z^2, y = Y/Z^3, Z = 0 is the
// point at infinity); bases are affine, where snarkjs stores infinity as (0, 0).
#pragma once
#include "field.hpp"

namespace zkseq {

template <class F>
struct Affine {
  F x, y;
  bool isInfinity() const { return x.isZero() && y.isZero(); }
  static Affine infinity() { return Affine{F::zero(), F::zero()}; }
};

template <class F>
struct Jacobian {
  F X, Y, Z;

  static Jacobian infinity() { return Jacobian{F::one(), F::one(), F::zero()}; }
  static Jacobian fromAffine(const Affine<F>& a) {
    if (a.isInfinity()) return infinity();
    return Jacobian{a.x, a.y, F::one()};
  }
  bool isInfinity() const { return Z.isZero(); }

  /** dbl-2009-l (a = 0). */
  Jacobian dbl() const {
    if (isInfinity()) return *this;
    F A = X.sq(), B = Y.sq(), C = B.sq();
    F D = ((X + B).sq() - A - C).dbl();
    F E = A.dbl() + A;
    F Fv = E.sq();
    F X3 = Fv - D.dbl();
    F C8 = C.dbl().dbl().dbl();
    F Y3 = E * (D - X3) - C8;
    F Z3 = (Y * Z).dbl();
    return Jacobian{X3, Y3, Z3};
  }

  /** madd-2007-bl: this + an affine point. */
  Jacobian addAffine(const Affine<F>& q) const {
    if (q.isInfinity()) return *this;
    if (isInfinity()) return fromAffine(q);
    F Z1Z1 = Z.sq();
    F U2 = q.x * Z1Z1;
    F S2 = q.y * Z * Z1Z1;
    F H = U2 - X;
    F rr = (S2 - Y).dbl();
    if (H.isZero()) {
      if (rr.isZero()) return dbl();
      return infinity();
    }
    F HH = H.sq();
    F I = HH.dbl().dbl();
    F J = H * I;
    F V = X * I;
    F X3 = rr.sq() - J - V.dbl();
    F Y3 = rr * (V - X3) - (Y * J).dbl();
    F Z3 = (Z + H).sq() - Z1Z1 - HH;
    return Jacobian{X3, Y3, Z3};
  }

  /** add-2007-bl. */
  Jacobian operator+(const Jacobian& q) const {
    if (isInfinity()) return q;
    if (q.isInfinity()) return *this;
    F Z1Z1 = Z.sq(), Z2Z2 = q.Z.sq();
    F U1 = X * Z2Z2, U2 = q.X * Z1Z1;
    F S1 = Y * q.Z * Z2Z2, S2 = q.Y * Z * Z1Z1;
    F H = U2 - U1;
    F rr = (S2 - S1).dbl();
    if (H.isZero()) {
      if (rr.isZero()) return dbl();
      return infinity();
    }
    F I = H.dbl().sq();
    F J = H * I;
    F V = U1 * I;
    F X3 = rr.sq() - J - V.dbl();
    F Y3 = rr * (V - X3) - (S1 * J).dbl();
    F Z3 = ((Z + q.Z).sq() - Z1Z1 - Z2Z2) * H;
    return Jacobian{X3, Y3, Z3};
  }

  Jacobian operator-() const { return Jacobian{X, -Y, Z}; }

  Affine<F> toAffine() const {
    if (isInfinity()) return Affine<F>::infinity();
    F zi = Z.inv(), zi2 = zi.sq();
    return Affine<F>{X * zi2, Y * zi2 * zi};
  }

  /** this * k for a little-endian 4-limb integer (double-and-add). */
  Jacobian mul(const uint64_t* k) const {
    Jacobian r = infinity();
    for (int i = 255; i >= 0; i--) {
      r = r.dbl();
      if ((k[i / 64] >> (i % 64)) & 1) r = r + *this;
    }
    return r;
  }
};

typedef Affine<Fq> G1Affine;
typedef Jacobian<Fq> G1;
typedef Affine<Fq2> G2Affine;
typedef Jacobian<Fq2> G2;

/** b of each curve: 3 for G1, 3 / (9 + u) for G2 (the twist). */
inline Fq g1B() { return Fq::fromUint(3); }
inline Fq2 g2B() {
  Fq2 nine_u{Fq::fromUint(9), Fq::one()};
  return Fq2{Fq::fromUint(3), Fq::zero()} * nine_u.inv();
}

template <class F>
inline bool onCurve(const Affine<F>& p, const F& b) {
  if (p.isInfinity()) return true;
  return p.y.sq() == p.x.sq() * p.x + b;
}

}  // namespace zkseq
