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
import { reportError } from "../cli/errors.js";

const USAGE =
  `usage: npm run build:contracts -- [${batchBuildIds().join("|")}|all]... [--ptau <file|dir>] [--verbose]\n` +
  `  sets up each build and its Equivocation build, generates their verifiers, compiles the contracts, refreshes src/chain/abi.ts (default build: dev)\n` +
  `  --ptau       powers-of-tau file or folder (default: $ZKSEQ_PTAU)\n` +
  `  --verbose    more log lines\n` +
  `  --debug      print the stack of an error (or ZKSEQ_DEBUG=1)\n`;

try {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      ptau: { type: "string" },
      verbose: { type: "boolean", default: false },
      debug: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
  } else {
    const ids = positionals.includes("all") ? batchBuildIds() : positionals.length ? positionals : ["dev"];
    const ptau = values.ptau ?? process.env.ZKSEQ_PTAU;
    const { verifiers } = await compileContracts(ids, { logger: consoleLogger("contracts", values.verbose), ...(ptau ? { ptau } : {}), quiet: false });
    process.stdout.write(`verifiers: ${verifiers.join(", ")}\ncompiled; ABIs in src/chain/abi.ts\n`);
  }
} catch (e) {
  reportError(e, "npm run build:contracts -- --help");
  process.exit(1);
}
