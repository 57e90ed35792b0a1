/**
 * The native Groth16 backend: a build's zkey parsed once into native memory,
 * then proofs straight from the witness calculator's .wtns bytes, in snarkjs's
 * JSON shape. Field, curve, MSM and FFT code: native/src (C++).
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { NativeProverUnavailableError, WitnessFormatError, WitnessMismatchError, ZkeyFormatError } from "../src/errors.js";
import { loadNativeAddon, type NativeProvingKey } from "./nativeAddon.js";
import type { Groth16Proof } from "./proveTask.js";

/** The BN254 group order (snarkjs's Fr). */
const GROUP_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

const leToBigInt = (b: Uint8Array, offset: number): bigint => {
  let x = 0n;
  for (let i = offset + 31; i >= offset; i--) x = (x << 8n) | BigInt(b[i]!);
  return x;
};

const bigIntToLe = (x: bigint): Buffer => {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
};

/** A uniformly random scalar in [0, r) (48 random bytes reduced: bias below 2^-130). */
const randomScalar = (): Buffer => bigIntToLe(BigInt(`0x${randomBytes(48).toString("hex")}`) % GROUP_ORDER);

/** One build's proving key, ready to prove with the native backend. */
export class NativeProver {
  private constructor(
    /** The build id (for error messages). */
    readonly buildId: string,
    private readonly key: NativeProvingKey,
  ) {}

  /**
   * Reads and checks a zkey. Throws NativeProverUnavailableError when the addon
   * is not built, ZkeyFormatError when the file is truncated or corrupted.
   *
   * @example
   * const prover = await NativeProver.load("dev", "build/dev/Batch.zkey")
   * const { proof, publicSignals } = prover.prove(await calculator.calculateWTNSBin(input, true))
   */
  static async load(buildId: string, zkeyPath: string): Promise<NativeProver> {
    return NativeProver.fromBytes(buildId, zkeyPath, await readFile(zkeyPath));
  }

  /** As load(), from the zkey's bytes (`file` names it in errors). */
  static fromBytes(buildId: string, file: string, zkey: Uint8Array): NativeProver {
    const loaded = loadNativeAddon();
    if ("error" in loaded) throw new NativeProverUnavailableError(loaded.error);
    try {
      return new NativeProver(buildId, new loaded.addon.ProvingKey(zkey));
    } catch (e) {
      throw mapNativeError(e, buildId, file);
    }
  }

  /** Variables of the circuit (the witness length). */
  get nVars(): number {
    return this.key.nVars;
  }

  /**
   * Proves from .wtns bytes (circom's `calculateWTNSBin` output) on `threads`
   * threads. Throws WitnessFormatError for truncated or corrupted bytes and
   * WitnessMismatchError for a witness of another build. The proof is not
   * verified here: callers verify it (ProvingPool's workers always do).
   */
  prove(wtns: Uint8Array, threads = 1): { proof: Groth16Proof; publicSignals: string[] } {
    let out: ReturnType<NativeProvingKey["prove"]>;
    try {
      out = this.key.prove(wtns, randomScalar(), randomScalar(), threads);
    } catch (e) {
      throw mapNativeError(e, this.buildId, "");
    }
    const n = (b: Buffer, i: number) => leToBigInt(b, 32 * i).toString();
    const g1 = (b: Buffer) => (b.every((x) => x === 0) ? ["0", "1", "0"] : [n(b, 0), n(b, 1), "1"]);
    const g2 = (b: Buffer) =>
      b.every((x) => x === 0)
        ? [["0", "0"], ["1", "0"], ["0", "0"]]
        : [[n(b, 0), n(b, 1)], [n(b, 2), n(b, 3)], ["1", "0"]];
    const publicSignals = Array.from({ length: out.publicSignals.length / 32 }, (_, i) => n(out.publicSignals, i));
    return { proof: { pi_a: g1(out.a), pi_b: g2(out.b), pi_c: g1(out.c), protocol: "groth16", curve: "bn128" }, publicSignals };
  }
}

function mapNativeError(e: unknown, buildId: string, file: string): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (code === "ZKEY_FORMAT") return new ZkeyFormatError(file, message);
  if (code === "WTNS_FORMAT") return new WitnessFormatError(message);
  if (code === "WITNESS_MISMATCH") return new WitnessMismatchError(buildId, message);
  return e;
}
