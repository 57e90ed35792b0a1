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
 * - pool (native): the same pool with the native backend (one thread per
 *   worker), where the addon built.
 * - one core: CPU seconds of one proof (witness excluded) in this thread,
 *   snarkjs on its single-threaded curve against the native prover on one
 *   thread, from the same witnesses; then the native prover's wall time with
 *   all cores on one proof (latency); and the warm witness and verification
 *   times, to show where a proof's time goes.
 *
 * One warm-up proof per side and build is not counted (curve and module
 * set-up). Flags: --builds dev,standard  --proofs N (per side; default 8 on
 * dev, 4 on standard). The last line of output is one JSON object of all numbers.
 */
import { readFile } from "node:fs/promises";
import { availableParallelism, cpus } from "node:os";
import * as snarkjs from "snarkjs";
import { buildBn128 } from "ffjavascript";
import { buildCircuit } from "../src/build/buildCircuit.js";
import { releaseCurves } from "../src/build/curves.js";
import { consoleLogger } from "../src/logger.js";
import type { CircuitInput } from "../src/witness.js";
import { ProvingPool, buildFiles, type ProverBackend } from "../prover/provingPool.js";
import { loadNativeAddon } from "../prover/nativeAddon.js";
import { NativeProver } from "../prover/nativeProver.js";
import { loadWitnessCalculator } from "../prover/witnessCalculator.js";
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

async function pooled(inputs: CircuitInput[], files: ReturnType<typeof buildFiles>, backend: ProverBackend): Promise<SideResult & { workers: number; witnessMs: number[]; verifyMs: number[] }> {
  const pool = new ProvingPool({ backend });
  const witnessMs: number[] = [];
  const verifyMs: number[] = [];
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
          witnessMs.push(r.timings.witnessMs);
          verifyMs.push(r.timings.verifyMs);
        }
      }),
    );
    return { proofs: inputs.length, wallMs: performance.now() - t0, latenciesMs, peakMemBytes: peak, workers: pool.size, witnessMs, verifyMs };
  } finally {
    await pool.close();
  }
}


const cpuMs = <T>(fn: () => T): [T, number] => {
  const c0 = process.cpuUsage();
  const out = fn();
  const c = process.cpuUsage(c0);
  return [out, (c.user + c.system) / 1000];
};

interface OneCore {
  snarkjsCpuMs: number[];
  nativeCpuMs: number[];
  nativeWallAllCoresMs: number[];
}

/** One proof on one core, snarkjs (single-threaded curve) and native, from the same witnesses; then native on all cores. */
async function oneCore(wtnss: Uint8Array[], zkeyPath: string, id: string, native: boolean): Promise<OneCore> {
  const zkey = new Uint8Array(await readFile(zkeyPath));
  const out: OneCore = { snarkjsCpuMs: [], nativeCpuMs: [], nativeWallAllCoresMs: [] };
  const curve = await buildBn128(true);
  (globalThis as { curve_bn128?: unknown }).curve_bn128 = curve;
  try {
    await snarkjs.groth16.prove({ type: "mem", data: zkey }, { type: "mem", data: wtnss[0]! }); // warm-up
    for (const wtns of wtnss) {
      const c0 = process.cpuUsage();
      await snarkjs.groth16.prove({ type: "mem", data: zkey }, { type: "mem", data: wtns });
      const c = process.cpuUsage(c0);
      out.snarkjsCpuMs.push((c.user + c.system) / 1000);
    }
  } finally {
    delete (globalThis as { curve_bn128?: unknown }).curve_bn128;
    await (curve as { terminate(): Promise<void> }).terminate();
  }
  if (!native) return out;
  const prover = NativeProver.fromBytes(id, zkeyPath, zkey);
  prover.prove(wtnss[0]!, 1); // warm-up
  for (const wtns of wtnss) out.nativeCpuMs.push(cpuMs(() => prover.prove(wtns, 1))[1]);
  for (const wtns of wtnss) {
    const t = performance.now();
    prover.prove(wtns, availableParallelism());
    out.nativeWallAllCoresMs.push(performance.now() - t);
  }
  return out;
}

