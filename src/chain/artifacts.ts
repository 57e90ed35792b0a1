import { randomBytes } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Abi, Hex } from "viem";
import { buildCircuit, PACKAGE_ROOT, type BuildOptions } from "../build/buildCircuit.js";
import type { CircuitBuild } from "../builds.js";
import { ContractsNotBuiltError } from "../errors.js";
import { PACKAGED_CONTRACTS_DIR } from "./packagedContracts.js";
import { compileSolidity, sourcesKey } from "./solc.js";
import { verifierContractName } from "./verifierSources.js";

/** A compiled contract: what viem needs to deploy it. */
export interface ContractArtifact {
  contractName: string;
  abi: Abi;
  bytecode: Hex;
}

function hardhatInstalled(): boolean {
  try {
    createRequire(join(PACKAGE_ROOT, "package.json")).resolve("hardhat");
    return true;
  } catch {
    return false;
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

async function readHardhatArtifact(path: string): Promise<ContractArtifact | undefined> {
  const json = await readJson<ContractArtifact>(join(PACKAGE_ROOT, "artifacts", "contracts", `${path}.json`));
  return json && { contractName: json.contractName, abi: json.abi, bytecode: json.bytecode };
}

/**
 * Reads a compiled contract, e.g. `BatchInbox.sol/BatchInbox` or
 * `verifiers/DevBatchVerifier.sol/DevBatchVerifier`: Hardhat's artifact in a
 * zkseq checkout (`npm run build:contracts`), else the one the package ships
 * in dist/contracts/ (`npm run build`, which `npm pack` runs).
 */
export async function readContractArtifact(path: string, buildIds = "dev"): Promise<ContractArtifact> {
  const name = path.split("/").pop()!;
  const art = (await readHardhatArtifact(path)) ?? (await readJson<ContractArtifact>(join(PACKAGED_CONTRACTS_DIR, `${name}.json`)));
  // with Hardhat (a checkout) the contracts compile with it; a package ships them from `npm run build`
  if (!art) throw new ContractsNotBuiltError(name, hardhatInstalled() ? `npm run build:contracts -- ${buildIds}` : "npm run build");
  return { contractName: art.contractName, abi: art.abi, bytecode: art.bytecode };
}

/**
 * A Groth16 verifier for a build's keys. In a zkseq checkout whose contracts
 * Hardhat compiled (`npm run build:contracts`), its artifact; elsewhere (a
 * package installed from npm) the build's keys are set up (cached, see
 * buildCircuit: `options` choose the ptau and the cache) and its verifier is
 * compiled with solc-js, once: the artifact is cached next to the keys.
 *
 * @example
 * const verifier = await readVerifierArtifact(getBatchBuild("dev"), { ptau: "ceremony/ptau" }) // the keys buildCircuit gives for that ptau
 */
export async function readVerifierArtifact(build: CircuitBuild, options: BuildOptions = {}): Promise<ContractArtifact> {
  const name = verifierContractName(build.id);
  const hardhat = await readHardhatArtifact(`verifiers/${name}.sol/${name}`);
  if (hardhat) return hardhat;
  const keys = await buildCircuit(build, options);
  const source = (await readFile(keys.solidityVerifier, "utf8")).replace(/contract Groth16Verifier\b/, `contract ${name}`);
  const file = `contracts/verifiers/${name}.sol`;
  const cached = join(dirname(keys.solidityVerifier), `${name}-${sourcesKey({ [file]: source })}.json`);
  const earlier = await readJson<ContractArtifact>(cached);
  if (earlier) return earlier;
  const [compiled] = compileSolidity({ [file]: source }, [{ file, name }]);
  const tmp = `${cached}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await writeFile(tmp, JSON.stringify(compiled) + "\n");
  await rename(tmp, cached);
  return compiled!;
}
