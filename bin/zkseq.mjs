#!/usr/bin/env node
// The zkseq command. It runs the compiled CLI (dist/, which npm install and
// npm run build make) with plain node. Without dist/ (a clone before its first
// build), or when a source is newer than the build (one warning line on a
// terminal), it runs the TypeScript sources through tsx instead, as before
// dist/ existed: the same behaviour, a slower start (README, CLI reference).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const stamp = join(root, "dist", ".build-stamp");
const buildConfig = join(root, "tsconfig.build.json");

/** The newest modification time (ms) of the files under `path`, or 0. */
function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = 0;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

/** Whether a source the build compiles or copies (or its config) changed after the build started. */
function stale(builtAt) {
  const { include } = JSON.parse(readFileSync(buildConfig, "utf8"));
  const inputs = [...include, "tsconfig.json", "tsconfig.build.json"];
  return inputs.some((p) => newest(join(root, p)) > builtAt);
}

// an installed package has dist/ and no sources
const sources = existsSync(join(root, "cli", "zkseq.ts")) && existsSync(buildConfig);
const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : undefined;
if (!sources || (builtAt !== undefined && !stale(builtAt))) {
  await import("../dist/cli/zkseq.js");
} else {
  // to a terminal only: piped stderr (scripts, the tests) keeps the one-line error contract
  if (process.stderr.isTTY && existsSync(join(root, "dist", "cli", "zkseq.js"))) {
    process.stderr.write("zkseq: dist/ is older than the sources; running them through tsx (npm run build to make the CLI start fast)\n");
  }
  const { register } = await import("tsx/esm/api");
  register();
  await import("../cli/zkseq.ts");
}
