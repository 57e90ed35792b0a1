#!/usr/bin/env node
// The package's install step: builds the native Groth16 prover (native/) with
// node-gyp against the local Node headers. It never fails the install: with no
// compiler, no headers or a failed build it prints one warning line and zkseq
// proves with snarkjs instead. ZKSEQ_SKIP_NATIVE=1 skips the build.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = join(root, "native");
const warn = (reason) => {
  console.warn(`zkseq: native prover not built (${reason}); proofs will use snarkjs (slower)`);
  process.exit(0);
};

if (process.env.ZKSEQ_SKIP_NATIVE === "1") warn("ZKSEQ_SKIP_NATIVE=1");

// The headers of the running Node: <prefix>/include/node, so no download is needed.
const prefix = dirname(dirname(process.execPath));
if (!existsSync(join(prefix, "include", "node", "node_api.h"))) warn(`no Node headers under ${join(prefix, "include", "node")}`);

let nodeGyp;
try {
  nodeGyp = createRequire(join(root, "package.json")).resolve("node-gyp/bin/node-gyp.js");
} catch {
  warn("node-gyp is not installed");
}

const build = spawnSync(process.execPath, [nodeGyp, "rebuild", "--release", `--nodedir=${prefix}`], {
  cwd: nativeDir,
  encoding: "utf8",
  env: { ...process.env, npm_config_nodedir: prefix },
});
if (build.error) warn(build.error.message);
if (build.status !== 0) {
  const lines = `${build.stderr ?? ""}`.split("\n").filter((l) => /error/i.test(l));
  warn(lines[0]?.trim() || `node-gyp exited with ${build.status}`);
}
if (!existsSync(join(nativeDir, "build", "Release", "zkseq_native.node"))) warn("node-gyp produced no zkseq_native.node");
console.log("zkseq: native prover built (native/build/Release/zkseq_native.node)");
