// The Node binding: ProvingKey (a parsed zkey kept in native memory), prove(),
// and small test-only entry points that expose the field, curve, MSM and FFT
// code to the cross-checks against ffjavascript (test/native.test.ts).
#include <napi.h>

#include <cstring>

#include "fft.hpp"
#include "fixedbase.hpp"
#include "groth16.hpp"
#include "msm.hpp"

using namespace zkseq;

namespace {

Napi::Error toJsError(Napi::Env env, const FormatError& e) {
  Napi::Error err = Napi::Error::New(env, e.what());
  err.Set("code", Napi::String::New(env, e.code));
  return err;
}

Napi::Buffer<uint8_t> bytes(Napi::Env env, const void* data, size_t len) {
  return Napi::Buffer<uint8_t>::Copy(env, static_cast<const uint8_t*>(data), len);
}

Napi::Buffer<uint8_t> argBuffer(const Napi::CallbackInfo& info, size_t i, size_t minLen = 0) {
  if (info.Length() <= i || !info[i].IsBuffer()) throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a Buffer");
  auto b = info[i].As<Napi::Buffer<uint8_t>>();
  if (b.Length() < minLen) throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " is shorter than " + std::to_string(minLen) + " bytes");
  return b;
}

unsigned argThreads(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) return 1;
  int t = info[i].As<Napi::Number>().Int32Value();
  return t < 1 ? 1u : unsigned(t);
}

class ProvingKeyWrap : public Napi::ObjectWrap<ProvingKeyWrap> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "ProvingKey",
                       {InstanceAccessor<&ProvingKeyWrap::NVars>("nVars"), InstanceAccessor<&ProvingKeyWrap::NPublic>("nPublic"),
                        InstanceAccessor<&ProvingKeyWrap::DomainSize>("domainSize"), InstanceMethod<&ProvingKeyWrap::Prove>("prove")});
  }

  ProvingKeyWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ProvingKeyWrap>(info) {
    auto buf = argBuffer(info, 0);
    try {
      key_ = parseZkey(buf.Data(), buf.Length());
    } catch (const FormatError& e) {
      throw toJsError(info.Env(), e);
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), std::string("native prover: ") + e.what());
    }
    bytes_ = key_.A.size() * 64 + key_.B1.size() * 64 + key_.B2.size() * 128 + key_.C.size() * 64 + key_.H.size() * 64 + key_.coefs.size() * sizeof(Coef);
    Napi::MemoryManagement::AdjustExternalMemory(info.Env(), int64_t(bytes_));
  }

  void Finalize(Napi::Env env) override { Napi::MemoryManagement::AdjustExternalMemory(env, -int64_t(bytes_)); }

 private:
  ProvingKey key_;
  size_t bytes_ = 0;

  Napi::Value NVars(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), key_.nVars); }
  Napi::Value NPublic(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), key_.nPublic); }
  Napi::Value DomainSize(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), key_.domainSize); }

  /** prove(wtns: Buffer, r: Buffer(32), s: Buffer(32), threads) -> { a, b, c, publicSignals } (normal-form LE coordinates). */
  Napi::Value Prove(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto wtns = argBuffer(info, 0);
    auto r = argBuffer(info, 1, 32);
    auto s = argBuffer(info, 2, 32);
    unsigned threads = argThreads(info, 3);
    Proof proof;
    try {
      proof = prove(key_, wtns.Data(), wtns.Length(), r.Data(), s.Data(), threads);
    } catch (const FormatError& e) {
      throw toJsError(env, e);
    } catch (const std::invalid_argument& e) {
      throw Napi::RangeError::New(env, e.what());
    } catch (const std::exception& e) {  // e.g. std::bad_alloc, std::system_error from std::thread
      throw Napi::Error::New(env, std::string("native prover: ") + e.what());
    }
    // The worker may have been terminated while it proved (a pool closing, a job cancelled): its
    // environment refuses new values then, and an exception thrown from here could not be thrown
    // into JavaScript either (node-addon-api rethrows in C++, and the process aborts). Return
    // nothing: the thread is going away and nobody waits for this result.
    try {
      auto out = Napi::Object::New(env);
      out.Set("a", g1Normal(env, proof.a));
      out.Set("b", g2Normal(env, proof.b));
      out.Set("c", g1Normal(env, proof.c));
      out.Set("publicSignals", bytes(env, proof.publicSignals.data(), proof.publicSignals.size()));
      return out;
    } catch (const Napi::Error&) {
      return Napi::Value();
    }
  }

  static Napi::Buffer<uint8_t> g1Normal(Napi::Env env, const G1Affine& p) {
    uint64_t out[8];
    p.x.toNormal(out);
    p.y.toNormal(out + 4);
    return bytes(env, out, 64);
  }
  static Napi::Buffer<uint8_t> g2Normal(Napi::Env env, const G2Affine& p) {
    uint64_t out[16];
    p.x.c0.toNormal(out);
    p.x.c1.toNormal(out + 4);
    p.y.c0.toNormal(out + 8);
    p.y.c1.toNormal(out + 12);
    return bytes(env, out, 128);
  }
};

