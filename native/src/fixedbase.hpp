// Many scalar multiples of one base point, for the development setup
// (src/build/devSetup.ts): every key element of a Groth16 key made from known
// toxic waste is [k]G for a generator G and a scalar k computed in Fr.
//
// Fixed-base comb with 8-bit windows: a table of d * 2^(8j) * G (j < 32,
// d < 256, affine) turns each product into at most 32 mixed additions, and
// the results are brought to affine with one inversion per chunk (Montgomery's
// batch trick). Threads split the scalars.
#pragma once
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "curve.hpp"

namespace zkseq {

/** Jacobian points to affine with one inversion (zeros stay infinity). */
template <class F>
void batchToAffine(const Jacobian<F>* in, Affine<F>* out, size_t n) {
  std::vector<F> prefix(n);
  F acc = F::one();
  for (size_t i = 0; i < n; i++) {
    prefix[i] = acc;
    if (!in[i].isInfinity()) acc = acc * in[i].Z;
  }
  F inv = acc.inv();
  for (size_t i = n; i-- > 0;) {
    if (in[i].isInfinity()) {
      out[i] = Affine<F>::infinity();
      continue;
    }
    F zi = inv * prefix[i];
    inv = inv * in[i].Z;
    F zi2 = zi.sq();
    out[i] = Affine<F>{in[i].X * zi2, in[i].Y * zi2 * zi};
  }
}

/**
 * out[i] = scalars[i] * base for n scalars given as 32-byte LE integers
 * (any 256-bit value: the comb covers all 256 bits), affine, LEM layout.
 */
template <class F>
void fixedBaseMul(const Affine<F>& base, const uint8_t* scalars, size_t n, Affine<F>* out, unsigned threads) {
  constexpr int W = 8, WINDOWS = 256 / W, D = 1 << W;
  // table[j * D + d] = d * 2^(W j) * base
  std::vector<Jacobian<F>> jt(size_t(WINDOWS) * D);
  Jacobian<F> row = Jacobian<F>::fromAffine(base);
  for (int j = 0; j < WINDOWS; j++) {
    jt[size_t(j) * D] = Jacobian<F>::infinity();
    for (int d = 1; d < D; d++) jt[size_t(j) * D + d] = jt[size_t(j) * D + d - 1] + row;
    for (int k = 0; k < W; k++) row = row.dbl();
  }
  std::vector<Affine<F>> table(jt.size());
  batchToAffine(jt.data(), table.data(), jt.size());
  jt.clear();
  jt.shrink_to_fit();

  if (threads == 0) threads = 1;
  if (size_t(threads) > n / 1024 + 1) threads = unsigned(n / 1024 + 1);
  auto work = [&](size_t from, size_t to) {
    constexpr size_t CHUNK = 4096;
    std::vector<Jacobian<F>> acc(CHUNK);
    for (size_t start = from; start < to; start += CHUNK) {
      size_t m = std::min(CHUNK, to - start);
      for (size_t i = 0; i < m; i++) {
        const uint8_t* k = scalars + (start + i) * 32;
        Jacobian<F> r = Jacobian<F>::infinity();
        for (int j = 0; j < WINDOWS; j++) {
          if (k[j]) r = r.addAffine(table[size_t(j) * D + k[j]]);
        }
        acc[i] = r;
      }
      batchToAffine(acc.data(), out + start, m);
    }
  };
  std::vector<std::thread> pool;
  size_t per = (n + threads - 1) / threads;
  for (unsigned t = 1; t < threads; t++) {
    size_t from = std::min(n, per * t), to = std::min(n, per * (t + 1));
    if (from < to) pool.emplace_back(work, from, to);
  }
  work(0, std::min(n, per));
  for (auto& th : pool) th.join();
}

}  // namespace zkseq
