// A project that depends on zkseq: test/package.consumer.test.ts copies this
// file into a fresh project that installed the `npm pack` tarball, and runs it
// with plain node (no tsx). It imports nothing but the package's entry points
// and Node's own modules. In: ZKSEQ_CONSUMER_RPC (a chain whose account 0 is
// Hardhat's first dev account), ZKSEQ_BUILD_DIR (a build cache to reuse keys
// from), ZKSEQ_PTAU (optional). Out: one JSON line on stdout with what it checked.
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { batchHash, buildCircuit, compileCircuit, buildWitnessInput, generateMemberKey, getBatchBuild, getBuild, headerToJSON, proposeBatch, signReport, txHashOf } from "zkseq";
import { chainClients, deployInbox, HARDHAT_DEV_KEY } from "zkseq/chain";
import { buildFiles, ProvingPool } from "zkseq/prover";
import { LightClient, proveInclusion, verifyInclusion, verifyBatch } from "zkseq/sdk";

const check = (ok, what) => {
  if (!ok) throw new Error(`consumer check failed: ${what}`);
};
const timings = {};
const step = async (name, fn) => {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings[name] = Date.now() - t0;
  }
};

await step("cli", () => execFileSync("npx", ["--no-install", "zkseq", "--help"], { stdio: "pipe" })); // throws unless it exits 0

// circom compiles the package's own circuit sources from inside node_modules, their circomlib includes resolved there
// (the smallest build, into a fresh cache: KeyOwnership includes circomlib's babyjub.circom)
const compiled = await step("compile", async () => compileCircuit("key-ownership", { cacheDir: await mkdtemp(join(tmpdir(), "zkseq-consumer-build-")) }));
check(compiled.constraints === getBuild("key-ownership").constraints, `the circuit compiled from the installed package has its pinned constraint count (${compiled.constraints})`);

const rpc = process.env.ZKSEQ_CONSUMER_RPC;
check(rpc, "ZKSEQ_CONSUMER_RPC is set");
const buildOptions = process.env.ZKSEQ_PTAU ? { ptau: process.env.ZKSEQ_PTAU } : {};
const build = getBatchBuild("dev");
const { client, wallet } = await chainClients({ rpc, privateKey: HARDHAT_DEV_KEY, pollingInterval: 100 });

// deploy: BatchInbox from the package's dist/contracts/, the verifiers compiled on demand from the keys
const keys = Array.from({ length: 2 ** build.params.D }, () => generateMemberKey());
const { deployment, inbox } = await step("deploy", () => deployInbox({ wallet, client, build: build.id, genesisMembers: keys.map((k) => k.publicKey), buildOptions }));
const committee = deployment.genesisCommittee;
const leafKeys = committee.members.map((m) => keys.find((k) => k.publicKey[0] === m.publicKey[0] && k.publicKey[1] === m.publicKey[1]));

// a batch of 3 transactions signed by the first Q members of the elected committee
const artifacts = await buildCircuit(build.id, buildOptions);
const state = await inbox.state();
const { timestamp } = await client.getBlock();
const timeBase = (timestamp - 30n) * 1000n;
const raws = [1, 2, 3].map((i) => Uint8Array.from({ length: 60 }, (_, j) => (i * 31 + j * 7) & 0xff));
const candidates = raws.map((r) => txHashOf(r));
const signers = Array.from({ length: build.params.Q }, (_, i) => i);
const receivedAt = signers.map((s) => new Map(candidates.map((h, i) => [h, Number(timeBase) + 100 * i + s])));
const p = proposeBatch({
  build: build.id,
  chainId: BigInt(await client.getChainId()),
  inbox: BigInt(deployment.inbox),
  batchNumber: state.nextBatchNumber,
  prevBatchHash: state.headBatchHash,
  committee,
  forced: { from: state.forcedConsumed, accFrom: await inbox.forcedAccAt(state.forcedConsumed), txHashes: [] },
  candidates,
  receivedAt,
  signers,
  timeBase,
});
const reports = signers.map((s, j) => signReport(leafKeys[s], s, batchHash(p.header), p.times[j]));
const { input } = buildWitnessInput({ build: build.id, header: p.header, committee, txHashes: p.txHashes, reports });

// prove (the package's proving pool: snarkjs, since the consumer's install skipped the native addon)
const pool = new ProvingPool({ workers: 1 });
const { proof, publicSignals } = await step("prove", () => pool.prove(buildFiles(artifacts), input).finally(() => pool.close()));

// verify off-chain
const verificationKey = JSON.parse(await readFile(artifacts.verificationKey, "utf8"));
const verified = await step("verify", () =>
  verifyBatch({ proof, publicSignals, verificationKey, header: headerToJSON(p.header), expected: { prevBatchHash: state.headBatchHash, committeeHash: committee.hash } }),
);
check(verified.batchHash === batchHash(p.header), "verifyBatch returns the header's hash");

// land it, and follow the chain with the light client
const byHash = new Map(raws.map((r) => [txHashOf(r), `0x${Buffer.from(r).toString("hex")}`]));
const posted = p.txHashes.slice(p.forcedCount).map((h) => byHash.get(h));
await step("submit", () => inbox.submitBatch(proof, publicSignals, posted));
check((await inbox.state()).headBatchHash === verified.batchHash, "the inbox's head is the batch");
const lc = new LightClient({ inbox, verificationKey, build: build.id });
await step("lightClient", () => lc.sync());
check(lc.issues.length === 0, `the light client found no problem (${JSON.stringify(lc.issues.map((i) => i.reason))})`);
check(lc.batches.length === 1 && lc.batches[0].batchNumber === p.header.batchNumber, "the light client checked the batch");
const landed = lc.batches[0];
check(JSON.stringify(landed.transactions.map((t) => t.raw)) === JSON.stringify(posted), "the light client derived the posted transactions in order");

// a transaction's place in the finalized txRoot, from what the light client derived from L1
const txHashes = landed.transactions.map((t) => t.txHash);
const inclusion = proveInclusion({ txHash: txHashes[1], batchNumber: landed.batchNumber, txHashes, build: build.id, txRoot: landed.txRoot });
check(verifyInclusion(inclusion, landed.txRoot, build.id), "the inclusion proof verifies against the finalized txRoot");
check(!verifyInclusion(inclusion, landed.txRoot + 1n, build.id), "and against no other root");

console.log(JSON.stringify({ ok: true, inbox: deployment.inbox, batchNumber: String(landed.batchNumber), transactions: txHashes.length, timings }));
