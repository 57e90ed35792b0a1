/** The integrator SDK: off-chain batch verification and inclusion proofs. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ProvingPool } from "../prover/provingPool.js";
import { verifyBatch } from "../src/sdk/verifyBatch.js";
import { proveInclusion, verifyInclusion } from "../src/sdk/inclusion.js";
import { proofFromSolidity } from "../src/sdk/deriveBatches.js";
import { proofToSolidity } from "../src/chain/solidity.js";
import { headerToJSON } from "../src/header.js";
import { BatchVerificationError, InvalidArgumentError } from "../src/errors.js";
import { makeScenario } from "./helpers/fixtures.js";
import { devFiles } from "./helpers/proverBuild.js";

test("sdk: verifyBatch accepts a valid batch and rejects a tampered proof, a tampered header and a broken chain", async () => {
  const files = await devFiles();
  const s = makeScenario({ seed: 701, txs: 5, forced: 1 });
  const pool = new ProvingPool({ workers: 1 });
  const { proof, publicSignals } = await pool.prove(files, s.witness.input).finally(() => pool.close());
  const vkey = files.verificationKey;
  const h = s.proposal.header;

  const ok = await verifyBatch({ proof, publicSignals, verificationKey: vkey, header: headerToJSON(h), expected: { prevBatchHash: h.prevBatchHash, committeeHash: s.committee.hash, batchNumber: h.batchNumber } });
  assert.equal(ok.batchHash, s.witness.batchHash);
  assert.deepEqual(ok.header, h);

  const rejects = (p: Promise<unknown>, reason: RegExp) => assert.rejects(p, (e: unknown) => e instanceof BatchVerificationError && reason.test(e.reason));
  // tampered proof
  await rejects(verifyBatch({ proof: { ...proof, pi_a: proof.pi_c }, publicSignals, verificationKey: vkey }), /does not verify/);
  await rejects(verifyBatch({ proof, publicSignals: publicSignals.map((v, i) => (i === 1 ? (BigInt(v) + 1n).toString() : v)), verificationKey: vkey }), /does not verify/);
  // a header that is not the one the proof binds
  await rejects(verifyBatch({ proof, publicSignals, verificationKey: vkey, header: headerToJSON({ ...h, txCount: h.txCount - 1n }) }), /header.txCount/);
  await rejects(verifyBatch({ proof, publicSignals, verificationKey: vkey, header: headerToJSON({ ...h, txRoot: h.txRoot + 1n }) }), /header.txRoot/);
  // a broken chain, another committee
  await rejects(verifyBatch({ proof, publicSignals, verificationKey: vkey, expected: { prevBatchHash: h.prevBatchHash + 1n } }), /prevBatchHash/);
  await rejects(verifyBatch({ proof, publicSignals, verificationKey: vkey, expected: { committeeHash: 5n } }), /committeeHash/);
  await rejects(verifyBatch({ proof, publicSignals: publicSignals.slice(1), verificationKey: vkey }), /11 public signals/);
  // the posted bytes must be the slots the proof binds
  const posted = s.posted;
  assert.equal((await verifyBatch({ proof, publicSignals, verificationKey: vkey, postedTxs: posted })).dataEval, s.witness.binding.dataEval);
  const flipped = posted.map((raw, i) => (i === 0 ? Uint8Array.from(raw, (b, j) => (j === 0 ? b ^ 1 : b)) : raw));
  await rejects(verifyBatch({ proof, publicSignals, verificationKey: vkey, postedTxs: flipped }), /data challenge|not the slots/);
  await rejects(verifyBatch({ proof, publicSignals, verificationKey: vkey, postedTxs: posted.slice(1) }), /posted transactions/);

  // the Solidity layout round-trips
  assert.deepEqual(proofFromSolidity(proofToSolidity(proof)).pi_b.slice(0, 2), proof.pi_b.slice(0, 2));
});

test("sdk: proveInclusion gives a path that verifies against the batch's txRoot and nothing else", () => {
  const s = makeScenario({ seed: 702, txs: 6, forced: 2 });
  const { txHashes, header } = s.proposal;
  for (const txHash of txHashes) {
    const p = proveInclusion({ txHash, batchNumber: header.batchNumber, txHashes, build: "dev", txRoot: header.txRoot });
    assert.equal(verifyInclusion(p, header.txRoot, "dev"), true);
    assert.equal(verifyInclusion(p, header.txRoot + 1n, "dev"), false);
    assert.equal(verifyInclusion({ ...p, txHash: p.txHash ^ 1n }, header.txRoot, "dev"), false);
  }
  assert.throws(() => proveInclusion({ txHash: 12345n, batchNumber: 1n, txHashes, build: "dev", txRoot: header.txRoot }), InvalidArgumentError);
  assert.throws(() => proveInclusion({ txHash: txHashes[0]!, batchNumber: 1n, txHashes, build: "dev", txRoot: header.txRoot + 1n }), /do not hash to its txRoot/);
});

test("sdk: verifyInclusion takes the tree's size from the build, so an internal node never passes as a transaction", async () => {
  const { txTreeLevels } = await import("../src/txTree.js");
  const s = makeScenario({ seed: 703, txs: 8, forced: 0 });
  const { txHashes, header } = s.proposal;
  // dev's 8 slots: leaves -> 2 nodes of arity 4 -> root. The attacker claims a 2-slot tree whose "leaf" is an internal node.
  const levels = txTreeLevels(txHashes, 8);
  const internal = levels[1]![0]!;
  const forged = { txHash: internal, slot: 0, size: 2, siblings: [[levels[1]![1]!]], batchNumber: header.batchNumber, txRoot: header.txRoot };
  assert.equal((await import("../src/txTree.js")).verifyTxInclusion(header.txRoot, forged), true, "the raw tree check trusts the claimed size");
  assert.equal(verifyInclusion(forged, header.txRoot, "dev"), false, "verifyInclusion must not");
  // a hash of 2^248 or more is never a transaction
  const p = proveInclusion({ txHash: txHashes[0]!, batchNumber: 1n, txHashes, build: "dev", txRoot: header.txRoot });
  assert.equal(verifyInclusion({ ...p, txHash: p.txHash + (1n << 248n) }, header.txRoot, "dev"), false);
});
