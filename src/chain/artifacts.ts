import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Abi, Hex } from "viem";
import { PACKAGE_ROOT } from "../build/buildCircuit.js";
import { ContractsNotBuiltError } from "../errors.js";

/** A compiled contract: what viem needs to deploy it. */
export interface ContractArtifact {
  contractName: string;
  abi: Abi;
  bytecode: Hex;
}

/** Reads a Hardhat artifact, e.g. `BatchInbox.sol/BatchInbox` or `verifiers/DevBatchVerifier.sol/DevBatchVerifier`. */
export async function readContractArtifact(path: string, buildIds = "dev"): Promise<ContractArtifact> {
  const file = join(PACKAGE_ROOT, "artifacts", "contracts", `${path}.json`);
  let json: { contractName: string; abi: Abi; bytecode: Hex };
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch {
    throw new ContractsNotBuiltError(path.split("/").pop()!, buildIds);
  }
  return { contractName: json.contractName, abi: json.abi, bytecode: json.bytecode };
}
