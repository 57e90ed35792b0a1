#!/usr/bin/env node
/**
 * npm run build:circuits -- <build...> [--ptau <file|dir>] [--cache-dir <dir>] [--compile-only] [--verbose]
 *
 * Compiles each named circuit build (dev, standard, or all), runs its Groth16
 * setup and exports its verification key and Solidity verifier, all cached.
 * The ptau comes from --ptau, else ZKSEQ_PTAU, else an earlier cached setup,
 * else a generated development ptau (slow, with a loud warning).
 */
import { parseArgs } from "node:util";
import { BUILDS } from "../src/builds.js";
import { buildCircuit, compileCircuit } from "../src/build/buildCircuit.js";
import { consoleLogger } from "../src/logger.js";
import { reportError } from "../cli/errors.js";

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      ptau: { type: "string" },
      "cache-dir": { type: "string" },
      "compile-only": { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      debug: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(
      `usage: npm run build:circuits -- <${Object.keys(BUILDS).join("|")}|all>... [--ptau <file|dir>] [--cache-dir <dir>] [--compile-only] [--verbose]\n` +
        `  --ptau          powers-of-tau file or folder (default: $ZKSEQ_PTAU)\n` +
        `  --cache-dir     circuit build cache (default: build/)\n` +
        `  --compile-only  compile, no Groth16 setup\n` +
        `  --verbose       more log lines\n` +
        `  --debug         print the stack of an error (or ZKSEQ_DEBUG=1)\n`,
    );
    if (!values.help) process.exitCode = 2;
    return;
  }
  const ids = positionals.includes("all") ? Object.keys(BUILDS) : positionals;
  const logger = consoleLogger("build", values.verbose);
  const ptau = values.ptau ?? process.env.ZKSEQ_PTAU;
  for (const id of ids) {
    const opts = { logger, ...(ptau ? { ptau } : {}), ...(values["cache-dir"] ? { cacheDir: values["cache-dir"] } : {}) };
    if (values["compile-only"]) {
      const c = await compileCircuit(id, opts);
      process.stdout.write(`${id}: ${c.constraints} constraints (2^${c.power} domain)\n  r1cs ${c.r1cs}\n  wasm ${c.wasm}\n`);
    } else {
      const a = await buildCircuit(id, opts);
      process.stdout.write(
        `${id}: ${a.constraints} constraints (2^${a.power} domain)\n  wasm ${a.wasm}\n  zkey ${a.zkey}\n  vkey ${a.verificationKey}\n  verifier ${a.solidityVerifier}\n`,
      );
    }
  }
}

main().catch((e: unknown) => {
  reportError(e, "npm run build:circuits -- --help");
  process.exit(1);
});