export async function main(args: string[]): Promise<void> {
  const builds = (flag(args, "builds") ?? "dev,standard").split(",");
  const logger = consoleLogger("bench");
  const ptau = process.env.ZKSEQ_PTAU;
  const native = "addon" in loadNativeAddon();
  console.log(`\n## Prover: pool (snarkjs, native) vs snarkjs fullProve loop`);
  console.log(`machine: ${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores, node ${process.version}\n`);
  const rows: string[] = [];
  const coreRows: string[] = [];
  const json: Record<string, unknown> = { machine: cpus()[0]?.model ?? "?", cores: availableParallelism(), node: process.version, native };
  for (const id of builds) {
    const artifacts = await buildCircuit(id, { logger, ...(ptau ? { ptau } : {}) });
    const n = Number(flag(args, "proofs") ?? (id === "dev" ? 8 : 4));
    const inputs = Array.from({ length: n }, (_, i) => makeScenario({ seed: 9000 + i, buildId: id }).witness.input);
    logger.info(`${id}: baseline, ${n} proofs`);
    const base = await baseline(inputs, artifacts.wasm, artifacts.zkey);
    logger.info(`${id}: pool (snarkjs), ${n} proofs`);
    const pool = await pooled(inputs, buildFiles(artifacts), "snarkjs");
    let nativePool: Awaited<ReturnType<typeof pooled>> | undefined;
    if (native) {
      logger.info(`${id}: pool (native), ${n} proofs`);
      nativePool = await pooled(inputs, buildFiles(artifacts), "native");
    }
    const calculator = await loadWitnessCalculator(artifacts);
    const k = Math.min(n, 3);
    const wtnss: Uint8Array[] = [];
    const witnessCpuMs: number[] = [];
    await calculator.calculateWTNSBin(inputs[0]!, true); // warm-up
    for (const input of inputs.slice(0, k)) {
      const c0 = process.cpuUsage();
      wtnss.push(await calculator.calculateWTNSBin(input, true));
      const c = process.cpuUsage(c0);
      witnessCpuMs.push((c.user + c.system) / 1000);
    }
    logger.info(`${id}: one core, ${k} proofs per prover`);
    const core = await oneCore(wtnss, artifacts.zkey, id, native);
    const perMin = (s: SideResult) => (s.proofs * 60_000) / s.wallMs;
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const sides: [string, SideResult][] = [
      ["baseline (fullProve loop)", base],
      [`pool, snarkjs (${pool.workers} workers)`, pool],
    ];
    if (nativePool) sides.push([`pool, native (${nativePool.workers} workers)`, nativePool]);
    for (const [name, s] of sides) {
      rows.push(
        `| ${id} | ${name} | ${perMin(s).toFixed(1)} | ${sec(percentile(s.latenciesMs, 50))} | ${sec(percentile(s.latenciesMs, 95))} | ${mib(s.peakMemBytes)} | ${(perMin(s) / perMin(base)).toFixed(2)}x |`,
      );
    }
    const med = (xs: number[]) => (xs.length ? percentile(xs, 50) : NaN);
    const snarkjsCpu = med(core.snarkjsCpuMs);
    const nativeCpu = med(core.nativeCpuMs);
    const witnessCpu = med(witnessCpuMs);
    const verify = med((nativePool ?? pool).verifyMs);
    coreRows.push(
      `| ${id} | ${sec(snarkjsCpu)} | ${native ? sec(nativeCpu) : "-"} | ${native ? (snarkjsCpu / nativeCpu).toFixed(1) + "x" : "-"} | ${native ? sec(med(core.nativeWallAllCoresMs)) : "-"} | ${sec(witnessCpu)} | ${sec(verify)} |`,
    );
    json[id] = {
      proofsPerMin: Object.fromEntries(sides.map(([name, s]) => [name.split(" (")[0], +perMin(s).toFixed(2)])),
      p50LatencyMs: Object.fromEntries(sides.map(([name, s]) => [name.split(" (")[0], Math.round(percentile(s.latenciesMs, 50))])),
      peakMemPerWorkerMiB: Object.fromEntries(sides.map(([name, s]) => [name.split(" (")[0], Math.round(s.peakMemBytes / 2 ** 20)])),
      oneCoreCpuMs: { snarkjs: Math.round(snarkjsCpu), native: Math.round(nativeCpu) },
      nativeAllCoresWallMs: Math.round(med(core.nativeWallAllCoresMs)),
      witnessCpuMs: Math.round(witnessCpu),
      verifyMs: Math.round(verify),
      nativeSpeedupOneCore: +(snarkjsCpu / nativeCpu).toFixed(2),
      nativePoolVsBaseline: nativePool ? +(perMin(nativePool) / perMin(base)).toFixed(2) : null,
    };
  }
  console.log("| build | prover | proofs/min | p50 latency | p95 latency | peak memory per worker | throughput vs baseline |");
  console.log("|---|---|---:|---:|---:|---:|---:|");
  for (const r of rows) console.log(r);
  console.log(`\npeak memory: V8 heap + external (zkey, wasm memories, the native key) of the proving isolate; process max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  console.log(`\n### One proof, one core (CPU seconds, witness excluded), and where a proof's time goes\n`);
  console.log(`| build | snarkjs, 1 core | native, 1 thread | native speed-up | native, ${availableParallelism()} threads (wall) | witness (wasm, CPU) | verify (snarkjs) |`);
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const r of coreRows) console.log(r);
  console.log(JSON.stringify(json));
}
