/**
 * The native prover's arithmetic against ffjavascript (what snarkjs uses), on
 * random inputs and edge cases: zero, one, values next to the moduli, the
 * point at infinity, P + P and P - P through the generic addition, zero and
 * near-order scalars, repeated bases. Uses the addon's test-only entry points.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { buildBn128 } from "ffjavascript";
import { loadNativeAddon, type NativeAddon } from "../prover/nativeAddon.js";

const loaded = loadNativeAddon();
const skip = "error" in loaded ? `native addon not built: ${loaded.error}` : false;
const native = (): NativeAddon["test"] => (loaded as { addon: NativeAddon }).addon.test;

const le = (x: bigint): Buffer => {
  const b = Buffer.alloc(32);
  for (let i = 0; i < 32; i++, x >>= 8n) b[i] = Number(x & 0xffn);
  return b;
};
const fromLe = (b: Uint8Array): bigint => {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  return x;
};
const random = (mod: bigint): bigint => BigInt(`0x${randomBytes(48).toString("hex")}`) % mod;

describe("native field, curve, MSM and FFT match ffjavascript", { skip }, () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let curve: any;
  let q: bigint;
  let r: bigint;
  before(async () => {
    curve = await buildBn128(true);
    q = curve.q;
    r = curve.r;
  });
  after(async () => {
    await curve?.terminate();
  });

  /** An affine point in snarkjs's LEM layout (Montgomery LE; all zeros is infinity). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const lem = (G: any, p: unknown): Buffer => {
    const b = new Uint8Array(G.F.n8 * 2);
    G.toRprLEM(b, 0, p);
    return Buffer.from(b);
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const randomPoint = (G: any) => G.timesScalar(G.g, random(r));

  for (const name of ["fq", "fr"] as const) {
    test(`${name}: add, sub, mul, square, neg, inv on random and edge values`, () => {
      const F = name === "fq" ? curve.F1 : curve.Fr;
      const p: bigint = name === "fq" ? q : r;
      const edges = [0n, 1n, 2n, p - 1n, p - 2n, (p - 1n) / 2n, (p + 1n) / 2n, 2n ** 64n - 1n, 2n ** 192n, 2n ** 253n];
      const values = [...edges, ...Array.from({ length: 40 }, () => random(p))];
      const ref = (op: string, a: bigint, b: bigint): bigint => {
        const ea = F.e(a), eb = F.e(b);
        const out = op === "add" ? F.add(ea, eb) : op === "sub" ? F.sub(ea, eb) : op === "mul" ? F.mul(ea, eb) : op === "square" ? F.square(ea) : op === "neg" ? F.neg(ea) : F.inv(ea);
        return BigInt(F.toObject(out));
      };
      for (const a of values) {
        for (const b of [values[(Number(a % 50n) + 7) % values.length]!, a, 0n, p - 1n]) {
          for (const op of ["add", "sub", "mul"] as const) {
            assert.equal(fromLe(native().field(name, op, le(a), le(b))), ref(op, a, b), `${name} ${op}(${a}, ${b})`);
          }
        }
        for (const op of ["square", "neg"] as const) assert.equal(fromLe(native().field(name, op, le(a))), ref(op, a, 0n), `${name} ${op}(${a})`);
        if (a !== 0n) assert.equal(fromLe(native().field(name, "inv", le(a))), ref("inv", a, 0n), `${name} inv(${a})`);
      }
      assert.equal(fromLe(native().field(name, "inv", le(0n))), 0n, "inv(0) is 0");
    });
  }

  for (const group of ["g1", "g2"] as const) {
    test(`${group}: add, mixed add, double and scalar multiplication, incl. infinity, P+P, P-P, edge scalars`, () => {
      const G = group === "g1" ? curve.G1 : curve.G2;
      const inf = lem(G, G.zero);
      for (let i = 0; i < 8; i++) {
        const P = randomPoint(G), Q = randomPoint(G);
        const pb = lem(G, P), qb = lem(G, Q);
        for (const op of ["add", "addAffine"] as const) {
          assert.deepEqual(native().group(group, op, pb, qb), lem(G, G.add(P, Q)), `${op} P+Q`);
          assert.deepEqual(native().group(group, op, pb, pb), lem(G, G.double(P)), `${op} P+P`);
          assert.deepEqual(native().group(group, op, pb, lem(G, G.neg(P))), inf, `${op} P-P`);
          assert.deepEqual(native().group(group, op, pb, inf), pb, `${op} P+0`);
          assert.deepEqual(native().group(group, op, inf, qb), qb, `${op} 0+Q`);
        }
        assert.deepEqual(native().group(group, "double", pb), lem(G, G.double(P)));
        for (const k of [random(r), 0n, 1n, 2n, r - 1n, r, r + 1n, 2n ** 256n - 1n]) {
          assert.deepEqual(native().group(group, "mul", pb, le(k)), lem(G, G.timesScalar(P, k)), `mul by ${k}`);
        }
      }
      assert.deepEqual(native().group(group, "double", inf), inf);
      assert.deepEqual(native().group(group, "mul", inf, le(12345n)), inf);
    });

    test(`${group}: MSM on 1 and 2 threads equals multiExpAffine, with zero scalars, infinity, repeated bases, near-order scalars`, async () => {
      const G = group === "g1" ? curve.G1 : curve.G2;
      const size = G.F.n8 * 2;
      for (const n of group === "g1" ? [1, 7, 300, 2100] : [1, 9, 260]) {
        const points = Array.from({ length: Math.min(n, 40) }, () => randomPoint(G));
        const bases = Buffer.alloc(size * n);
        const scalars = Buffer.alloc(32 * n);
        for (let i = 0; i < n; i++) {
          const p = i % 11 === 3 ? G.zero : points[i % points.length]; // repeated bases, some at infinity
          bases.set(lem(G, p), size * i);
          const k = i % 7 === 0 ? 0n : i % 7 === 1 ? r - 1n : i % 7 === 2 ? 1n : i % 7 === 3 ? r - 2n ** 20n : random(r);
          scalars.set(le(k), 32 * i);
        }
        const expected = lem(G, G.toAffine(await G.multiExpAffine(new Uint8Array(bases), new Uint8Array(scalars))));
        for (const threads of [1, 2]) assert.deepEqual(native().msm(group, bases, scalars, threads), expected, `${group} msm n=${n} threads=${threads}`);
        assert.deepEqual(native().msm(group, bases, Buffer.alloc(32 * n), 2), lem(G, G.zero), "all-zero scalars give infinity");
      }
    });
  }

  test("FFT and inverse FFT equal ffjavascript's Fr.fft / Fr.ifft (sizes 1 to 4096)", async () => {
    const Fr = curve.Fr;
    for (const n of [1, 2, 8, 64, 4096]) {
      const values = Buffer.alloc(32 * n);
      for (let i = 0; i < n; i++) values.set(Fr.e(i % 5 === 0 ? 0n : i % 5 === 1 ? r - 1n : random(r)), 32 * i);
      // ffjavascript gets Uint8Array copies: it treats `slice()` as a copy, which a Buffer's is not
      assert.deepEqual(native().fft(values, false), Buffer.from(await Fr.fft(new Uint8Array(values))), `fft n=${n}`);
      assert.deepEqual(native().fft(values, true), Buffer.from(await Fr.ifft(new Uint8Array(values))), `ifft n=${n}`);
    }
  });
});
