import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildCircuit, PACKAGE_ROOT, type BuildOptions } from "../build/buildCircuit.js";
import { equivocationBuildFor, getBatchBuild, getKeyOwnershipBuild, type CircuitBuild } from "../builds.js";

/** Where generated verifier sources go (gitignored: each machine's zkeys differ). */
export const VERIFIERS_DIR = join(PACKAGE_ROOT, "contracts", "verifiers");

/**
 * The Solidity contract name of a build's verifier: `dev` -> `DevBatchVerifier`,
 * `equivocation-dev` -> `EquivocationDevVerifier`, `key-ownership` -> `KeyOwnershipVerifier`.
 */
export function verifierContractName(buildId: string): string {
  const pascal = buildId
    .split(/[-_]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
  return buildId.startsWith("equivocation-") || buildId === "key-ownership" ? `${pascal}Verifier` : `${pascal}BatchVerifier`;
}

/**
 * Sets up each Batch build, its Equivocation build and the KeyOwnership build
 * (cached) and writes their snarkjs Groth16 verifiers to contracts/verifiers/<Name>.sol, renamed
 * and marked as generated. Returns the contract names written.
 */
export async function writeVerifierSources(batchBuildIds: readonly string[], options: BuildOptions = {}): Promise<string[]> {
  await mkdir(VERIFIERS_DIR, { recursive: true });
  const names: string[] = [];
  const builds: CircuitBuild[] = batchBuildIds.flatMap((id) => [getBatchBuild(id), equivocationBuildFor(id)]);
  builds.push(getKeyOwnershipBuild());
  for (const build of builds) {
    const artifacts = await buildCircuit(build, options);
    const name = verifierContractName(build.id);
    const source = (await readFile(artifacts.solidityVerifier, "utf8")).replace(/contract Groth16Verifier\b/, `contract ${name}`);
    const out = join(VERIFIERS_DIR, `${name}.sol`);
    const previous = await readFile(out, "utf8").catch(() => undefined);
    if (previous !== source) await writeFile(out, source);
    names.push(name);
  }
  return names;
}
