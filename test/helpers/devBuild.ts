/** The `dev` build, compiled and set up once per test process (cached on disk across runs). */
import { buildCircuit, compileCircuit, type CircuitArtifacts, type CompiledCircuit } from "../../src/build/buildCircuit.js";
import { consoleLogger } from "../../src/logger.js";
import { CircuitTester } from "./circuitTester.js";

const logger = consoleLogger("test-setup");
let compiled: Promise<CompiledCircuit> | undefined;
let artifacts: Promise<CircuitArtifacts> | undefined;
let tester: Promise<CircuitTester> | undefined;

/** Compiled `dev` circuit (no keys). */
export function devCompiled(): Promise<CompiledCircuit> {
  return (compiled ??= compileCircuit("dev", { logger }));
}

/** `dev` with its Groth16 keys; the ptau comes from ZKSEQ_PTAU (CI points it at ../shared/ptau). */
export function devArtifacts(): Promise<CircuitArtifacts> {
  const ptau = process.env.ZKSEQ_PTAU;
  return (artifacts ??= buildCircuit("dev", { logger, ...(ptau ? { ptau } : {}) }));
}

export function devTester(): Promise<CircuitTester> {
  return (tester ??= devCompiled().then((c) => CircuitTester.load(c)));
}
