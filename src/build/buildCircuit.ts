import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile, cp } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve, sep } from "node:path";
import * as snarkjs from "snarkjs";
import { readR1cs } from "r1csfile";
import { getBuild, mainComponentSource, type CircuitBuild } from "../builds.js";
import { CircuitBuildError } from "../errors.js";
import { silentLogger, type Logger } from "../logger.js";
import { availableParallelism } from "node:os";
import { resolvePtau, type PtauFile } from "./ptau.js";
import { devSetup } from "./devSetup.js";
import { withSharedCurve } from "./curves.js";
import { PACKAGE_ROOT } from "../packageRoot.js";

const require = createRequire(import.meta.url);

export { PACKAGE_ROOT };
/** Where circuit sources live. */
export const CIRCUITS_DIR = join(PACKAGE_ROOT, "circuits");
/**
 * The default build cache: `$ZKSEQ_BUILD_DIR`, else <package>/build. The one
 * environment variable the library reads itself: an installed package's
 * folder (node_modules/zkseq) is a poor home for keys that must outlive a
 * reinstall, and every entry point (deploy, prover, CLI) must agree on it.
 */
export const DEFAULT_CACHE_DIR = process.env.ZKSEQ_BUILD_DIR ? resolve(process.env.ZKSEQ_BUILD_DIR) : join(PACKAGE_ROOT, "build");

/** Options of compileCircuit / buildCircuit. */
export interface BuildOptions {
  /** A ptau file or a folder of them. Without one, an earlier setup in the cache is reused, else development keys are made directly from fresh random toxic waste (seconds, loud; see devSetup.ts). */
  ptau?: string;
  /** The build cache (default: `$ZKSEQ_BUILD_DIR`, else <package>/build). */
  cacheDir?: string;
  /** Progress goes here (default: silent). */
  logger?: Logger;
}

/** The compiled circuit. */
export interface CompiledCircuit {
  build: CircuitBuild;
  dir: string;
  r1cs: string;
  wasm: string;
  sym: string;
  /** The witness calculator module (CommonJS) that loads `wasm`. */
  witnessCalculator: string;
  /** Non-linear constraints. */
  constraints: number;
  /** Constraints + public signals + 1: what the Groth16 domain must hold. */
  domainSize: number;
  /** log2 of the domain: the ptau power the setup needs. */
  power: number;
}

/** The compiled circuit with its Groth16 keys. */
export interface CircuitArtifacts extends CompiledCircuit {
  zkey: string;
  verificationKey: string;
  solidityVerifier: string;
  /** How the keys were made: from a ptau with a single-party phase 2, or directly from random toxic waste (development only, no ptau). */
  setup: "ptau" | "direct-dev";
  /** The ptau of a "ptau" setup. */
  ptau?: { sha256: string; power: number; generated: boolean };
}

/** The folder of an installed package (works for packages whose "exports" hide package.json). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (dir !== dirname(dir)) {
    try {
      if ((require(join(dir, "package.json")) as { name?: string }).name === name) return dir;
    } catch {
      /* keep looking */
    }
    dir = dirname(dir);
  }
  throw new CircuitBuildError(`cannot find the ${name} package`);
}

function packageVersion(name: string): string {
  return (require(join(packageDir(name), "package.json")) as { version: string }).version;
}

