/**
 * Groth16 verification on a BN254 curve of its own: a single-threaded
 * ffjavascript curve built once for this module, never `globalThis.curve_bn128`.
 * snarkjs's `groth16.verify` borrows the process-wide multi-threaded curve,
 * which someone must terminate for the process to exit; terminating it under a
 * proof that is running in the same process kills that proof. Verifying here
 * touches no shared state and starts no threads, so it can run beside any
 * prover and never keeps the process alive. The check is snarkjs 0.7's
 * `groth16_verify.js`, step for step.
 */
import { buildBn128, Scalar, utils } from "ffjavascript";

let own: Promise<any> | undefined;

/** This module's curve: single-threaded, so it has no workers to terminate. */
function curve(): Promise<any> {
  return (own ??= buildBn128(true));
}

/**
 * True when `proof` verifies against the verification key `vk` (snarkjs JSON)
 * for `publicSignals`; false for a proof that does not verify, a public signal
 * outside the field or a proof point off the curve. Throws on a key or proof
 * whose shape is wrong.
 */
export async function groth16Verify(vk: Record<string, unknown>, publicSignals: readonly string[], proof: unknown): Promise<boolean> {
  const c = await curve();
  const key = utils.unstringifyBigInts(vk);
  const p = utils.unstringifyBigInts(proof);
  const signals = utils.unstringifyBigInts([...publicSignals]) as bigint[];
  if (key.protocol !== undefined && key.protocol !== "groth16") throw new Error(`the verification key is for ${String(key.protocol)}, not groth16`);
  if (!Array.isArray(key.IC) || key.IC.length !== signals.length + 1) {
    throw new Error(`the verification key takes ${Array.isArray(key.IC) ? key.IC.length - 1 : "no"} public signals, got ${signals.length}`);
  }
  for (const s of signals) if (!(Scalar.geq(s, 0) && Scalar.lt(s, c.r))) return false;

  const n8 = c.G1.F.n8 * 2;
  const IC = new Uint8Array(n8 * signals.length);
  const w = new Uint8Array(c.Fr.n8 * signals.length);
  for (let i = 0; i < signals.length; i++) {
    IC.set(c.G1.fromObject(key.IC[i + 1]), i * n8);
    Scalar.toRprLE(w, c.Fr.n8 * i, signals[i], c.Fr.n8);
  }
  const cpub = c.G1.add(await c.G1.multiExpAffine(IC, w), c.G1.fromObject(key.IC[0]));

  const piA = c.G1.fromObject(p.pi_a);
  const piB = c.G2.fromObject(p.pi_b);
  const piC = c.G1.fromObject(p.pi_c);
  if (!(c.G1.isValid(piA) && c.G2.isValid(piB) && c.G1.isValid(piC))) return false;

  return await c.pairingEq(
    c.G1.neg(piA), piB,
    cpub, c.G2.fromObject(key.vk_gamma_2),
    piC, c.G2.fromObject(key.vk_delta_2),
    c.G1.fromObject(key.vk_alpha_1), c.G2.fromObject(key.vk_beta_2),
  );
}
