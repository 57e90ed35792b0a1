/**
 * zkseq as a dependency: the `npm pack` tarball installed in a fresh project
 * (from the npm cache) and used from plain node, against the package's own
 * compiled code: every entry point, `npx zkseq --help`, a circuit compiled
 * from the installed sources (circomlib includes resolved in node_modules), deployInbox without
 * Hardhat (BatchInbox from dist/contracts/, the verifiers compiled on demand
 * with solc-js), a proof, verifyBatch, submitBatch, the LightClient and an
 * inclusion proof (test/helpers/packageConsumer.mjs); then the README's
 * integrator example (examples/follow-the-chain.mjs) in the same project.
 *
 * Kept inside its time budget by handing the consumer this repo's build cache
 * (ZKSEQ_BUILD_DIR: the keys are set up once, not per install) and by
 * skipping the native addon's build in the consumer (ZKSEQ_SKIP_NATIVE=1: it
 * proves with snarkjs). Packs the dist/ that `npm test` has just built.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { compileContracts } from "../src/chain/compileContracts.js";
import { DEFAULT_CACHE_DIR, PACKAGE_ROOT, buildCircuit } from "../src/build/buildCircuit.js";
import { consoleLogger } from "../src/logger.js";
import { batchInboxAbi } from "../src/chain/abi.js";
import { compileSolidity } from "../src/chain/solc.js";
import { ContractsNotBuiltError } from "../src/errors.js";

const run = promisify(execFile);
const logger = consoleLogger("package-test");

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Runs a command; on failure the error carries its output. */
async function sh(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeout ?? 120_000, maxBuffer: 1 << 26 });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}\n${stderr ?? ""}\n${stdout ?? ""}`.slice(0, 8000));
  }
}

test("package: a fresh project installs the npm pack tarball and, with plain node, deploys, proves, verifies, lands and follows a batch", { timeout: 300_000 }, async () => {
  const t0 = Date.now();
  const ptau = process.env.ZKSEQ_PTAU;
  // this repo's keys (dev, equivocation-dev, key-ownership; cached) and its Hardhat network, which the consumer reaches over JSON-RPC
  const { hre } = await compileContracts(["dev"], { logger, ...(ptau ? { ptau } : {}) });
  if (!(await exists(join(PACKAGE_ROOT, "dist", "contracts", "BatchInbox.json"))) || !(await exists(join(PACKAGE_ROOT, "dist", ".build-stamp")))) {
    await sh("npm", ["run", "build"], { cwd: PACKAGE_ROOT, timeout: 240_000 });
  }

  const dir = await mkdtemp(join(tmpdir(), "zkseq-consumer-"));
  const { TASK_NODE_CREATE_SERVER } = await import("hardhat/builtin-tasks/task-names.js");
  const server = (await hre.run(TASK_NODE_CREATE_SERVER, { hostname: "127.0.0.1", port: 0, provider: hre.network.provider })) as { listen(): Promise<{ port: number }>; close(): Promise<void> };
  try {
    // the tarball, as `npm pack` makes it (its prepare step is the build `npm test` has just run)
    const packed = JSON.parse((await sh("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: PACKAGE_ROOT })).stdout) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path);
    assert.ok(files.includes("dist/contracts/BatchInbox.json"), "the tarball carries the compiled BatchInbox");
    for (const f of files) assert.doesNotMatch(f, /\.(zkey|r1cs|wasm|ptau|node)$|^artifacts\/|^build\/|^contracts\/verifiers\//, `no build output or key material in the tarball: ${f}`);

    // a fresh project that depends on it; circom2 and circomlib pinned to this checkout's, so the build cache's keys are the ones it looks for
    const project = join(dir, "project");
    await mkdir(project);
    const pin = async (name: string) => (JSON.parse(await readFile(join(PACKAGE_ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
    await writeFile(join(project, "package.json"), JSON.stringify({ name: "zkseq-consumer", private: true, type: "module", dependencies: { circom2: await pin("circom2"), circomlib: await pin("circomlib") } }, null, 2));
    const tInstall = Date.now();
    // --ignore-scripts: better-sqlite3 would build SQLite from source (no prebuilt binary without GitHub); zkseq's own install step runs next
    await sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", join(dir, packed[0]!.filename)], { cwd: project, timeout: 240_000 });
    const native = await sh("npm", ["rebuild", "zkseq", "--foreground-scripts"], { cwd: project, env: { ...process.env, ZKSEQ_SKIP_NATIVE: "1" } });
    assert.match(native.stdout + native.stderr, /zkseq: native prover not built \(ZKSEQ_SKIP_NATIVE=1\); proofs will use snarkjs/);
    const installMs = Date.now() - tInstall;
    assert.equal(await exists(join(project, "node_modules", "hardhat")), false, "the consumer has no Hardhat");
    assert.equal(await exists(join(project, "node_modules", "zkseq", "artifacts")), false, "nor Hardhat artifacts");

    // the consumer's script, with plain node, against this process's chain
    await hre.network.provider.send("evm_setAutomine", [true]);
    const { port } = await server.listen();
    await copyFile(join(PACKAGE_ROOT, "test", "helpers", "packageConsumer.mjs"), join(project, "consumer.mjs"));
    const env: NodeJS.ProcessEnv = { ...process.env, ZKSEQ_CONSUMER_RPC: `http://127.0.0.1:${port}`, ZKSEQ_BUILD_DIR: DEFAULT_CACHE_DIR };
    delete env.NODE_OPTIONS; // no tsx loader from this test run
    const tRun = Date.now();
    const { stdout } = await sh(process.execPath, ["consumer.mjs"], { cwd: project, env, timeout: 180_000 });
    const result = JSON.parse(stdout.trim().split("\n").pop()!) as { ok: boolean; inbox: string; batchNumber: string; transactions: number; timings: Record<string, number> };
    assert.equal(result.ok, true);
    assert.equal(result.batchNumber, "1");
    assert.equal(result.transactions, 3);

    // the README's integrator example, in the same project, on the batch the consumer landed
    await copyFile(join(PACKAGE_ROOT, "examples", "follow-the-chain.mjs"), join(project, "follow-the-chain.mjs"));
    const vkey = (await buildCircuit("dev", { ...(ptau ? { ptau } : {}) })).verificationKey;
    const follow = await sh(process.execPath, ["follow-the-chain.mjs"], { cwd: project, env: { ...env, ZKSEQ_RPC: env.ZKSEQ_CONSUMER_RPC, ZKSEQ_INBOX: result.inbox, ZKSEQ_VKEY: vkey } });
    assert.equal(follow.stdout, "batch 1: proof ok, 3 transactions, 3 with an inclusion proof\n");
    logger.info(`package test: ${((Date.now() - t0) / 1000).toFixed(1)} s in all (install ${(installMs / 1000).toFixed(1)} s, consumer ${((Date.now() - tRun) / 1000).toFixed(1)} s: ${JSON.stringify(result.timings)})`);
  } finally {
    await server.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});

test("package: the shipped BatchInbox has the committed ABI, and a contract solc-js cannot compile is one CONTRACTS_NOT_BUILT line", async () => {
  const shipped = JSON.parse(await readFile(join(PACKAGE_ROOT, "dist", "contracts", "BatchInbox.json"), "utf8")) as { abi: unknown; bytecode: string };
  assert.deepEqual(shipped.abi, batchInboxAbi, "dist/contracts/BatchInbox.json and src/chain/abi.ts come from the same sources");
  assert.match(shipped.bytecode, /^0x[0-9a-f]{1000,}$/);
  const file = "contracts/verifiers/Broken.sol";
  assert.throws(
    () => compileSolidity({ [file]: "pragma solidity ^0.8.0; contract Broken { function f( }" }, [{ file, name: "Broken" }]),
    (e: unknown) => e instanceof ContractsNotBuiltError && e.code === "CONTRACTS_NOT_BUILT" && /^Broken cannot be compiled: solc 0\.8\.\d+ failed: /.test(e.message) && !e.message.includes("\n"),
  );
});
