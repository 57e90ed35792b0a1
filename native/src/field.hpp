// BN254 prime fields in Montgomery form: four 64-bit limbs, little-endian,
// products through unsigned __int128 (CIOS multiplication). One template,
// two parameter sets: Fq (the base field) and Fr (the scalar field).
// An element's limbs are exactly snarkjs's "LEM" bytes (Montgomery, LE).
#pragma once
#include <cstdint>
#include <cstring>

namespace zkseq {

typedef unsigned __int128 u128;

struct FqParams {
  static constexpr uint64_t P[4] = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
  static constexpr uint64_t R[4] = {0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL};
  static constexpr uint64_t R2[4] = {0xf32cfc5b538afa89ULL, 0xb5e71911d44501fbULL, 0x47ab1eff0a417ff6ULL, 0x06d89f71cab8351fULL};
  static constexpr uint64_t INV = 0x87d20782e4866389ULL;
};

struct FrParams {
  static constexpr uint64_t P[4] = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
  static constexpr uint64_t R[4] = {0xac96341c4ffffffbULL, 0x36fc76959f60cd29ULL, 0x666ea36f7879462eULL, 0x0e0a77c19a07df2fULL};
  static constexpr uint64_t R2[4] = {0x1bb8e645ae216da7ULL, 0x53fe3ab1e35c59e3ULL, 0x8c49833d53bb8085ULL, 0x0216d0b17f4e44a5ULL};
  static constexpr uint64_t INV = 0xc2e1f593efffffffULL;
};

/** a < b on 4-limb integers. */
inline bool lessThan(const uint64_t* a, const uint64_t* b) {
  for (int i = 3; i >= 0; i--) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return false;
}

template <class P>
struct Field {
  uint64_t v[4];

  static Field zero() { return Field{{0, 0, 0, 0}}; }
  static Field one() { return Field{{P::R[0], P::R[1], P::R[2], P::R[3]}}; }
  static Field fromLimbs(const uint64_t* l) { Field r; std::memcpy(r.v, l, 32); return r; }
  /** A reduced integer (normal form) into Montgomery form. */
  static Field fromNormal(const uint64_t* l) { Field a = fromLimbs(l), r2 = fromLimbs(P::R2); return a * r2; }
  static Field fromUint(uint64_t x) { uint64_t l[4] = {x, 0, 0, 0}; return fromNormal(l); }
  /** Whether the 4 limbs are below the modulus. */
  static bool isReduced(const uint64_t* l) { return lessThan(l, P::P); }

  bool isZero() const { return (v[0] | v[1] | v[2] | v[3]) == 0; }
  bool operator==(const Field& o) const { return v[0] == o.v[0] && v[1] == o.v[1] && v[2] == o.v[2] && v[3] == o.v[3]; }
  bool operator!=(const Field& o) const { return !(*this == o); }

  /** Montgomery form out to normal form. */
  void toNormal(uint64_t* out) const {
    Field one1{{1, 0, 0, 0}};
    Field r = *this * one1;
    std::memcpy(out, r.v, 32);
  }

  __attribute__((always_inline)) inline Field operator+(const Field& b) const {
    Field r;
    u128 c = 0;
    for (int i = 0; i < 4; i++) { c = (u128)v[i] + b.v[i] + (uint64_t)(c >> 64); r.v[i] = (uint64_t)c; }
    // BN254 moduli are below 2^254: the sum never overflows 256 bits.
    if (!lessThan(r.v, P::P)) subP(r.v);
    return r;
  }

  __attribute__((always_inline)) inline Field operator-(const Field& b) const {
    Field r;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
      u128 d = (u128)v[i] - b.v[i] - borrow;
      r.v[i] = (uint64_t)d;
      borrow = (uint64_t)(d >> 64) & 1;
    }
    if (borrow) {
      u128 c = 0;
      for (int i = 0; i < 4; i++) { c = (u128)r.v[i] + P::P[i] + (uint64_t)(c >> 64); r.v[i] = (uint64_t)c; }
    }
    return r;
  }

  Field operator-() const { return isZero() ? *this : Field::zero() - *this; }
  Field dbl() const { return *this + *this; }

