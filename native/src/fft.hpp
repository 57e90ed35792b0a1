// Radix-2 FFT over Fr with ffjavascript's roots of unity: w_s = 5^((r-1)/2^28)
// (5 is Fr's first quadratic non-residue, 2^28 the largest power of two
// dividing r - 1), w_k = w_s^(2^(28-k)). fft(x)_i = sum_j x_j w^(ij);
// ifft is the inverse including the 1/n factor. Elements are Montgomery.
#pragma once
#include <vector>

#include "field.hpp"

namespace zkseq {

constexpr unsigned FR_TWO_ADICITY = 28;

/** The primitive 2^k-th root of unity ffjavascript calls Fr.w[k]. */
inline Fr frRootOfUnity(unsigned k) {
  // t = (r - 1) >> 28
  uint64_t t[4];
  const uint64_t* p = FrParams::P;
  uint64_t pm1[4] = {p[0] - 1, p[1], p[2], p[3]};
  for (int i = 0; i < 4; i++) {
    t[i] = pm1[i] >> FR_TWO_ADICITY;
    if (i < 3) t[i] |= pm1[i + 1] << (64 - FR_TWO_ADICITY);
  }
  Fr w = Fr::fromUint(5).pow(t);
  for (unsigned i = FR_TWO_ADICITY; i > k; i--) w = w.sq();
  return w;
}

inline void fft(Fr* a, size_t n, bool inverse) {
  unsigned k = 0;
  while ((size_t(1) << k) < n) k++;
  // bit-reversal permutation
  for (size_t i = 1, j = 0; i < n; i++) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  Fr w = frRootOfUnity(k);
  if (inverse) w = w.inv();
  std::vector<Fr> tw(n / 2 > 0 ? n / 2 : 1);
  tw[0] = Fr::one();
  for (size_t i = 1; i < n / 2; i++) tw[i] = tw[i - 1] * w;
  for (size_t len = 2; len <= n; len <<= 1) {
    size_t halfLen = len >> 1, step = n / len;
    for (size_t i = 0; i < n; i += len) {
      for (size_t j = 0; j < halfLen; j++) {
        Fr u = a[i + j], v = a[i + j + halfLen] * tw[j * step];
        a[i + j] = u + v;
        a[i + j + halfLen] = u - v;
      }
    }
  }
  if (inverse) {
    Fr nInv = Fr::fromUint(n).inv();
    for (size_t i = 0; i < n; i++) a[i] = a[i] * nInv;
  }
}

}  // namespace zkseq