/** The cache key of a build: its parameters, the circuit sources it includes (transitively), and the compiler and circomlib versions. */
export async function sourceKey(build: CircuitBuild): Promise<string> {
  const h = createHash("sha256");
  h.update(JSON.stringify({ template: build.template, params: build.params, circom2: packageVersion("circom2"), circomlib: packageVersion("circomlib"), flags: "--O2" }));
  const seen = new Set<string>();
  const visit = async (name: string): Promise<void> => {
    if (seen.has(name)) return;
    seen.add(name);
    const text = await readFile(join(CIRCUITS_DIR, name), "utf8");
    h.update(name);
    h.update(text);
    // circomlib includes are covered by its version; our own are hashed in include order
    for (const m of text.matchAll(/^\s*include\s+"([^"]+)"/gm)) if (!m[1]!.startsWith("circomlib/")) await visit(m[1]!);
  };
  await visit(`${build.template}.circom`);
  return h.digest("hex").slice(0, 16);
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Moves a finished temporary folder into its cache place. When another process
 * published the same build first (its `marker` file exists), theirs is kept.
 */
async function publish(tmp: string, dir: string, marker: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  try {
    await rename(tmp, dir);
  } catch (e) {
    if (!(await exists(join(dir, marker)))) throw e;
  }
}

/** The deepest folder that holds every one of `paths` (absolute). */
export function commonAncestor(paths: readonly string[]): string {
  const split = paths.map((p) => resolve(p).split(sep));
  const common: string[] = [];
  for (let i = 0; split.every((parts) => i < parts.length && parts[i] === split[0]![i]); i++) common.push(split[0]![i]!);
  return common.join(sep) || sep;
}

function runCircom(args: string[], logger: Logger, cwd: string = PACKAGE_ROOT): Promise<void> {
  const cli = join(packageDir("circom2"), "cli.js");
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const collect = (d: Buffer) => {
      out += d.toString();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const ticker = setInterval(() => logger.info("  ... still compiling"), 15_000);
    child.on("error", (e) => {
      clearInterval(ticker);
      reject(new CircuitBuildError("cannot start the circom2 compiler", undefined, e));
    });
    child.on("close", (code) => {
      clearInterval(ticker);
      const clean = out.replace(/\u001b\[[0-9;]*m/g, "");
      if (code === 0 && /Everything went okay/.test(clean)) resolveRun();
      else reject(new CircuitBuildError(`circom2 failed (exit ${code})`, clean.slice(-4000)));
    });
  });
}

/**
 * Compiles a build with circom2 (r1cs, wasm witness generator, sym), or
 * returns the cached result when the sources and parameters are unchanged.
 *
 * @example
 * const { wasm, r1cs, constraints } = await compileCircuit("dev")
 */
export async function compileCircuit(buildOrId: string | CircuitBuild, options: BuildOptions = {}): Promise<CompiledCircuit> {
  const build = typeof buildOrId === "string" ? getBuild(buildOrId) : buildOrId;
  const logger = options.logger ?? silentLogger;
  const cacheDir = resolve(options.cacheDir ?? DEFAULT_CACHE_DIR);
  const dir = join(cacheDir, build.id, await sourceKey(build));
  const name = build.id;
  const paths = { r1cs: join(dir, `${name}.r1cs`), wasm: join(dir, `${name}_js`, `${name}.wasm`), sym: join(dir, `${name}.sym`), witnessCalculator: join(dir, `${name}_js`, "witness_calculator.cjs") };

  if (!(await exists(join(dir, "compile.json")))) {
    const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    await mkdir(tmp, { recursive: true });
    try {
      const main = join(tmp, `${name}.circom`);
      await writeFile(main, mainComponentSource(build));
      const circomlibParent = resolve(packageDir("circomlib"), "..");
      logger.info(`[compile] ${build.id} ${JSON.stringify(build.params)} with circom2 ${packageVersion("circom2")} (--O2)`);
      const t0 = Date.now();
      // circom2 (WASI) reads only below its working directory: run it from the deepest folder holding every path it needs
      // (an installed zkseq finds circomlib beside it in node_modules, and a build cache may live anywhere)
      await runCircom([main, "--r1cs", "--wasm", "--sym", "--O2", "-l", CIRCUITS_DIR, "-l", circomlibParent, "-o", tmp], logger, commonAncestor([tmp, CIRCUITS_DIR, circomlibParent]));
      // The generated witness calculator is CommonJS; give it a .cjs twin so ESM code can require it.
      await cp(join(tmp, `${name}_js`, "witness_calculator.js"), join(tmp, `${name}_js`, "witness_calculator.cjs"));
      const r1cs = await readR1cs(join(tmp, `${name}.r1cs`), { loadConstraints: false, loadMap: false, singleThread: true });
      const publicCount = r1cs.nOutputs + r1cs.nPubInputs;
      const meta = { build: build.id, params: build.params, constraints: r1cs.nConstraints, publicSignals: publicCount, wires: r1cs.nVars, compiledAt: new Date().toISOString() };
      await writeFile(join(tmp, "compile.json"), JSON.stringify(meta, null, 2) + "\n");
      logger.info(`[compile] done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${r1cs.nConstraints} constraints, ${publicCount} public signals`);
      await publish(tmp, dir, "compile.json");
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  const meta = JSON.parse(await readFile(join(dir, "compile.json"), "utf8")) as { constraints: number; publicSignals: number };
  const domainSize = meta.constraints + meta.publicSignals + 1;
  return { build, dir, ...paths, constraints: meta.constraints, domainSize, power: Math.ceil(Math.log2(domainSize)) };
}

/**
 * The whole pipeline for one build: compile (cached), Groth16 setup, and
 * export of the verification key and the Solidity verifier. With a ptau, the
 * setup is `zkey new` plus one random phase-2 contribution (cached per ptau);
 * without one, an earlier setup is reused, else development keys are made
 * directly from fresh random toxic waste in seconds (devSetup.ts).
 *
 * Both are for development only: production deployments run a multi-party
 * phase 2 on a ceremony ptau (`zkseq ceremony`, see docs/setup.md) and
 * install its final keys (`installCeremonyKeys`): given that ptau, this then
 * returns the ceremony's keys instead of setting up its own.
 *
 * @example
 * const art = await buildCircuit("dev", { ptau: "../shared/ptau", logger: consoleLogger() })
 * art.zkey // path of the proving key
 */
export async function buildCircuit(buildOrId: string | CircuitBuild, options: BuildOptions = {}): Promise<CircuitArtifacts> {
  const logger = options.logger ?? silentLogger;
  const compiled = await compileCircuit(buildOrId, options);

  let ptau: PtauFile | undefined;
  if (options.ptau) ptau = await resolvePtau(options.ptau, compiled.power);
  else {
    const earlier = (await readdir(compiled.dir)).filter((n) => n.startsWith("setup-") && !n.includes(".tmp-")).sort()[0];
    if (earlier && (await exists(join(compiled.dir, earlier, "setup.json")))) return artifactsIn(compiled, join(compiled.dir, earlier));
    return directDevSetup(compiled, logger);
  }

  const setupDir = join(compiled.dir, `setup-${ptau.sha256.slice(0, 16)}`);
  if (await exists(join(setupDir, "setup.json"))) return artifactsIn(compiled, setupDir);

  const tmp = `${setupDir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(tmp, { recursive: true });
  const snarkLogger = { info: (m: string) => logger.debug?.(m), debug: () => {}, warn: logger.warn.bind(logger), error: logger.warn.bind(logger) };
  const step = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    logger.info(`${label} ...`);
    const ticker = setInterval(() => logger.info(`  ... ${label} (${Math.round((Date.now() - t0) / 1000)} s)`), 20_000);
    try {
      return await fn();
    } finally {
      clearInterval(ticker);
      logger.info(`${label} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  };
  // snarkjs brings up its shared curve here; released when no other zkseq user holds it (src/build/curves.ts)
  await withSharedCurve(async () => {
    try {
      const id = compiled.build.id;
      logger.warn(
        `single-party Groth16 phase 2 for '${id}': fine for development and tests, NOT for production ` +
          `(whoever holds the entropy can forge proofs; run a multi-party phase 2 with zkseq ceremony, see docs/setup.md)`,
      );
      const zkey0 = join(tmp, `${id}_0000.zkey`);
      const zkey = join(tmp, `${id}.zkey`);
      await step(`[setup 1/3] groth16 setup of ${compiled.constraints} constraints with ${ptau.path} (2^${ptau.power})`, async () => {
        const r = await snarkjs.zKey.newZKey(compiled.r1cs, ptau!.path, zkey0, snarkLogger);
        if (r === -1) throw new CircuitBuildError(`snarkjs refused the setup of '${id}' (ptau too small or not prepared?)`);
      });
      await step(`[setup 2/3] phase-2 contribution (random entropy)`, () =>
        snarkjs.zKey.contribute(zkey0, zkey, "zkseq single-party dev contribution", randomBytes(32).toString("hex"), snarkLogger),
      );
      await rm(zkey0);
      await step(`[setup 3/3] export verification key and Solidity verifier`, () => exportKeys(compiled, tmp, zkey, logger, `ptau sha256 ${ptau!.sha256}`));
      await writeFile(
        join(tmp, "setup.json"),
        JSON.stringify({ setup: "ptau", ptau: { sha256: ptau.sha256, power: ptau.power, generated: ptau.generated }, singleParty: true, createdAt: new Date().toISOString() }, null, 2) + "\n",
      );
      await publish(tmp, setupDir, "setup.json");
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
  return artifactsIn(compiled, setupDir);
}

async function artifactsIn(compiled: CompiledCircuit, setupDir: string): Promise<CircuitArtifacts> {
  const setup = JSON.parse(await readFile(join(setupDir, "setup.json"), "utf8")) as { setup?: CircuitArtifacts["setup"]; ptau?: CircuitArtifacts["ptau"] };
  return {
    ...compiled,
    zkey: join(setupDir, `${compiled.build.id}.zkey`),
    verificationKey: join(setupDir, "verification_key.json"),
    solidityVerifier: join(setupDir, "Verifier.sol"),
    setup: setup.setup ?? "ptau",
    ...(setup.ptau ? { ptau: setup.ptau } : {}),
  };
}

/**
 * Development keys without a ptau (devSetup.ts): seconds with the native addon.
 * Cached as `setup-direct-<random>/` with `setup.json` saying "direct-dev", so
 * they are never mistaken for keys from a ceremony's ptau.
 */
async function directDevSetup(compiled: CompiledCircuit, logger: Logger): Promise<CircuitArtifacts> {
  const id = compiled.build.id;
  const setupDir = join(compiled.dir, `setup-direct-${randomBytes(8).toString("hex")}`);
  const tmp = `${setupDir}.tmp-${process.pid}`;
  await mkdir(tmp, { recursive: true });
  // exporting the keys brings up snarkjs's shared curve; released when no other zkseq user holds it
  await withSharedCurve(async () => {
    try {
      logger.warn(
        `development Groth16 keys for '${id}' from fresh random toxic waste (no ptau): fine for development and tests, NOT for production ` +
          `(whoever runs this could keep the toxic waste and forge proofs; production keys come from a multi-party phase 2 on a ceremony ptau, see docs/setup.md)`,
      );
      const t0 = Date.now();
      const zkey = join(tmp, `${id}.zkey`);
      const r = await devSetup(compiled.r1cs, zkey, { threads: availableParallelism() });
      if (r.backend !== "native") logger.warn(`the native addon is not built: development keys computed with ffjavascript (minutes instead of seconds)`);
      logger.info(`[setup] development keys for ${compiled.constraints} constraints (domain 2^${Math.log2(r.domainSize)}) in ${((Date.now() - t0) / 1000).toFixed(1)} s (${r.backend})`);
      await exportKeys(compiled, tmp, zkey, logger, "direct development setup (no ptau, NOT a ceremony)");
      await writeFile(join(tmp, "setup.json"), JSON.stringify({ setup: "direct-dev", singleParty: true, createdAt: new Date().toISOString() }, null, 2) + "\n");
      await publish(tmp, setupDir, "setup.json");
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
  return artifactsIn(compiled, setupDir);
}

/** The verification key JSON and the Solidity verifier of a zkey, written next to it. */
async function exportKeys(compiled: CompiledCircuit, dir: string, zkey: string, logger: Logger, origin: string): Promise<void> {
  const id = compiled.build.id;
  const banner =
    `// GENERATED by zkseq's build pipeline (src/build/buildCircuit.ts) from build '${id}' ` +
    `${JSON.stringify(compiled.build.params)}, ${origin}.\n// Do not edit: rebuild with \`npm run build:circuits -- ${id}\`.\n`;
  await writeVerifierFiles(zkey, dir, banner, logger);
}

/**
 * Exports a zkey's `verification_key.json` and `Verifier.sol` (snarkjs's
 * Groth16 template, under `banner`) into `dir`; the build pipeline and the
 * ceremony's finalize both write them this way.
 */
export async function writeVerifierFiles(zkey: string, dir: string, banner: string, logger: Logger): Promise<void> {
  const snarkLogger = { info: (m: string) => logger.debug?.(m), debug: () => {}, warn: logger.warn.bind(logger), error: logger.warn.bind(logger) };
  const vkey = await snarkjs.zKey.exportVerificationKey(zkey, snarkLogger);
  await writeFile(join(dir, "verification_key.json"), JSON.stringify(vkey, null, 2) + "\n");
  const template = await readFile(join(packageDir("snarkjs"), "templates", "verifier_groth16.sol.ejs"), "utf8");
  const sol = await snarkjs.zKey.exportSolidityVerifier(zkey, { groth16: template }, snarkLogger);
  await writeFile(join(dir, "Verifier.sol"), banner + sol);
}
