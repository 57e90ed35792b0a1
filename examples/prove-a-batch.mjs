// One batch, end to end, with the library alone: a committee, a fair-ordered
// batch signed by a quorum, its Groth16 proof, and an off-chain check of it.
// Run it from a project that depends on zkseq: `node prove-a-batch.mjs`.
import { randomBytes } from "node:crypto";
import { Committee, generateMemberKey, txHashOf, proposeBatch, batchHash, signReport, buildWitnessInput, buildCircuit, consoleLogger } from "zkseq";
import { ProvingPool, buildFiles } from "zkseq/prover";
import { verifyBatch } from "zkseq/sdk";

// a committee of four members, any three of whom make a quorum
const keys = Array.from({ length: 4 }, () => generateMemberKey());
const committee = new Committee({ depth: 2, thresholdWeight: 3n, epoch: 0n, members: keys.map((k) => ({ publicKey: k.publicKey, weight: 1n })) });

// three raw transactions, and when each signer received each one (unix ms)
const txs = Array.from({ length: 3 }, () => randomBytes(100));
const candidates = txs.map((raw) => txHashOf(raw));
const signers = [0, 1, 2];
const now = Date.now();
const receivedAt = signers.map((s) => new Map(candidates.map((h, i) => [h, now + 200 * i + 10 * s])));

// the batch in fair order (the median of the signers' times), and their reports on it
const p = proposeBatch({ build: "dev", chainId: 31337n, inbox: 0x5fc8d32690cc91d4c39d9d3abcbd16989f875707n, batchNumber: 1n, prevBatchHash: 1n, committee,
                         forced: { from: 0n, accFrom: 0n, txHashes: [] }, candidates, receivedAt, signers });
const reports = signers.map((m, j) => signReport(keys[m], m, batchHash(p.header), p.times[j]));
const { input } = buildWitnessInput({ build: "dev", header: p.header, committee, txHashes: p.txHashes, reports });

// keys: development ones made on first use (cached); production brings a ceremony's (docs/setup.md)
const artifacts = await buildCircuit("dev", { logger: consoleLogger("build") });
const pool = new ProvingPool({ workers: 1 });
const { proof, publicSignals } = await pool.prove(buildFiles(artifacts), input); // checked by the pool before it returns
await pool.close();

// anyone can check it off-chain: the proof, and that it binds this header
const verified = await verifyBatch({ proof, publicSignals, verificationKey: artifacts.verificationKey, header: p.header });
console.log(`batch ${verified.header.batchNumber} verified: ${p.txHashes.length} transactions, batchHash 0x${verified.batchHash.toString(16)}`);
