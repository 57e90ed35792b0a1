#include "groth16.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>

#include "fft.hpp"
#include "msm.hpp"

namespace zkseq {

namespace {

struct Section {
  const uint8_t* data;
  uint64_t size;
};

/** The sections of an iden3 binary file ("zkey", "wtns"): magic, version, then (type u32, size u64, bytes)*. */
std::map<uint32_t, Section> readSections(const uint8_t* data, size_t len, const char* magic, const std::string& code, const char* what) {
  if (len < 12 || std::memcmp(data, magic, 4) != 0) throw FormatError(code, std::string("not a ") + what + " file (bad magic or too short)");
  uint32_t nSections;
  std::memcpy(&nSections, data + 8, 4);
  std::map<uint32_t, Section> sections;
  size_t pos = 12;
  for (uint32_t i = 0; i < nSections; i++) {
    if (len - pos < 12) throw FormatError(code, std::string(what) + " file truncated in section header " + std::to_string(i));
    uint32_t type;
    uint64_t size;
    std::memcpy(&type, data + pos, 4);
    std::memcpy(&size, data + pos + 4, 8);
    pos += 12;
    if (size > len - pos) throw FormatError(code, std::string(what) + " file truncated: section " + std::to_string(type) + " needs " + std::to_string(size) + " bytes, " + std::to_string(len - pos) + " left");
    if (sections.count(type)) throw FormatError(code, std::string(what) + " file has section " + std::to_string(type) + " twice");
    sections[type] = Section{data + pos, size};
    pos += size;
  }
  return sections;
}

const Section& need(const std::map<uint32_t, Section>& s, uint32_t type, uint64_t size, const std::string& code, const char* what) {
  auto it = s.find(type);
  if (it == s.end()) throw FormatError(code, std::string(what) + " file has no section " + std::to_string(type));
  if (size != UINT64_MAX && it->second.size != size)
    throw FormatError(code, std::string(what) + " section " + std::to_string(type) + " has " + std::to_string(it->second.size) + " bytes, expected " + std::to_string(size));
  return it->second;
}

uint32_t u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

template <class P>
bool isModulus(const uint8_t* p) {
  return std::memcmp(p, P::P, 32) == 0;  // limbs are little-endian on x86-64/arm64
}

template <class F>
void readPoints(std::vector<Affine<F>>& out, const Section& s, size_t count, const F& b, const char* name) {
  static_assert(sizeof(Affine<F>) == 2 * sizeof(F), "packed affine point");
  out.resize(count);
  std::memcpy(static_cast<void*>(out.data()), s.data, count * sizeof(Affine<F>));
  for (size_t i = 0; i < count; i++) {
    if (!onCurve(out[i], b)) throw FormatError("ZKEY_FORMAT", std::string("zkey point ") + name + "[" + std::to_string(i) + "] is not on the curve");
  }
}

bool fqReduced(const Fq& x) { return Fq::isReduced(x.v); }
bool reduced(const G1Affine& p) { return fqReduced(p.x) && fqReduced(p.y); }
bool reduced(const G2Affine& p) { return fqReduced(p.x.c0) && fqReduced(p.x.c1) && fqReduced(p.y.c0) && fqReduced(p.y.c1); }

template <class F>
void checkReduced(const std::vector<Affine<F>>& pts, const char* name) {
  for (size_t i = 0; i < pts.size(); i++) {
    if (!reduced(pts[i])) throw FormatError("ZKEY_FORMAT", std::string("zkey point ") + name + "[" + std::to_string(i) + "] has a coordinate not below q");
  }
}

}  // namespace

ProvingKey parseZkey(const uint8_t* data, size_t len) {
  const std::string E = "ZKEY_FORMAT";
  auto sections = readSections(data, len, "zkey", E, "zkey");
  const Section& s1 = need(sections, 1, 4, E, "zkey");
  if (u32(s1.data) != 1) throw FormatError(E, "zkey is not a groth16 key (protocol " + std::to_string(u32(s1.data)) + ")");

  const uint64_t headerSize = 4 + 32 + 4 + 32 + 4 + 4 + 4 + 64 + 64 + 128 + 128 + 64 + 128;
  const Section& s2 = need(sections, 2, headerSize, E, "zkey");
  const uint8_t* h = s2.data;
  if (u32(h) != 32 || !isModulus<FqParams>(h + 4)) throw FormatError(E, "zkey is not for BN254 (base field)");
  if (u32(h + 36) != 32 || !isModulus<FrParams>(h + 40)) throw FormatError(E, "zkey is not for BN254 (scalar field)");
  ProvingKey k;
  k.nVars = u32(h + 72);
  k.nPublic = u32(h + 76);
  k.domainSize = u32(h + 80);
  if (k.domainSize == 0 || (k.domainSize & (k.domainSize - 1)) != 0) throw FormatError(E, "zkey domain size " + std::to_string(k.domainSize) + " is not a power of two");
  while ((uint32_t(1) << k.power) < k.domainSize) k.power++;
  if (k.power > FR_TWO_ADICITY) throw FormatError(E, "zkey domain too large");
  if (k.nVars == 0 || uint64_t(k.nPublic) + 1 > k.nVars) throw FormatError(E, "zkey has " + std::to_string(k.nPublic) + " public signals for " + std::to_string(k.nVars) + " variables");
  const uint8_t* p = h + 84;
  std::memcpy(static_cast<void*>(&k.alpha1), p, 64);
  std::memcpy(static_cast<void*>(&k.beta1), p + 64, 64);
  std::memcpy(static_cast<void*>(&k.beta2), p + 128, 128);
  std::memcpy(static_cast<void*>(&k.gamma2), p + 256, 128);
  std::memcpy(static_cast<void*>(&k.delta1), p + 384, 64);
  std::memcpy(static_cast<void*>(&k.delta2), p + 448, 128);
  const Fq b1 = g1B();
  const Fq2 b2 = g2B();
  if (!reduced(k.alpha1) || !reduced(k.beta1) || !reduced(k.delta1) || !reduced(k.beta2) || !reduced(k.gamma2) || !reduced(k.delta2) || !onCurve(k.alpha1, b1) ||
      !onCurve(k.beta1, b1) || !onCurve(k.delta1, b1) || !onCurve(k.beta2, b2) || !onCurve(k.gamma2, b2) || !onCurve(k.delta2, b2))
    throw FormatError(E, "zkey verification-key point is malformed");

  need(sections, 3, uint64_t(k.nPublic + 1) * 64, E, "zkey");
  const Section& s4 = need(sections, 4, UINT64_MAX, E, "zkey");
  if (s4.size < 4) throw FormatError(E, "zkey coefficient section too short");
  uint32_t nCoefs = u32(s4.data);
  if (s4.size != 4 + uint64_t(nCoefs) * 44) throw FormatError(E, "zkey coefficient section has " + std::to_string(s4.size) + " bytes for " + std::to_string(nCoefs) + " coefficients");
  k.coefs.resize(nCoefs);
  for (uint32_t i = 0; i < nCoefs; i++) {
    const uint8_t* c = s4.data + 4 + size_t(i) * 44;
    Coef& co = k.coefs[i];
    co.matrix = u32(c);
    co.constraint = u32(c + 4);
    co.signal = u32(c + 8);
    std::memcpy(co.value.v, c + 12, 32);
    if (co.matrix > 1 || co.constraint >= k.domainSize || co.signal >= k.nVars || !Fr::isReduced(co.value.v))
      throw FormatError(E, "zkey coefficient " + std::to_string(i) + " is out of range");
  }
  const uint64_t nPrivate = uint64_t(k.nVars) - k.nPublic - 1;
  readPoints(k.A, need(sections, 5, uint64_t(k.nVars) * 64, E, "zkey"), k.nVars, b1, "A");
  readPoints(k.B1, need(sections, 6, uint64_t(k.nVars) * 64, E, "zkey"), k.nVars, b1, "B1");
  readPoints(k.B2, need(sections, 7, uint64_t(k.nVars) * 128, E, "zkey"), k.nVars, b2, "B2");
  readPoints(k.C, need(sections, 8, nPrivate * 64, E, "zkey"), nPrivate, b1, "C");
  readPoints(k.H, need(sections, 9, uint64_t(k.domainSize) * 64, E, "zkey"), k.domainSize, b1, "H");
  checkReduced(k.A, "A");
  checkReduced(k.B1, "B1");
  checkReduced(k.B2, "B2");
  checkReduced(k.C, "C");
  checkReduced(k.H, "H");
  return k;
}

namespace {

/** Section 2 of a .wtns buffer, checked against the key (values are LE normal form, 32 bytes each). */
const uint8_t* readWitness(const ProvingKey& key, const uint8_t* data, size_t len) {
  const std::string E = "WTNS_FORMAT";
  auto sections = readSections(data, len, "wtns", E, "wtns");
  const Section& s1 = need(sections, 1, UINT64_MAX, E, "wtns");
  if (s1.size < 4) throw FormatError(E, "wtns header too short");
  uint32_t n8 = u32(s1.data);
  if (s1.size != 4 + uint64_t(n8) + 4) throw FormatError(E, "wtns header has " + std::to_string(s1.size) + " bytes for a " + std::to_string(n8) + "-byte field");
  if (n8 != 32 || !isModulus<FrParams>(s1.data + 4)) throw FormatError("WITNESS_MISMATCH", "witness is over another field than the proving key's (BN254 Fr)");
  uint32_t nWitness = u32(s1.data + 4 + n8);
  if (nWitness != key.nVars)
    throw FormatError("WITNESS_MISMATCH", "witness has " + std::to_string(nWitness) + " values, the proving key " + std::to_string(key.nVars) + ": it is for another build");
  const Section& s2 = need(sections, 2, uint64_t(nWitness) * 32, E, "wtns");
  for (uint32_t i = 0; i < nWitness; i++) {
    uint64_t v[4];
    std::memcpy(v, s2.data + size_t(i) * 32, 32);
    if (!Fr::isReduced(v)) throw FormatError(E, "wtns value " + std::to_string(i) + " is not below the field modulus");
    if (i == 0 && (v[0] != 1 || v[1] || v[2] || v[3])) throw FormatError(E, "wtns value 0 is not 1");
  }
  return s2.data;
}

Fr loadFr(const uint8_t* p) {
  Fr x;
  std::memcpy(x.v, p, 32);
  return x;
}

}  // namespace

std::vector<uint8_t> computeH(const ProvingKey& key, const uint8_t* witness, unsigned threads) {
  const size_t n = key.domainSize;
  std::vector<Fr> a(n, Fr::zero()), b(n, Fr::zero()), c(n);
  for (const Coef& co : key.coefs) {
    std::vector<Fr>& out = co.matrix == 0 ? a : b;
    out[co.constraint] = out[co.constraint] + co.value * loadFr(witness + size_t(co.signal) * 32);
  }
  for (size_t i = 0; i < n; i++) c[i] = a[i] * b[i];

  // snarkjs: inc = power == Fr.s ? Fr.shift (nqr^2 = 25) : Fr.w[power + 1]
  const Fr inc = key.power == FR_TWO_ADICITY ? Fr::fromUint(25) : frRootOfUnity(key.power + 1);
  std::vector<Fr> shifts(n);
  shifts[0] = Fr::one();
  for (size_t i = 1; i < n; i++) shifts[i] = shifts[i - 1] * inc;
  std::vector<Fr>* polys[3] = {&a, &b, &c};
  parallelFor(3, threads, [&](size_t p) {
    std::vector<Fr>& v = *polys[p];
    fft(v.data(), n, true);
    for (size_t i = 0; i < n; i++) v[i] = v[i] * shifts[i];
    fft(v.data(), n, false);
  });
  std::vector<uint8_t> h(n * 32);
  for (size_t i = 0; i < n; i++) {
    Fr x = a[i] * b[i] - c[i];
    x.toNormal(reinterpret_cast<uint64_t*>(h.data() + i * 32));
  }
  return h;
}

namespace {

template <class F>
Jacobian<F> scalarMul(const Affine<F>& p, const uint64_t* k) {
  return Jacobian<F>::fromAffine(p).mul(k);
}

}  // namespace

namespace {

/** With ZKSEQ_NATIVE_PROFILE=1 in the environment, prove() prints each step's milliseconds to stderr. */
struct StepTimer {
  bool on = std::getenv("ZKSEQ_NATIVE_PROFILE") != nullptr;
  std::chrono::steady_clock::time_point t = std::chrono::steady_clock::now();
  void step(const char* name) {
    if (!on) return;
    auto now = std::chrono::steady_clock::now();
    std::fprintf(stderr, "[zkseq-native] %-8s %8.1f ms\n", name, std::chrono::duration<double, std::milli>(now - t).count());
    t = now;
  }
};

}  // namespace

Proof prove(const ProvingKey& key, const uint8_t* wtns, size_t wtnsLen, const uint8_t* rBytes, const uint8_t* sBytes, unsigned threads) {
  const uint8_t* w = readWitness(key, wtns, wtnsLen);
  uint64_t r[4], s[4];
  std::memcpy(r, rBytes, 32);
  std::memcpy(s, sBytes, 32);
  if (!Fr::isReduced(r) || !Fr::isReduced(s)) throw std::invalid_argument("r and s must be below the group order");

  StepTimer timer;
  timer.step("witness");
  std::vector<uint8_t> h = computeH(key, w, threads);
  timer.step("h");
  G1 piA = msm(key.A.data(), w, key.nVars, threads);
  timer.step("msm A");
  G1 pib1 = msm(key.B1.data(), w, key.nVars, threads);
  timer.step("msm B1");
  G2 piB = msm(key.B2.data(), w, key.nVars, threads);
  timer.step("msm B2");
  const size_t firstPrivate = size_t(key.nPublic) + 1;
  G1 piC = msm(key.C.data(), w + firstPrivate * 32, key.nVars - firstPrivate, threads);
  timer.step("msm C");
  G1 resH = msm(key.H.data(), h.data(), key.domainSize, threads);
  timer.step("msm H");

  piA = piA.addAffine(key.alpha1) + scalarMul(key.delta1, r);
  piB = piB.addAffine(key.beta2) + scalarMul(key.delta2, s);
  pib1 = pib1.addAffine(key.beta1) + scalarMul(key.delta1, s);
  piC = piC + resH;
  Fr rs = -(Fr::fromNormal(r) * Fr::fromNormal(s));
  uint64_t rsNormal[4];
  rs.toNormal(rsNormal);
  piC = piC + piA.mul(s) + pib1.mul(r) + scalarMul(key.delta1, rsNormal);

  Proof proof;
  proof.a = piA.toAffine();
  proof.b = piB.toAffine();
  proof.c = piC.toAffine();
  proof.publicSignals.assign(w + 32, w + 32 + size_t(key.nPublic) * 32);
  return proof;
}

}  // namespace zkseq
