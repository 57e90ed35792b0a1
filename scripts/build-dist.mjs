#!/usr/bin/env node
// npm run build (and npm install, through prepare): compiles the runtime
// folders (tsconfig.build.json) into dist/ and copies the non-TypeScript files
// the compiled modules load relative to themselves, and compiles the contracts
// the package ships into dist/contracts/ (solc-js). Last it writes
// dist/.build-stamp, dated when the build started: bin/zkseq.mjs runs dist/
// only while no source is newer than that stamp (a source saved during the
// build counts as newer).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const stamp = join(dist, ".build-stamp");

/** Files the compiled code reads or loads by their path next to it (tsc copies only what is imported). */
const ASSETS = ["prover/worker.mjs", "src/ceremony/knownPtau.json"];

const started = new Date();
rmSync(stamp, { force: true });

let tsc;
try {
  tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
} catch {
  // npm install --omit=dev still runs prepare; zkseq then runs its sources through tsx
  console.warn("zkseq: dist/ not built (typescript is not installed); the CLI will run the sources through tsx (slow start)");
  process.exit(0);
}
const compile = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (compile.status !== 0) process.exit(compile.status ?? 1);

for (const asset of ASSETS) {
  mkdirSync(dirname(join(dist, asset)), { recursive: true });
  copyFileSync(join(root, asset), join(dist, asset));
}
// the contracts the package ships (BatchInbox; solc-js, no Hardhat): deployInbox reads them from
// dist/contracts/ where no Hardhat artifacts exist; compiled again only when their sources changed
const { writePackagedContracts } = await import(pathToFileURL(join(dist, "src", "chain", "packagedContracts.js")).href);
const t0 = Date.now();
if (await writePackagedContracts(join(dist, "contracts"))) console.log(`zkseq: compiled the packaged contracts into dist/contracts/ in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

writeFileSync(stamp, `built from the sources as of ${started.toISOString()}\n`);
utimesSync(stamp, started, started);
