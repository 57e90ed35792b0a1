#!/usr/bin/env node
/**
 * npm run build:contracts -- [dev|standard|all ...] [--ptau <file|dir>]
 *
 * Sets up each named Batch build and its Equivocation build (cached), writes
 * their Groth16 verifiers to contracts/verifiers/ (generated, never edited),
 * compiles the contracts with Hardhat (solc from npm) and refreshes
 * src/chain/abi.ts. Default build: dev.
 */
import { parseArgs } from "node:util";
import { batchBuildIds } from "../src/builds.js";
import { compileContracts } from "../src/chain/compileContracts.js";
import { consoleLogger } from "../src/logger.js";
import { ZkseqError } from "../src/errors.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { ptau: { type: "string" }, verbose: { type: "boolean", default: false } } });
const ids = positionals.includes("all") ? batchBuildIds() : positionals.length ? positionals : ["dev"];
const ptau = values.ptau ?? process.env.ZKSEQ_PTAU;
try {
  const { verifiers } = await compileContracts(ids, { logger: consoleLogger("contracts", values.verbose), ...(ptau ? { ptau } : {}), quiet: false });
  process.stdout.write(`verifiers: ${verifiers.join(", ")}\ncompiled; ABIs in src/chain/abi.ts\n`);
} catch (e) {
  process.stderr.write(`build:contracts: ${e instanceof ZkseqError ? e.shortMessage : e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