  /**
   * CIOS Montgomery multiplication without the extra carry word (gnark-crypto's
   * "no-carry" variant): valid because both moduli's top limb is below 2^63 - 1.
   */
  __attribute__((always_inline)) inline Field operator*(const Field& b) const {
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    const uint64_t a0 = v[0], a1 = v[1], a2 = v[2], a3 = v[3];
    for (int i = 0; i < 4; i++) {
      const uint64_t bi = b.v[i];
      u128 x = (u128)a0 * bi + t0;
      uint64_t A = (uint64_t)(x >> 64);
      t0 = (uint64_t)x;
      const uint64_t m = t0 * P::INV;
      x = (u128)m * P::P[0] + t0;
      uint64_t C = (uint64_t)(x >> 64);
      x = (u128)a1 * bi + t1 + A;
      A = (uint64_t)(x >> 64);
      t1 = (uint64_t)x;
      x = (u128)m * P::P[1] + t1 + C;
      C = (uint64_t)(x >> 64);
      t0 = (uint64_t)x;
      x = (u128)a2 * bi + t2 + A;
      A = (uint64_t)(x >> 64);
      t2 = (uint64_t)x;
      x = (u128)m * P::P[2] + t2 + C;
      C = (uint64_t)(x >> 64);
      t1 = (uint64_t)x;
      x = (u128)a3 * bi + t3 + A;
      A = (uint64_t)(x >> 64);
      t3 = (uint64_t)x;
      x = (u128)m * P::P[3] + t3 + C;
      C = (uint64_t)(x >> 64);
      t2 = (uint64_t)x;
      t3 = C + A;
    }
    Field r{{t0, t1, t2, t3}};
    if (!lessThan(r.v, P::P)) subP(r.v);
    return r;
  }

  Field sq() const { return *this * *this; }

  /** this^e for a little-endian 4-limb exponent. */
  Field pow(const uint64_t* e) const {
    Field r = one(), b = *this;
    for (int i = 0; i < 256; i++) {
      if ((e[i / 64] >> (i % 64)) & 1) r = r * b;
      b = b.sq();
    }
    return r;
  }

  /** The inverse (Fermat); 0 maps to 0. */
  Field inv() const {
    uint64_t e[4];
    std::memcpy(e, P::P, 32);
    e[0] -= 2;  // no borrow: both moduli end in an odd limb > 2
    return pow(e);
  }

 private:
  static void subP(uint64_t* x) {
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
      u128 d = (u128)x[i] - P::P[i] - borrow;
      x[i] = (uint64_t)d;
      borrow = (uint64_t)(d >> 64) & 1;
    }
  }
};

typedef Field<FqParams> Fq;
typedef Field<FrParams> Fr;

/** Fq2 = Fq[u] / (u^2 + 1). */
struct Fq2 {
  Fq c0, c1;
  static Fq2 zero() { return Fq2{Fq::zero(), Fq::zero()}; }
  static Fq2 one() { return Fq2{Fq::one(), Fq::zero()}; }
  bool isZero() const { return c0.isZero() && c1.isZero(); }
  bool operator==(const Fq2& o) const { return c0 == o.c0 && c1 == o.c1; }
  bool operator!=(const Fq2& o) const { return !(*this == o); }
  Fq2 operator+(const Fq2& b) const { return Fq2{c0 + b.c0, c1 + b.c1}; }
  Fq2 operator-(const Fq2& b) const { return Fq2{c0 - b.c0, c1 - b.c1}; }
  Fq2 operator-() const { return Fq2{-c0, -c1}; }
  Fq2 dbl() const { return Fq2{c0.dbl(), c1.dbl()}; }
  Fq2 operator*(const Fq2& b) const {
    Fq aa = c0 * b.c0, bb = c1 * b.c1;
    Fq m = (c0 + c1) * (b.c0 + b.c1);
    return Fq2{aa - bb, m - aa - bb};
  }
  Fq2 sq() const {
    Fq ab = c0 * c1;
    return Fq2{(c0 + c1) * (c0 - c1), ab.dbl()};
  }
  Fq2 inv() const {
    Fq t = (c0.sq() + c1.sq()).inv();
    return Fq2{c0 * t, -(c1 * t)};
  }
};

}  // namespace zkseq
