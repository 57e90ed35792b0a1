/**
 * A witness tester for the compiled circuits (after circomkit's): compute a
 * witness from named inputs, read named signals, tamper with a signal and check
 * the result against every R1CS constraint.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { readR1cs } from "r1csfile";
import { FIELD_MODULUS } from "../../src/field.js";
import type { CompiledCircuit } from "../../src/build/buildCircuit.js";
import type { CircuitInput } from "../../src/witness.js";

const require = createRequire(import.meta.url);
type LinearCombination = [number, bigint][];

export class CircuitTester {
  private constructor(
    private readonly calculator: { calculateWitness(input: unknown, sanityCheck: boolean): Promise<bigint[]> },
    private readonly constraints: [LinearCombination, LinearCombination, LinearCombination][],
    /** signal name (e.g. "main.batchHash") -> wire index in the witness */
    readonly wires: Map<string, number>,
    readonly nConstraints: number,
  ) {}

  static async load(c: CompiledCircuit): Promise<CircuitTester> {
    const builder = require(c.witnessCalculator) as (code: Buffer, opts: unknown) => Promise<any>;
    const calculator = await builder(await readFile(c.wasm), {});
    const r1cs = await readR1cs(c.r1cs, { loadConstraints: true, loadMap: false, singleThread: true });
    const F = r1cs.F ?? r1cs.curve.Fr;
    const lc = (m: Record<string, unknown>): LinearCombination => Object.entries(m).map(([k, v]) => [Number(k), BigInt(F.toObject(v))]);
    const constraints = (r1cs.constraints as Record<string, unknown>[][]).map((x) => [lc(x[0]!), lc(x[1]!), lc(x[2]!)] as [LinearCombination, LinearCombination, LinearCombination]);
    const wires = new Map<string, number>();
    for (const line of (await readFile(c.sym, "utf8")).split("\n")) {
      const [, wire, , name] = line.split(",");
      if (name && wire !== undefined && Number(wire) >= 0) wires.set(name, Number(wire));
    }
    return new CircuitTester(calculator, constraints, wires, r1cs.nConstraints);
  }

  /** Computes the witness (throws if an assertion in the circuit fails). */
  async witness(input: CircuitInput): Promise<bigint[]> {
    return this.calculator.calculateWitness(input, true);
  }

  /** Index of the first unsatisfied constraint, or -1 when the witness satisfies them all. */
  firstViolation(w: readonly bigint[]): number {
    const evalLc = (lc: LinearCombination) => {
      let acc = 0n;
      for (const [i, c] of lc) acc += c * w[i]!;
      return acc % FIELD_MODULUS;
    };
    for (let i = 0; i < this.constraints.length; i++) {
      const [a, b, c] = this.constraints[i]!;
      if ((evalLc(a) * evalLc(b) - evalLc(c)) % FIELD_MODULUS !== 0n) return i;
    }
    return -1;
  }

  wire(name: string): number {
    const w = this.wires.get(name);
    if (w === undefined) throw new Error(`no witness wire for signal ${name} (optimised away or misspelt)`);
    return w;
  }

  /** The value of a named signal. */
  read(w: readonly bigint[], name: string): bigint {
    return w[this.wire(name)]!;
  }

  /** A copy of the witness with one signal replaced. */
  tamper(w: readonly bigint[], name: string, value: bigint): bigint[] {
    const out = [...w];
    out[this.wire(name)] = ((value % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS;
    return out;
  }
}
