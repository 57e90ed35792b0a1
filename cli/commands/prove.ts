import { writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { InvalidArgumentError } from "../../src/errors.js";
import { readJsonFile } from "../../src/readJsonFile.js";
import type { CircuitInput } from "../../src/witness.js";
import type { ProverBackend } from "../../prover/provingPool.js";
import { backendFlag } from "../backendFlag.js";
import { action, positiveInt } from "../errors.js";
import { Progress } from "../progress.js";

interface ProveFlags {
  build?: string;
  out?: string;
  ptau?: string;
  cacheDir?: string;
  backend?: ProverBackend;
  threads?: number;
}

/**
 * Reads what `zkseq prove` accepts: a batch file ({ build, header, committee,
 * txHashes, reports }), a job request ({ build, input }), or a bare circuit input.
 */
export async function readProveInput(json: unknown, buildFlag: string | undefined): Promise<{ build: string; input: CircuitInput }> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new InvalidArgumentError("the input file must hold a JSON object");
  const o = json as Record<string, unknown>;
  const fileBuild = typeof o.build === "string" ? o.build : undefined;
  if (buildFlag && fileBuild && buildFlag !== fileBuild) throw new InvalidArgumentError(`--build ${buildFlag} but the file is for build '${fileBuild}'`);
  const build = buildFlag ?? fileBuild ?? "dev";
  if ("header" in o) {
    const [{ batchFileFromJSON }, { buildWitnessInput }] = await Promise.all([import("../../src/batchFile.js"), import("../../src/witness.js")]);
    const batch = batchFileFromJSON({ ...o, build });
    return { build, input: buildWitnessInput({ build, header: batch.header, committee: batch.committee, txHashes: batch.txHashes, reports: batch.reports }).input };
  }
  if ("input" in o) return { build, input: o.input as CircuitInput };
  return { build, input: o as CircuitInput };
}

export function registerProve(program: Command): void {
  program
    .command("prove")
    .description("prove one batch with a local worker and write the proof to a file")
    .argument("<input.json>", "a batch file { build, header, committee, txHashes, reports }, a job { build, input }, or a circuit input")
    .option("-b, --build <id>", "circuit build (default: the file's, else dev)")
    .option("-o, --out <file>", "where to write the proof (default: <input>.proof.json)")
    .option("--ptau <path>", "ptau file or folder for a build not set up yet (default: $ZKSEQ_PTAU)")
    .option("--cache-dir <dir>", "circuit build cache")
    .option("--backend <name>", "native (default where its addon built) or snarkjs", backendFlag)
    .option("--threads <n>", "threads of the native prover (default: available cores)", positiveInt("--threads"))
    .action(
      action(async (file: string, flags: ProveFlags) => {
        const progress = new Progress();
        const json = await readJsonFile(file, "input file");
        const { build, input } = await readProveInput(json, flags.build);
        const out = flags.out ?? join(dirname(resolve(file)), basename(file).replace(/\.json$/i, "") + ".proof.json");

        const [{ buildCircuit }, { ProvingPool, buildFiles }, { headerFromPublicSignals, headerToJSON }] = await Promise.all([
          import("../../src/build/buildCircuit.js"),
          import("../../prover/provingPool.js"),
          import("../../src/header.js"),
        ]);
        progress.step(`circuit '${build}': compile and set up (cached after the first time)`);
        const ptau = flags.ptau ?? process.env.ZKSEQ_PTAU;
        const artifacts = await buildCircuit(build, {
          ...(ptau ? { ptau } : {}),
          ...(flags.cacheDir ? { cacheDir: flags.cacheDir } : {}),
          logger: { info: (m) => progress.update(m), warn: (m) => process.stderr.write(`\nWARNING: ${m}\n`) },
        });
        progress.done(`circuit '${build}' ready`);

        const pool = new ProvingPool({
          workers: 1,
          ...(flags.backend ? { backend: flags.backend } : {}),
          threads: flags.threads || availableParallelism(),
          logger: { info: () => {}, warn: (m) => process.stderr.write(`WARNING: ${m}\n`) },
        });
        try {
          progress.step("witness, Groth16 proof and verification");
          const result = await pool.prove(buildFiles(artifacts), input);
          progress.done(`proof verified (${result.backend}, witness ${(result.timings.witnessMs / 1000).toFixed(1)}s, prove ${(result.timings.proveMs / 1000).toFixed(1)}s)`);
          const { header, batchHash } = headerFromPublicSignals(result.publicSignals);
          const doc = { build, proof: result.proof, publicSignals: result.publicSignals, batchHash: batchHash.toString(), header: headerToJSON(header) };
          await writeFile(out, JSON.stringify(doc, null, 2) + "\n");
          process.stderr.write(`wrote ${out}\n`);
        } catch (e) {
          progress.fail();
          throw e;
        } finally {
          await pool.close();
        }
      }),
    );
}
