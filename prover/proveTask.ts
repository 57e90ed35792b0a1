/**
 * The proving worker: one function of one serializable task. Each worker keeps,
 * per build, the witness calculator and the zkey bytes it loaded on its first
 * task, and proves on a single-threaded BN254 curve so that N workers use N
 * cores (snarkjs would otherwise start a thread per core inside every worker).
 * Every proof is verified before it is returned.
 *
 * Two backends: `native` (the C++ prover in native/, the zkey parsed once into
 * native memory, `threads` threads per proof) and `snarkjs` (WebAssembly).
 */
import { readFile } from "node:fs/promises";
import { threadId } from "node:worker_threads";
import * as snarkjs from "snarkjs";
import { buildBn128 } from "ffjavascript";
import { ProofVerificationError, WitnessFormatError, WitnessMismatchError, ZkeyFormatError } from "../src/errors.js";
import type { CircuitInput } from "../src/witness.js";
import { NativeProver } from "./nativeProver.js";
import { loadWitnessCalculator, witnessFailureReason, type WitnessCalculator } from "./witnessCalculator.js";

/** The files of one build a worker needs. */
export interface BuildFiles {
  id: string;
  wasm: string;
  zkey: string;
  verificationKey: string;
  /** circom's generated witness_calculator (CommonJS). */
  witnessCalculator: string;
}

/** Which Groth16 implementation proves: the native addon or snarkjs. */
export type ProverBackend = "native" | "snarkjs";

export interface ProveTask {
  build: BuildFiles;
  input: CircuitInput;
  /** Default "snarkjs" (the pool picks native where the addon built). */
  backend?: ProverBackend;
  /** Threads of a native proof (default 1). */
  threads?: number;
}

export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

export interface ProveTaskResult {
  proof: Groth16Proof;
  publicSignals: string[];
  /** Milliseconds spent on each step of this task (`load` is 0 once the build is cached in the worker). */
  timings: { loadMs: number; witnessMs: number; proveMs: number; verifyMs: number };
  /** The worker isolate's memory after the task: V8 heap and external (zkey bytes, wasm memories). */
  memory: { heapUsed: number; external: number };
  threadId: number;
  backend: ProverBackend;
}

interface LoadedBuild {
  calculator: WitnessCalculator;
  zkey: Uint8Array;
  vkey: unknown;
  /** Parsed on the first native proof, then kept. */
  native?: NativeProver;
}

class WitnessFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const loaded = new Map<string, Promise<LoadedBuild>>();
let curve: Promise<unknown> | undefined;

/**
 * snarkjs asks ffjavascript for "the" curve, which returns globalThis.curve_bn128
 * when set: installing a single-threaded one makes every snarkjs call in this
 * worker single-threaded, built once.
 */
function singleThreadedCurve(): Promise<unknown> {
  return (curve ??= buildBn128(true).then((c: unknown) => {
    (globalThis as { curve_bn128?: unknown }).curve_bn128 = c;
    return c;
  }));
}

async function load(build: BuildFiles): Promise<LoadedBuild> {
  const key = `${build.id}:${build.zkey}`;
  let p = loaded.get(key);
  if (!p) {
    p = (async () => {
      const [calculator, zkey, vkey] = await Promise.all([loadWitnessCalculator(build), readFile(build.zkey), readFile(build.verificationKey, "utf8")]);
      return { calculator, zkey: new Uint8Array(zkey), vkey: JSON.parse(vkey) };
    })();
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  }
  return p;
}

/**
 * What crosses back to the pool: a result, or a zkseq error as data (errors
 * thrown across a thread boundary lose their class).
 */
export type ProveTaskOutcome =
  | ({ ok: true } & ProveTaskResult)
  | { ok: false; code: "CIRCUIT_INPUT_REJECTED" | "PROOF_NOT_VERIFIED" | "ZKEY_FORMAT" | "WITNESS_FORMAT" | "WITNESS_MISMATCH"; reason: string };

export default async function proveTask(task: ProveTask): Promise<ProveTaskOutcome> {
  try {
    return { ok: true, ...(await prove(task)) };
  } catch (e) {
    if (e instanceof WitnessFailure) return { ok: false, code: "CIRCUIT_INPUT_REJECTED", reason: e.reason };
    if (e instanceof ProofVerificationError) return { ok: false, code: "PROOF_NOT_VERIFIED", reason: e.shortMessage };
    if (e instanceof ZkeyFormatError || e instanceof WitnessFormatError || e instanceof WitnessMismatchError) return { ok: false, code: e.code as "ZKEY_FORMAT" | "WITNESS_FORMAT" | "WITNESS_MISMATCH", reason: e.reason };
    throw e;
  }
}

async function prove(task: ProveTask): Promise<ProveTaskResult> {
  let t = performance.now();
  await singleThreadedCurve();
  const build = await load(task.build);
  const backend = task.backend ?? "snarkjs";
  const native = backend === "native" ? (build.native ??= NativeProver.fromBytes(task.build.id, task.build.zkey, build.zkey)) : undefined;
  const loadMs = performance.now() - t;

  t = performance.now();
  let wtns: Uint8Array;
  try {
    wtns = await build.calculator.calculateWTNSBin(task.input, true);
  } catch (e) {
    throw new WitnessFailure(witnessFailureReason(e));
  }
  const witnessMs = performance.now() - t;

  t = performance.now();
  const { proof, publicSignals } = native
    ? native.prove(wtns, task.threads ?? 1)
    : ((await snarkjs.groth16.prove({ type: "mem", data: build.zkey }, { type: "mem", data: wtns })) as { proof: Groth16Proof; publicSignals: string[] });
  const proveMs = performance.now() - t;

  t = performance.now();
  const ok = await snarkjs.groth16.verify(build.vkey, publicSignals, proof);
  const verifyMs = performance.now() - t;
  if (!ok) throw new ProofVerificationError(task.build.id);

  const mem = process.memoryUsage();
  return { proof, publicSignals, timings: { loadMs, witnessMs, proveMs, verifyMs }, memory: { heapUsed: mem.heapUsed, external: mem.external }, threadId, backend };
}
