import { buildEddsa } from "circomlibjs";
import { InvalidArgumentError } from "./errors.js";
import { assertField } from "./field.js";

/**
 * circomlibjs's EdDSA (BabyJubjub) with its Poseidon, built once per process on
 * a single-threaded curve (no worker threads to keep the process alive).
 * Top-level await: importing this module makes hashing ready.
 */
export const circomlib: { eddsa: any; F: any; babyJub: any } = await (async () => {
  const eddsa = await buildEddsa();
  return { eddsa, F: eddsa.babyJub.F, babyJub: eddsa.babyJub };
})();

/**
 * Poseidon over BN254 (circomlib's parameters), the same hash as circomlib's
 * `Poseidon(n)` template. Takes 1 to 16 field elements.
 *
 * @example
 * poseidon([1n, 2n]) // 7853200120776062878684798364095072458815029376092732009249414926327459813530n
 */
export function poseidon(inputs: readonly bigint[]): bigint {
  if (inputs.length < 1 || inputs.length > 16) throw new InvalidArgumentError(`poseidon takes 1 to 16 inputs, got ${inputs.length}`);
  inputs.forEach((x, i) => assertField(x, `poseidon input ${i}`));
  return circomlib.F.toObject(circomlib.eddsa.poseidon(inputs)) as bigint;
}
