/**
 * Poseidon over BN254 with circomlib's parameters, in plain BigInt: the page
 * checks inclusion proofs with it, without circomlibjs's WebAssembly. It
 * takes only the widths it is given constants for (the page ships t = 3 and
 * t = 5, the transaction tree's arities 2 and 4); test/poseidonBrowser.test.ts
 * checks it against circomlibjs.
 */

import { FIELD_MODULUS } from "../src/field.js";

/** The BN254 scalar field's modulus. */
export const FIELD = FIELD_MODULUS;
/** Full rounds, and partial rounds by t - 2 (circomlibjs's poseidon_reference.js). */
const ROUNDS_F = 8;
const ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];

/** One width's constants as circomlibjs's poseidon_constants.json writes them (hex strings): C[r * t + i], M[i][j]. */
export interface PoseidonWidth {
  C: readonly string[];
  M: readonly (readonly string[])[];
}

/** A Poseidon hash of 1 to 16 field elements over the widths given (inputs + 1 = t). */
export function makePoseidon(widths: Record<number, PoseidonWidth>): (inputs: readonly bigint[]) => bigint {
  const parsed = new Map<number, { C: bigint[]; M: bigint[][] }>();
  for (const [t, w] of Object.entries(widths)) parsed.set(Number(t), { C: w.C.map((c) => BigInt(c)), M: w.M.map((row) => row.map((m) => BigInt(m))) });
  const pow5 = (a: bigint) => {
    const a2 = (a * a) % FIELD;
    return (((a2 * a2) % FIELD) * a) % FIELD;
  };
  return (inputs) => {
    const t = inputs.length + 1;
    const k = parsed.get(t);
    if (!k) throw new RangeError(`no Poseidon constants for ${inputs.length} inputs`);
    for (const x of inputs) if (typeof x !== "bigint" || x < 0n || x >= FIELD) throw new RangeError("a Poseidon input must be a field element");
    const nP = ROUNDS_P[t - 2]!;
    let state = [0n, ...inputs];
    for (let r = 0; r < ROUNDS_F + nP; r++) {
      state = state.map((a, i) => (a + k.C[r * t + i]!) % FIELD);
      if (r < ROUNDS_F / 2 || r >= ROUNDS_F / 2 + nP) state = state.map(pow5);
      else state[0] = pow5(state[0]!);
      state = state.map((_, i) => state.reduce((acc, a, j) => (acc + k.M[i]![j]! * a) % FIELD, 0n));
    }
    return state[0]!;
  };
}
