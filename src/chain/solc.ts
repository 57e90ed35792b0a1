import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Abi, Hex } from "viem";
import { ContractsNotBuiltError } from "../errors.js";
import type { ContractArtifact } from "./artifacts.js";

const require = createRequire(import.meta.url);

/** The compiler settings of hardhat.config.cjs: the bytecode solc-js makes here is the one Hardhat makes in the repo. */
export const SOLC_SETTINGS = { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "cancun" } as const;

interface SolcJs {
  compile(input: string): string;
  version(): string;
}

interface SolcOutput {
  errors?: { severity: "error" | "warning" | "info"; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

function loadSolc(what: string): SolcJs {
  try {
    return require("solc") as SolcJs;
  } catch (e) {
    throw new ContractsNotBuiltError(what, "npm install solc", "the solc package is not installed", e);
  }
}

/** The solc-js version zkseq compiles with (the `solc` npm package). */
export function solcVersion(): string {
  return (require("solc/package.json") as { version: string }).version;
}

/** A fingerprint of Solidity sources, the compiler and its settings: a compiled artifact is reused only while it matches. */
export function sourcesKey(sources: Readonly<Record<string, string>>): string {
  const h = createHash("sha256");
  h.update(JSON.stringify({ solc: solcVersion(), settings: SOLC_SETTINGS }));
  for (const name of Object.keys(sources).sort()) {
    h.update(name);
    h.update(sources[name]!);
  }
  return h.digest("hex").slice(0, 16);
}

/**
 * Compiles Solidity sources with solc-js (standard JSON, the settings of
 * hardhat.config.cjs) without Hardhat, and returns the named contracts.
 * Sources are keyed by their unit name (`contracts/BatchInbox.sol`); relative
 * imports resolve between them.
 *
 * @example
 * const [inbox] = compileSolidity({ "contracts/BatchInbox.sol": text, ... }, [{ file: "contracts/BatchInbox.sol", name: "BatchInbox" }])
 */
export function compileSolidity(sources: Readonly<Record<string, string>>, wanted: readonly { file: string; name: string }[]): ContractArtifact[] {
  const solc = loadSolc(wanted.map((w) => w.name).join(", "));
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(sources).map(([name, content]) => [name, { content }])),
    settings: { ...SOLC_SETTINGS, outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) {
    throw new ContractsNotBuiltError(wanted.map((w) => w.name).join(", "), "", `solc ${solcVersion()} failed: ${errors[0]!.formattedMessage.split("\n")[0]}`);
  }
  return wanted.map(({ file, name }) => {
    const c = output.contracts?.[file]?.[name];
    if (!c) throw new ContractsNotBuiltError(name, "", `solc produced no ${name} in ${file}`);
    return { contractName: name, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` as Hex };
  });
}
