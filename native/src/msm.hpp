// Multi-scalar multiplication sum(k_i * P_i) with Pippenger's buckets and
// signed digits: each c-bit window digit lies in [-2^(c-1), 2^(c-1)], so a
// window needs 2^(c-1) buckets and a negative digit adds -P (free: negate y).
// Windows are spread over `threads` std::threads, each with its own buckets.
// Buckets are accumulated in affine coordinates, many additions at a time
// sharing one field inversion (Montgomery's trick): about 6 multiplications an
// addition instead of 11 for a mixed Jacobian one. An addition whose bucket is
// already in the pending batch, or that would be a doubling or P - P, goes to a
// Jacobian overflow bucket instead.
// Bases are affine (snarkjs's zkey layout); scalars are 32-byte little-endian
// integers in normal form, below the group order.
#pragma once
#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

#include "curve.hpp"

namespace zkseq {

inline unsigned msmWindowBits(size_t n) {
  unsigned lg = 0;
  while ((size_t(1) << (lg + 1)) <= n) lg++;
  int c = int(lg) - 3;
  return unsigned(std::clamp(c, 2, 16));
}

/** Bits [offset, offset + width) of a 4-limb integer (width <= 32). */
inline uint32_t scalarBits(const uint64_t* k, unsigned offset, unsigned width) {
  if (offset >= 256) return 0;
  unsigned limb = offset / 64, shift = offset % 64;
  uint64_t v = k[limb] >> shift;
  if (shift + width > 64 && limb + 1 < 4) v |= k[limb + 1] << (64 - shift);
  return uint32_t(v & ((uint64_t(1) << width) - 1));
}

/** Runs f(i) for i in [0, n) on up to `threads` threads. */
template <class Fn>
inline void parallelFor(size_t n, unsigned threads, Fn f) {
  unsigned t = unsigned(std::min<size_t>(std::max(1u, threads), n));
  if (t <= 1) {
    for (size_t i = 0; i < n; i++) f(i);
    return;
  }
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < t; w++) {
    pool.emplace_back([&, w] {
      for (size_t i = w; i < n; i += t) f(i);
    });
  }
  for (auto& th : pool) th.join();
}

/** sum_j (j + 1) * bucket_j for one window's digits, with batch-affine bucket additions. */
template <class F>
Jacobian<F> windowSum(const Affine<F>* bases, const int32_t* digits, size_t n, size_t nBuckets) {
  enum : uint8_t { EMPTY = 0, SET = 1, PENDING = 2 };
  std::vector<Affine<F>> bucket(nBuckets);
  std::vector<uint8_t> state(nBuckets, EMPTY);
  std::vector<Jacobian<F>> overflow;  // allocated on the first conflict
  const size_t batchSize = std::max<size_t>(16, std::min<size_t>(512, nBuckets / 8));
  std::vector<uint32_t> pendingBucket(batchSize);
  std::vector<Affine<F>> pendingPoint(batchSize);
  std::vector<F> denominator(batchSize), prefix(batchSize);
  size_t k = 0;

  auto flush = [&]() {
    if (k == 0) return;
    F acc = F::one();
    for (size_t i = 0; i < k; i++) {
      prefix[i] = acc;
      acc = acc * denominator[i];
    }
    F inv = acc.inv();
    for (size_t i = k; i-- > 0;) {
      const F dInv = inv * prefix[i];
      inv = inv * denominator[i];
      Affine<F>& b = bucket[pendingBucket[i]];
      const Affine<F>& p = pendingPoint[i];
      const F lambda = (p.y - b.y) * dInv;
      const F x3 = lambda.sq() - b.x - p.x;
      b.y = lambda * (b.x - x3) - b.y;
      b.x = x3;
      state[pendingBucket[i]] = SET;
    }
    k = 0;
  };

  for (size_t i = 0; i < n; i++) {
    const int32_t d = digits[i];
    if (d == 0 || bases[i].isInfinity()) continue;
    const size_t j = size_t(d > 0 ? d : -d) - 1;
    const Affine<F> p = d > 0 ? bases[i] : Affine<F>{bases[i].x, -bases[i].y};
    if (state[j] == EMPTY) {
      bucket[j] = p;
      state[j] = SET;
      continue;
    }
    if (state[j] == PENDING || bucket[j].x == p.x) {
      if (overflow.empty()) overflow.assign(nBuckets, Jacobian<F>::infinity());
      overflow[j] = overflow[j].addAffine(p);
      continue;
    }
    pendingBucket[k] = uint32_t(j);
    pendingPoint[k] = p;
    denominator[k] = p.x - bucket[j].x;
    state[j] = PENDING;
    if (++k == batchSize) flush();
  }
  flush();

  // sum_j (j+1) * bucket_j by running sums from the top.
  Jacobian<F> running = Jacobian<F>::infinity(), total = Jacobian<F>::infinity();
  for (size_t j = nBuckets; j-- > 0;) {
    if (state[j] != EMPTY) running = running.addAffine(bucket[j]);
    if (!overflow.empty()) running = running + overflow[j];
    total = total + running;
  }
  return total;
}

template <class F>
Jacobian<F> msm(const Affine<F>* bases, const uint8_t* scalars, size_t n, unsigned threads) {
  if (n == 0) return Jacobian<F>::infinity();
  const unsigned c = msmWindowBits(n);
  const unsigned windows = (255 + c) / c;  // scalars < 2^254; one more bit for the signed carry
  const int32_t half = int32_t(1) << (c - 1);

  // Signed digits of every scalar, window-major so a window reads one run.
  std::vector<int32_t> digits(windows * n);
  const size_t chunk = 4096;
  parallelFor((n + chunk - 1) / chunk, threads, [&](size_t ci) {
    size_t end = std::min(n, (ci + 1) * chunk);
    for (size_t i = ci * chunk; i < end; i++) {
      uint64_t k[4];
      std::memcpy(k, scalars + 32 * i, 32);
      int32_t carry = 0;
      for (unsigned w = 0; w < windows; w++) {
        int32_t d = int32_t(scalarBits(k, w * c, c)) + carry;
        if (d > half) {
          d -= int32_t(1) << c;
          carry = 1;
        } else {
          carry = 0;
        }
        digits[size_t(w) * n + i] = d;
      }
    }
  });

  std::vector<Jacobian<F>> windowSums(windows, Jacobian<F>::infinity());
  parallelFor(windows, threads, [&](size_t w) { windowSums[w] = windowSum(bases, digits.data() + w * n, n, size_t(half)); });

  Jacobian<F> acc = windowSums[windows - 1];
  for (size_t w = windows - 1; w-- > 0;) {
    for (unsigned b = 0; b < c; b++) acc = acc.dbl();
    acc = acc + windowSums[w];
  }
  return acc;
}

}  // namespace zkseq