// ---- test-only entry points -------------------------------------------------

template <class F>
Napi::Value fieldOp(const Napi::CallbackInfo& info, const std::string& op) {
  auto a = argBuffer(info, 2, 32);
  uint64_t la[4], lb[4] = {0, 0, 0, 0}, out[4];
  std::memcpy(la, a.Data(), 32);
  if (info.Length() > 3 && info[3].IsBuffer()) std::memcpy(lb, argBuffer(info, 3, 32).Data(), 32);
  F x = F::fromNormal(la), y = F::fromNormal(lb), z;
  if (op == "add") z = x + y;
  else if (op == "sub") z = x - y;
  else if (op == "mul") z = x * y;
  else if (op == "square") z = x.sq();
  else if (op == "neg") z = -x;
  else if (op == "inv") z = x.inv();
  else throw Napi::Error::New(info.Env(), "unknown field op " + op);
  z.toNormal(out);
  return bytes(info.Env(), out, 32);
}

/** testField(field: "fq"|"fr", op, a, b?) on 32-byte LE normal-form integers. */
Napi::Value TestField(const Napi::CallbackInfo& info) {
  std::string field = info[0].As<Napi::String>(), op = info[1].As<Napi::String>();
  return field == "fq" ? fieldOp<Fq>(info, op) : fieldOp<Fr>(info, op);
}

template <class F>
Affine<F> loadAffine(const Napi::Buffer<uint8_t>& b, size_t offset = 0) {
  Affine<F> p;
  std::memcpy(static_cast<void*>(&p), b.Data() + offset, sizeof(p));
  return p;
}

template <class F>
Napi::Value groupOp(const Napi::CallbackInfo& info, const std::string& op) {
  const size_t size = sizeof(Affine<F>);
  auto p = loadAffine<F>(argBuffer(info, 2, size));
  Jacobian<F> r;
  if (op == "add") r = Jacobian<F>::fromAffine(p) + Jacobian<F>::fromAffine(loadAffine<F>(argBuffer(info, 3, size)));
  else if (op == "addAffine") r = Jacobian<F>::fromAffine(p).addAffine(loadAffine<F>(argBuffer(info, 3, size)));
  else if (op == "double") r = Jacobian<F>::fromAffine(p).dbl();
  else if (op == "mul") {
    uint64_t k[4];
    std::memcpy(k, argBuffer(info, 3, 32).Data(), 32);
    r = Jacobian<F>::fromAffine(p).mul(k);
  } else throw Napi::Error::New(info.Env(), "unknown group op " + op);
  Affine<F> out = r.toAffine();
  return bytes(info.Env(), &out, size);
}

/** testGroup(group: "g1"|"g2", op, p, q|k) on affine LEM points (zeros = infinity); k is a 32-byte LE integer. */
Napi::Value TestGroup(const Napi::CallbackInfo& info) {
  std::string group = info[0].As<Napi::String>(), op = info[1].As<Napi::String>();
  return group == "g1" ? groupOp<Fq>(info, op) : groupOp<Fq2>(info, op);
}

