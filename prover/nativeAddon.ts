/**
 * Loads the compiled native prover (native/build/Release/zkseq_native.node,
 * built by scripts/build-native.mjs at install). Absent on machines without a
 * compiler: callers fall back to snarkjs.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/packageRoot.js";

/** A parsed, checked zkey held in native memory. */
export interface NativeProvingKey {
  readonly nVars: number;
  readonly nPublic: number;
  readonly domainSize: number;
  /**
   * Proves from .wtns bytes with blinding scalars r, s (32-byte LE, below the
   * group order). Coordinates come back as 32-byte LE integers (normal form);
   * throws an Error with `code` ZKEY_FORMAT, WTNS_FORMAT or WITNESS_MISMATCH.
   */
  prove(wtns: Uint8Array, r: Uint8Array, s: Uint8Array, threads: number): { a: Buffer; b: Buffer; c: Buffer; publicSignals: Buffer };
}

/** The addon's exports. `test` holds the entry points test/native.test.ts cross-checks against ffjavascript. */
export interface NativeAddon {
  ProvingKey: new (zkey: Uint8Array) => NativeProvingKey;
  /** scalars[i] * base for 32-byte LE scalars, as affine points in snarkjs's LEM layout (the development setup's key elements). */
  fixedBaseMul(group: "g1" | "g2", base: Uint8Array, scalars: Uint8Array, threads: number): Buffer;
  test: {
    /** Field op on 32-byte LE normal-form integers. */
    field(field: "fq" | "fr", op: "add" | "sub" | "mul" | "square" | "neg" | "inv", a: Uint8Array, b?: Uint8Array): Buffer;
    /** Group op on affine points in snarkjs's LEM layout (all zeros is infinity); `k` a 32-byte LE scalar. */
    group(group: "g1" | "g2", op: "add" | "addAffine" | "double" | "mul", p: Uint8Array, qOrK?: Uint8Array): Buffer;
    msm(group: "g1" | "g2", bases: Uint8Array, scalars: Uint8Array, threads: number): Buffer;
    /** FFT of Montgomery-form Fr elements (a power of two of them). */
    fft(values: Uint8Array, inverse: boolean): Buffer;
  };
}

/** Where the install step puts the addon. */
export const NATIVE_ADDON_PATH = join(PACKAGE_ROOT, "native", "build", "Release", "zkseq_native.node");

let cached: { addon: NativeAddon } | { error: string } | undefined;

/** The addon, or why it cannot be loaded. Loaded once per thread. */
export function loadNativeAddon(): { addon: NativeAddon } | { error: string } {
  if (cached) return cached;
  if (!existsSync(NATIVE_ADDON_PATH)) return (cached = { error: `${NATIVE_ADDON_PATH} is not built` });
  try {
    cached = { addon: createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativeAddon };
  } catch (e) {
    cached = { error: e instanceof Error ? e.message : String(e) };
  }
  return cached;
}
