/**
 * `npm run bench -- setup [--builds dev,standard] [--ptau <file>]`: how long
 * Groth16 keys take per build, directly from random toxic waste
 * (src/build/devSetup.ts) against the ptau path it replaces for development
 * (snarkjs `zkey new` + one `zkey contribute` with a prepared ptau), in one
 * run. The ptau path is skipped without a ptau (ZKSEQ_PTAU or --ptau); the
 * generation of a ptau itself (tens of minutes) is not measured here.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import * as snarkjs from "snarkjs";
import { compileCircuit } from "../src/build/buildCircuit.js";
import { resolvePtau } from "../src/build/ptau.js";
import { releaseCurves } from "../src/build/curves.js";
import { devSetup } from "../src/build/devSetup.js";
import { flag } from "./flags.js";

export async function main(args: string[]): Promise<void> {
  const ids = (flag(args, "builds") ?? "dev,standard").split(",");
  const ptauSource = flag(args, "ptau") ?? process.env.ZKSEQ_PTAU;
  const dir = await mkdtemp(join(tmpdir(), "zkseq-bench-setup-"));
  const rows: Array<{ build: string; constraints: number; direct1: number; direct2: number; ptau?: number }> = [];
  try {
    for (const id of ids) {
      const compiled = await compileCircuit(id);
      const time = async (f: () => Promise<unknown>) => {
        const t0 = performance.now();
        await f();
        return (performance.now() - t0) / 1000;
      };
      const direct1 = await time(() => devSetup(compiled.r1cs, join(dir, `${id}-1.zkey`), { threads: 1 }));
      const direct2 = await time(() => devSetup(compiled.r1cs, join(dir, `${id}-2.zkey`), { threads: availableParallelism() }));
      let ptau: number | undefined;
      if (ptauSource) {
        const p = await resolvePtau(ptauSource, compiled.power);
        ptau = await time(async () => {
          await snarkjs.zKey.newZKey(compiled.r1cs, p.path, join(dir, `${id}-0.zkey`));
          await snarkjs.zKey.contribute(join(dir, `${id}-0.zkey`), join(dir, `${id}-p.zkey`), "bench", randomBytes(32).toString("hex"));
          await releaseCurves();
        });
      }
      rows.push({ build: id, constraints: compiled.constraints, direct1, direct2, ...(ptau !== undefined ? { ptau } : {}) });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const machine = `${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load ${loadavg()[0]!.toFixed(1)}`;
  console.log(`\nGroth16 development keys (${machine})\n`);
  console.log("| build | constraints | direct, 1 thread | direct, all cores | ptau path (zkey new + contribute) | speed-up |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const ptau = r.ptau === undefined ? "(no ptau)" : `${r.ptau.toFixed(1)} s`;
    const speedup = r.ptau === undefined ? "" : `${(r.ptau / r.direct2).toFixed(1)}x`;
    console.log(`| ${r.build} | ${r.constraints} | ${r.direct1.toFixed(1)} s | ${r.direct2.toFixed(1)} s | ${ptau} | ${speedup} |`);
  }
  console.log(JSON.stringify({ bench: "setup", machine, rows }));
}
