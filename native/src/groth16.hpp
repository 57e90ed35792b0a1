// snarkjs's Groth16 prover (src/groth16_prove.js), natively: the zkey is
// parsed and checked once into a ProvingKey; prove() takes a .wtns buffer (the
// witness calculator's output) and the blinding scalars r, s.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "curve.hpp"

namespace zkseq {

/** A rejected input: code is ZKEY_FORMAT, WTNS_FORMAT or WITNESS_MISMATCH. */
struct FormatError : std::runtime_error {
  std::string code;
  FormatError(std::string c, const std::string& message) : std::runtime_error(message), code(std::move(c)) {}
};

struct Coef {
  uint32_t matrix;  // 0: A, 1: B
  uint32_t constraint;
  uint32_t signal;
  Fr value;  // coef * R^2 as stored: mont_mul(value, witness) is coef*witness in Montgomery form
};

struct ProvingKey {
  uint32_t nVars = 0, nPublic = 0, domainSize = 0, power = 0;
  G1Affine alpha1, beta1, delta1;
  G2Affine beta2, gamma2, delta2;
  std::vector<Coef> coefs;
  std::vector<G1Affine> A, B1, C, H;
  std::vector<G2Affine> B2;
};

struct Proof {
  G1Affine a;
  G2Affine b;
  G1Affine c;
  std::vector<uint8_t> publicSignals;  // nPublic 32-byte LE integers
};

/** Parses and checks a snarkjs groth16 .zkey (throws FormatError ZKEY_FORMAT). */
ProvingKey parseZkey(const uint8_t* data, size_t len);

/** Proves; r and s are 32-byte LE integers below the group order. */
Proof prove(const ProvingKey& key, const uint8_t* wtns, size_t wtnsLen, const uint8_t* r, const uint8_t* s, unsigned threads);

/** The quotient evaluations h (32-byte LE normal form each) exactly as snarkjs computes them. */
std::vector<uint8_t> computeH(const ProvingKey& key, const uint8_t* witness, unsigned threads);

}  // namespace zkseq
