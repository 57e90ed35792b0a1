/**
 * The Batch circuit against the TypeScript reference: random valid batches
 * give the same outputs, and a real Groth16 proof verifies.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as snarkjs from "snarkjs";
import { readFile } from "node:fs/promises";
import { devArtifacts, devTester } from "./helpers/devBuild.js";
import { makeScenario } from "./helpers/fixtures.js";
import { headerFromPublicSignals, batchHash } from "../src/header.js";
import { batchPublicSignals, bindBatchData, bindPostedTransactions, dataChallenge } from "../src/dataBinding.js";
import { txRoot } from "../src/txTree.js";
import { median } from "../src/ordering.js";
import { releaseCurves } from "../src/build/curves.js";

after(releaseCurves);

test("random valid batches: the circuit's outputs equal the TypeScript reference", async () => {
  const tester = await devTester();
  const shapes = [
    { txs: 0, forced: 0 },
    { txs: 8, forced: 0 },
    { txs: 4, forced: 4 },
    { txs: 0, forced: 3 },
    { txs: 7, forced: 1 },
  ];
  for (let seed = 1; seed <= 20; seed++) {
    const shape = shapes[seed % shapes.length]!;
    const s = makeScenario({ seed, ...(seed <= 10 ? shape : {}) });
    const w = await tester.witness(s.witness.input);
    assert.equal(tester.firstViolation(w), -1, `seed ${seed}: witness violates a constraint`);
    assert.equal(tester.read(w, "main.batchHash"), batchHash(s.proposal.header), `seed ${seed}: batchHash`);
    assert.equal(tester.read(w, "main.txRoot"), txRoot(s.proposal.txHashes, 8), `seed ${seed}: txRoot`);
    assert.equal(tester.read(w, "main.txRoot"), s.proposal.header.txRoot);
    // the data binding: the circuit's evaluation at the inbox's challenge equals the reference
    const binding = bindBatchData(s.proposal.header, s.proposal.txHashes);
    assert.equal(BigInt(s.witness.input.dataChallenge as string), binding.dataChallenge);
    assert.equal(tester.read(w, "main.dataEval"), binding.dataEval, `seed ${seed}: dataEval`);
    // the fair times the circuit accepted are the reference medians
    for (let i = 0; i < 8; i++) {
      assert.equal(Number(tester.read(w, `main.fairTimes[${i}]`)), median(s.reports.map((r) => r.times[i]!)));
    }
  }
});

test("ties in fair time are ordered by txHash and accepted", async () => {
  const tester = await devTester();
  const s = makeScenario({ seed: 99, txs: 8, forced: 0 });
  const ft = s.witness.fairTimes;
  const tied = ft.some((t, i) => i > 0 && t === ft[i - 1]);
  assert.ok(tied, "the scenario has two adjacent slots with equal fair times");
  const w = await tester.witness(s.witness.input);
  assert.equal(tester.firstViolation(w), -1);
});

test("a Groth16 proof of a valid batch verifies with snarkjs, and its public signals decode to the header", async () => {
  const art = await devArtifacts();
  const s = makeScenario({ seed: 7, txs: 5, forced: 2, consumed: 1 });
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(s.witness.input, art.wasm, art.zkey);
  assert.deepEqual(publicSignals, batchPublicSignals(s.proposal.header, s.proposal.txHashes));
  assert.deepEqual(publicSignals, s.witness.publicSignals);
  const vkey = JSON.parse(await readFile(art.verificationKey, "utf8"));
  assert.equal(await snarkjs.groth16.verify(vkey, publicSignals, proof), true);
  const decoded = headerFromPublicSignals(publicSignals);
  assert.deepEqual(decoded.header, s.proposal.header);
  assert.equal(decoded.batchHash, batchHash(s.proposal.header));
  assert.equal(decoded.dataChallenge, dataChallenge(s.proposal.header.txRoot, s.proposal.txHashes.slice(2)));
  assert.equal(decoded.dataEval, s.witness.binding.dataEval);

  // the same proof against a tampered public signal does not verify
  for (let i = 0; i < publicSignals.length; i++) {
    const bad: string[] = [...(publicSignals as string[])];
    bad[i] = (BigInt(bad[i]!) + 1n).toString();
    assert.equal(await snarkjs.groth16.verify(vkey, bad, proof), false, `tampered public signal ${i} still verifies`);
  }
});

test("the binding from raw transaction bytes equals the binding from their hashes (what the inbox computes from calldata)", async () => {
  const { txHashOf } = await import("../src/txHash.js");
  const raws = Array.from({ length: 5 }, (_, i) => Uint8Array.from({ length: 150 }, (_, j) => (i * 31 + j * 7) & 0xff));
  const hashes = raws.map((r) => txHashOf(r));
  const s = makeScenario({ seed: 3, txs: 0, forced: 0 });
  const header = { ...s.proposal.header, txCount: 5n, txRoot: txRoot(hashes, 8), forcedTo: s.proposal.header.forcedFrom, forcedAccTo: s.proposal.header.forcedAccFrom };
  assert.deepEqual(bindPostedTransactions(header, raws), bindBatchData(header, hashes));
  // a flipped byte, a swap, a missing and an extra transaction each change the binding
  const flipped = raws.map((r, i) => (i === 2 ? Uint8Array.from(r, (b, j) => (j === 9 ? b ^ 1 : b)) : r));
  const swapped = [raws[1]!, raws[0]!, ...raws.slice(2)];
  for (const [name, posted] of [["flipped byte", flipped], ["swapped", swapped], ["missing", raws.slice(0, 4)], ["extra", [...raws, raws[0]!]]] as const) {
    const b = bindPostedTransactions(header, posted);
    assert.notEqual(b.dataEval, bindBatchData(header, hashes).dataEval, name);
  }
});