/** testMsm(group, bases (affine LEM), scalars (32-byte LE), threads) -> affine LEM. */
Napi::Value TestMsm(const Napi::CallbackInfo& info) {
  std::string group = info[0].As<Napi::String>();
  auto bases = argBuffer(info, 1);
  auto scalars = argBuffer(info, 2);
  unsigned threads = argThreads(info, 3);
  size_t n = scalars.Length() / 32;
  if (group == "g1") {
    if (bases.Length() != n * 64) throw Napi::RangeError::New(info.Env(), "bases/scalars length mismatch");
    std::vector<G1Affine> b(n);
    std::memcpy(static_cast<void*>(b.data()), bases.Data(), n * 64);
    G1Affine out = msm(b.data(), scalars.Data(), n, threads).toAffine();
    return bytes(info.Env(), &out, 64);
  }
  if (bases.Length() != n * 128) throw Napi::RangeError::New(info.Env(), "bases/scalars length mismatch");
  std::vector<G2Affine> b(n);
  std::memcpy(static_cast<void*>(b.data()), bases.Data(), n * 128);
  G2Affine out = msm(b.data(), scalars.Data(), n, threads).toAffine();
  return bytes(info.Env(), &out, 128);
}

/** testFft(values (Fr, Montgomery LE, 32 bytes each, a power of two of them), inverse) -> same layout. */
Napi::Value TestFft(const Napi::CallbackInfo& info) {
  auto in = argBuffer(info, 0);
  bool inverse = info.Length() > 1 && info[1].ToBoolean();
  size_t n = in.Length() / 32;
  if (n == 0 || (n & (n - 1))) throw Napi::RangeError::New(info.Env(), "fft needs a power of two of elements");
  std::vector<Fr> v(n);
  std::memcpy(static_cast<void*>(v.data()), in.Data(), n * 32);
  fft(v.data(), n, inverse);
  return bytes(info.Env(), v.data(), n * 32);
}

/**
 * fixedBaseMul(group: "g1"|"g2", base (affine LEM), scalars (32-byte LE integers), threads)
 * -> affine LEM points, scalars[i] * base each (the development setup's key elements).
 */
Napi::Value FixedBaseMul(const Napi::CallbackInfo& info) {
  std::string group = info[0].As<Napi::String>();
  auto scalars = argBuffer(info, 2);
  unsigned threads = argThreads(info, 3);
  if (scalars.Length() % 32) throw Napi::RangeError::New(info.Env(), "scalars must be 32 bytes each");
  size_t n = scalars.Length() / 32;
  if (group == "g1") {
    auto base = loadAffine<Fq>(argBuffer(info, 1, 64));
    auto out = Napi::Buffer<uint8_t>::New(info.Env(), n * 64);
    fixedBaseMul(base, scalars.Data(), n, reinterpret_cast<G1Affine*>(out.Data()), threads);
    return out;
  }
  if (group != "g2") throw Napi::TypeError::New(info.Env(), "group must be g1 or g2");
  auto base = loadAffine<Fq2>(argBuffer(info, 1, 128));
  auto out = Napi::Buffer<uint8_t>::New(info.Env(), n * 128);
  fixedBaseMul(base, scalars.Data(), n, reinterpret_cast<G2Affine*>(out.Data()), threads);
  return out;
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("ProvingKey", ProvingKeyWrap::Init(env));
  exports.Set("fixedBaseMul", Napi::Function::New(env, FixedBaseMul));
  auto test = Napi::Object::New(env);
  test.Set("field", Napi::Function::New(env, TestField));
  test.Set("group", Napi::Function::New(env, TestGroup));
  test.Set("msm", Napi::Function::New(env, TestMsm));
  test.Set("fft", Napi::Function::New(env, TestFft));
  exports.Set("test", test);
  return exports;
}

NODE_API_MODULE(zkseq_native, Init)
