import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../packageRoot.js";
import { compileSolidity, sourcesKey } from "./solc.js";

/**
 * The contracts a package carries compiled: what deploy needs that does not
 * depend on a setup's keys (the Groth16 verifiers do, so deploy compiles them
 * on demand: readVerifierArtifact). `npm run build` (which `npm pack` runs)
 * writes them to dist/contracts/<name>.json.
 */
export const PACKAGED_CONTRACTS: readonly { file: string; name: string }[] = [{ file: "contracts/BatchInbox.sol", name: "BatchInbox" }];

/** Where `npm run build` puts the packaged contracts. */
export const PACKAGED_CONTRACTS_DIR = join(PACKAGE_ROOT, "dist", "contracts");

/** The Solidity sources the packaged contracts compile from: contracts/*.sol and contracts/interfaces/*.sol, by unit name. */
async function packagedSources(): Promise<Record<string, string>> {
  const sources: Record<string, string> = {};
  for (const dir of ["contracts", "contracts/interfaces"]) {
    for (const f of (await readdir(join(PACKAGE_ROOT, dir))).filter((n) => n.endsWith(".sol")).sort()) {
      sources[`${dir}/${f}`] = await readFile(join(PACKAGE_ROOT, dir, f), "utf8");
    }
  }
  return sources;
}

/**
 * Compiles the packaged contracts with solc-js (the settings of
 * hardhat.config.cjs) into dist/contracts/, unless the sources, the compiler
 * and its settings are those of the files already there. Returns whether it compiled.
 */
export async function writePackagedContracts(outDir: string = PACKAGED_CONTRACTS_DIR): Promise<boolean> {
  const sources = await packagedSources();
  const key = sourcesKey(sources);
  const stamp = join(outDir, "sources.json");
  const previous = await readFile(stamp, "utf8").then((t) => (JSON.parse(t) as { key?: string }).key, () => undefined);
  if (previous === key) return false;
  await mkdir(outDir, { recursive: true });
  for (const art of compileSolidity(sources, PACKAGED_CONTRACTS)) {
    const file = join(outDir, `${art.contractName}.json`);
    await writeFile(`${file}.tmp-${process.pid}`, JSON.stringify(art) + "\n");
    await rename(`${file}.tmp-${process.pid}`, file);
  }
  await writeFile(stamp, JSON.stringify({ key, sources: Object.keys(sources), contracts: PACKAGED_CONTRACTS.map((c) => c.name) }, null, 2) + "\n");
  return true;
}
