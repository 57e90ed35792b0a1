/**
 * Prover benchmark: the pool against what a user does without zkseq, in one
 * process, side by side, per build.
 *
 * - baseline: a loop of `snarkjs.groth16.fullProve(input, wasm, zkey)` with
 *   snarkjs's defaults (its multi-threaded curve over all cores; the wasm and
 *   zkey are read from disk on every call).
 * - pool: ProvingPool with `os.availableParallelism()` single-threaded
 *   workers, driven closed-loop by as many clients as workers (each sends its
 *   next batch when its last proof comes back), so latency is the proof's, not
 *   a queue's. Every pool proof is verified inside the worker (included in
 *   its time); baseline proofs are not verified (as a bare loop would not).
 *
 * One warm-up proof per side and build is not counted (curve and module
 * set-up). Flags: --builds dev,standard  --proofs N (per side; default 8 on
 * dev, 4 on standard).
 */
import { availableParallelism, cpus } from "node:os";
import * as snarkjs from "snarkjs";
import { buildCircuit } from "../src/build/buildCircuit.js";
import { releaseCurves } from "../src/build/curves.js";
import { consoleLogger } from "../src/logger.js";
import type { CircuitInput } from "../src/witness.js";
import { ProvingPool, buildFiles } from "../prover/provingPool.js";
import { makeScenario } from "../test/helpers/fixtures.js";
import { flag } from "./flags.js";

interface SideResult {
  proofs: number;
  wallMs: number;
  latenciesMs: number[];
  peakMemBytes: number;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const isolateMem = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

async function baseline(inputs: CircuitInput[], wasm: string, zkey: string): Promise<SideResult> {
  await snarkjs.groth16.fullProve(inputs[0]!, wasm, zkey); // warm-up
  const latenciesMs: number[] = [];
  let peak = isolateMem();
  const t0 = performance.now();
  for (const input of inputs) {
    const t = performance.now();
    await snarkjs.groth16.fullProve(input, wasm, zkey);
    latenciesMs.push(performance.now() - t);
    peak = Math.max(peak, isolateMem());
  }
  const wallMs = performance.now() - t0;
  await releaseCurves();
  return { proofs: inputs.length, wallMs, latenciesMs, peakMemBytes: peak };
}

async function pooled(inputs: CircuitInput[], files: ReturnType<typeof buildFiles>): Promise<SideResult & { workers: number }> {
  const pool = new ProvingPool();
  try {
    // warm-up: one proof per worker loads the build everywhere
    await Promise.all(Array.from({ length: pool.size }, () => pool.prove(files, inputs[0]!)));
    const latenciesMs: number[] = [];
    let peak = 0;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: pool.size }, async () => {
        while (next < inputs.length) {
          const input = inputs[next++]!;
          const t = performance.now();
          const r = await pool.prove(files, input);
          latenciesMs.push(performance.now() - t);
          peak = Math.max(peak, r.memory.heapUsed + r.memory.external);
        }
      }),
    );
    return { proofs: inputs.length, wallMs: performance.now() - t0, latenciesMs, peakMemBytes: peak, workers: pool.size };
  } finally {
    await pool.close();
  }
}


export async function main(args: string[]): Promise<void> {
  const builds = (flag(args, "builds") ?? "dev,standard").split(",");
  const logger = consoleLogger("bench");
  const ptau = process.env.ZKSEQ_PTAU;
  console.log(`\n## Prover: pool vs snarkjs fullProve loop`);
  console.log(`machine: ${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores, node ${process.version}\n`);
  const rows: string[] = [];
  for (const id of builds) {
    const artifacts = await buildCircuit(id, { logger, ...(ptau ? { ptau } : {}) });
    const n = Number(flag(args, "proofs") ?? (id === "dev" ? 8 : 4));
    const inputs = Array.from({ length: n }, (_, i) => makeScenario({ seed: 9000 + i, buildId: id }).witness.input);
    logger.info(`${id}: baseline, ${n} proofs`);
    const base = await baseline(inputs, artifacts.wasm, artifacts.zkey);
    logger.info(`${id}: pool, ${n} proofs`);
    const pool = await pooled(inputs, buildFiles(artifacts));
    const perMin = (s: SideResult) => (s.proofs * 60_000) / s.wallMs;
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    for (const [name, s] of [
      ["baseline (fullProve loop)", base],
      [`pool (${pool.workers} workers)`, pool],
    ] as const) {
      rows.push(
        `| ${id} | ${name} | ${perMin(s).toFixed(1)} | ${sec(percentile(s.latenciesMs, 50))} | ${sec(percentile(s.latenciesMs, 95))} | ${mib(s.peakMemBytes)} | ${s === base ? "1.00x" : (perMin(pool) / perMin(base)).toFixed(2) + "x"} |`,
      );
    }
  }
  console.log("| build | prover | proofs/min | p50 latency | p95 latency | peak memory per worker | throughput vs baseline |");
  console.log("|---|---|---:|---:|---:|---:|---:|");
  for (const r of rows) console.log(r);
  console.log(`\npeak memory: V8 heap + external (zkey, wasm memories) of the proving isolate; process max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}
