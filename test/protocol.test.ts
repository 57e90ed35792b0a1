/** The TypeScript reference: hashing, keys, committee, ordering, trees, headers, and typed errors for every bad batch. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeScenario, makeCommittee, testKey, rng, randomTxHash, type Scenario } from "./helpers/fixtures.js";
import * as z from "../src/index.js";

const expectCode = (fn: () => unknown, cls: new (...a: any[]) => z.ZkseqError, code: string) =>
  assert.throws(fn, (e: unknown) => e instanceof cls && (e as z.ZkseqError).code === code && (e as z.ZkseqError).shortMessage.length > 0);

test("poseidon matches circomlib's published vector and rejects non-field inputs", () => {
  assert.equal(z.poseidon([1n, 2n]), 7853200120776062878684798364095072458815029376092732009249414926327459813530n);
  expectCode(() => z.poseidon([z.FIELD_MODULUS]), z.InvalidFieldElementError, "INVALID_FIELD_ELEMENT");
  expectCode(() => z.poseidon([]), z.InvalidArgumentError, "INVALID_ARGUMENT");
});

test("txHashOf is keccak256 reduced to 248 bits", () => {
  // keccak256("") = c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470
  assert.equal(z.txHashOf("0x"), 0xd2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470n);
  assert.equal(z.txHashOf(new Uint8Array()), z.txHashOf("0x"));
  assert.throws(() => z.txHashOf("0xabc"), z.InvalidArgumentError);
});

test("member keys sign reports that verify, and a wrong key or message does not", () => {
  const k = testKey(1);
  const other = testKey(2);
  const sig = z.signMessage(k.privateKey, 42n);
  assert.equal(z.verifySignature(k.publicKey, 42n, sig), true);
  assert.equal(z.verifySignature(k.publicKey, 43n, sig), false);
  assert.equal(z.verifySignature(other.publicKey, 42n, sig), false);
  assert.equal(z.verifySignature(k.publicKey, 42n, { ...sig, S: sig.S + 1n }), false);
});

test("keystores round-trip under the password and refuse a wrong one", async () => {
  const dir = await mkdtemp(join(tmpdir(), "zkseq-ks-"));
  const key = z.generateMemberKey();
  await z.writeKeystore(join(dir, "m.json"), key, "correct horse");
  const back = await z.readKeystore(join(dir, "m.json"), "correct horse");
  assert.deepEqual(back.publicKey, key.publicKey);
  await assert.rejects(z.readKeystore(join(dir, "m.json"), "wrong"), (e: unknown) => e instanceof z.KeystoreError);
  await assert.rejects(z.readKeystore(join(dir, "missing.json"), "x"), (e: unknown) => e instanceof z.KeystoreError);
});

test("a committee rejects duplicate keys, zero weights, bad thresholds and overflow", () => {
  const k = [testKey(1), testKey(2), testKey(3)];
  const m = (i: number, weight = 1n) => ({ publicKey: k[i]!.publicKey, weight });
  expectCode(() => new z.Committee({ depth: 2, members: [m(0), m(0)], thresholdWeight: 1n, epoch: 0n }), z.InvalidCommitteeError, "INVALID_COMMITTEE");
  expectCode(() => new z.Committee({ depth: 2, members: [m(0, 0n)], thresholdWeight: 1n, epoch: 0n }), z.InvalidCommitteeError, "INVALID_COMMITTEE");
  expectCode(() => new z.Committee({ depth: 2, members: [m(0), m(1)], thresholdWeight: 3n, epoch: 0n }), z.InvalidCommitteeError, "INVALID_COMMITTEE");
  expectCode(() => new z.Committee({ depth: 1, members: [m(0), m(1), m(2)], thresholdWeight: 1n, epoch: 0n }), z.InvalidCommitteeError, "INVALID_COMMITTEE");
  const c = new z.Committee({ depth: 2, members: [m(0), m(1), m(2, 5n)], thresholdWeight: 4n, epoch: 7n });
  assert.equal(c.hash, z.committeeHashOf(c.root, 4n, 7n));
  for (let i = 0; i < 3; i++) assert.equal(z.binaryMerkleRootFromPath(z.memberLeaf(c.members[i]!), c.path(i)), c.root);
  assert.equal(c.indexOf(k[2]!.publicKey), 2);
  expectCode(() => c.indexOf(testKey(9).publicKey), z.UnknownSignerError, "UNKNOWN_SIGNER");
  assert.equal(z.Committee.fromJSON(JSON.parse(JSON.stringify(c.toJSON()))).hash, c.hash);
});

test("median and fair order", () => {
  assert.equal(z.median([5, 1, z.NEVER_SEEN]), 5);
  assert.equal(z.median([3, 3, 1]), 3);
  assert.throws(() => z.median([1, 2]), z.InvalidArgumentError);
  expectCode(() => z.median([1, 2, 2 ** 32]), z.TimestampOutOfRangeError, "TIMESTAMP_OUT_OF_RANGE");
  expectCode(() => z.median([1, -1, 3]), z.TimestampOutOfRangeError, "TIMESTAMP_OUT_OF_RANGE");
  const sorted = z.fairOrder([
    { txHash: 9n, times: [10, 10, 10] },
    { txHash: 3n, times: [10, 11, 9] },
    { txHash: 5n, times: [1, 100, 2] },
  ]);
  assert.deepEqual(sorted.map((e) => e.txHash), [5n, 3n, 9n]); // 2, then ties at 10 by hash
  expectCode(() => z.fairOrder([{ txHash: 1n, times: [1] }, { txHash: 1n, times: [2] }]), z.DuplicateTransactionError, "DUPLICATE_TRANSACTION");
  expectCode(() => z.assertFairOrder([{ fairTime: 2, txHash: 1n }, { fairTime: 1, txHash: 2n }]), z.UnsortedTransactionsError, "UNSORTED_TRANSACTIONS");
});

test("fair-order guarantee: with a liar minority, a tx every honest signer saw before any honest signer saw another is ordered first", () => {
  const r = rng(3);
  for (let n = 0; n < 200; n++) {
    const honestA = [Math.floor(r() * 1000), Math.floor(r() * 1000), Math.floor(r() * 1000)]; // 3 honest signers, tx A
    const lastA = Math.max(...honestA);
    const honestB = honestA.map(() => lastA + 1 + Math.floor(r() * 50)); // every honest signer saw B after every honest signer saw A
    const liars = [0, 1].map(() => [Math.floor(r() * 5000), Math.floor(r() * 5000)]); // 2 liars (Q = 5)
    const a = z.median([...honestA, ...liars.map((l) => l[0]!)]);
    const b = z.median([...honestB, ...liars.map((l) => l[1]!)]);
    assert.ok(a < b, `A (${a}) ordered after B (${b})`);
    assert.ok(a >= Math.min(...honestA) && a <= Math.max(...honestA));
  }
});

test("transaction trees: inclusion proofs verify for every slot and fail when tampered", () => {
  const r = rng(11);
  for (const size of [2, 4, 8, 16, 32]) {
    const txs = Array.from({ length: size - 1 }, () => randomTxHash(r));
    const root = z.txRoot(txs, size);
    assert.deepEqual(z.txTreeArities(size), size === 2 ? [2] : size === 8 ? [4, 2] : size === 32 ? [4, 4, 2] : size === 4 ? [4] : [4, 4]);
    txs.forEach((_, slot) => {
      const p = z.txInclusionProof(txs, size, slot);
      assert.equal(z.verifyTxInclusion(root, p), true);
      assert.equal(z.verifyTxInclusion(root, { ...p, slot: (slot + 1) % size }), false);
      assert.equal(z.verifyTxInclusion(root, { ...p, txHash: p.txHash + 1n }), false);
      assert.equal(z.verifyTxInclusion(root + 1n, p), false);
    });
    assert.equal(z.verifyTxInclusion(root, { txHash: 0n, slot: size - 1, size, siblings: z.txInclusionProof([...txs, 1n], size, size - 1).siblings }), false);
  }
  assert.throws(() => z.txRoot([], 12), z.InvalidArgumentError);
});

test("headers: pack/unpack and public signals round-trip; out-of-range fields are refused", () => {
  const s = makeScenario({ seed: 3, txs: 3, forced: 1 });
  const h = s.proposal.header;
  const decoded = z.headerFromPublicSignals(z.batchPublicSignals(h, s.proposal.txHashes));
  assert.deepEqual(decoded.header, h);
  assert.deepEqual({ dataEval: decoded.dataEval, dataChallenge: decoded.dataChallenge }, z.bindBatchData(h, s.proposal.txHashes));
  expectCode(() => z.batchHash({ ...h, round: 1n << 32n }), z.InvalidFieldElementError, "INVALID_FIELD_ELEMENT");
  expectCode(() => z.batchHash({ ...h, forcedTo: 1n << 48n }), z.InvalidFieldElementError, "INVALID_FIELD_ELEMENT");
  assert.notEqual(z.batchHash({ ...h, round: h.round + 1n }), z.batchHash(h), "the round is part of the signed header");
  assert.deepEqual(z.headerFromJSON(JSON.parse(JSON.stringify(z.headerToJSON(h)))), h);
  expectCode(() => z.batchHash({ ...h, chainId: 1n << 64n }), z.InvalidFieldElementError, "INVALID_FIELD_ELEMENT");
  expectCode(() => z.batchHash({ ...h, timeBase: 1n << 48n }), z.InvalidFieldElementError, "INVALID_FIELD_ELEMENT");
  expectCode(() => z.batchHash({ ...h, forcedFrom: h.forcedTo + 1n }), z.InvalidArgumentError, "INVALID_ARGUMENT");
  expectCode(() => z.headerFromJSON({ ...z.headerToJSON(h), txRoot: undefined }), z.InvalidArgumentError, "INVALID_ARGUMENT");
});

test("the forced queue mirrors the accumulator acc[n+1] = Poseidon(acc[n], txHash)", () => {
  const q = new z.ForcedQueue();
  q.append(5n, 1n);
  q.append(6n, 2n);
  assert.equal(q.accAt(0), 0n);
  assert.equal(q.accAt(2), z.poseidon([z.poseidon([0n, 5n]), 6n]));
  assert.equal(z.foldForcedAccumulator(q.accAt(1), [6n]), q.accAt(2));
  expectCode(() => z.forcedAccumulatorStep(0n, 1n << 248n), z.InvalidFieldElementError, "INVALID_FIELD_ELEMENT");
});

// ---- buildWitnessInput: one typed error per rule ----

function req(s: Scenario, change: Partial<z.WitnessRequest> = {}): z.WitnessRequest {
  return { build: "dev", header: s.proposal.header, committee: s.committee, txHashes: s.proposal.txHashes, reports: s.reports, ...change };
}

function resigned(s: Scenario, header: z.BatchHeader, txHashes: bigint[], times?: number[][]): z.WitnessRequest {
  const h = z.batchHash(header);
  const reports = s.signers.map((m, j) => z.signReport(s.keys[m]!, m, h, times?.[j] ?? s.proposal.times[j]!));
  return { build: "dev", header, committee: s.committee, txHashes, reports };
}

test("buildWitnessInput accepts a valid batch and names every broken rule with its own error", () => {
  const s = makeScenario({ seed: 21, txs: 4, forced: 2, consumed: 1 });
  assert.deepEqual(z.buildWitnessInput(req(s)).publicSignals, z.batchPublicSignals(s.proposal.header, s.proposal.txHashes));
  const h = s.proposal.header;

  expectCode(() => z.buildWitnessInput(req(s, { build: "nope" })), z.UnknownBuildError, "UNKNOWN_BUILD");
  // too big
  const nine = Array.from({ length: 9 }, (_, i) => BigInt(i + 1));
  expectCode(() => z.buildWitnessInput(req(s, { txHashes: nine })), z.BatchTooLargeError, "BATCH_TOO_LARGE");
  expectCode(() => z.buildWitnessInput(req(s, { header: { ...h, forcedTo: h.forcedFrom + 5n } })), z.BatchTooLargeError, "BATCH_TOO_LARGE");
  // reports
  expectCode(() => z.buildWitnessInput(req(s, { reports: s.reports.slice(0, 2) })), z.WrongSignerCountError, "WRONG_SIGNER_COUNT");
  expectCode(() => z.buildWitnessInput(req(s, { reports: [s.reports[0]!, s.reports[0]!, s.reports[1]!] })), z.DuplicateSignerError, "DUPLICATE_SIGNER");
  expectCode(() => z.buildWitnessInput(req(s, { reports: [{ ...s.reports[0]!, memberIndex: 7 }, s.reports[1]!, s.reports[2]!] })), z.UnknownSignerError, "UNKNOWN_SIGNER");
  const forged = { ...s.reports[0]!, signature: { ...s.reports[0]!.signature, S: s.reports[0]!.signature.S + 1n } };
  expectCode(() => z.buildWitnessInput(req(s, { reports: [forged, s.reports[1]!, s.reports[2]!] })), z.InvalidSignatureError, "INVALID_SIGNATURE");
  const late = { ...s.reports[0]!, times: s.reports[0]!.times.map((t, i) => (i === 3 ? 2 ** 32 : t)) };
  expectCode(() => z.buildWitnessInput(req(s, { reports: [late, s.reports[1]!, s.reports[2]!] })), z.TimestampOutOfRangeError, "TIMESTAMP_OUT_OF_RANGE");
  // header consistency
  expectCode(() => z.buildWitnessInput(req(s, { header: { ...h, txRoot: h.txRoot + 1n } })), z.HeaderMismatchError, "HEADER_MISMATCH");
  expectCode(() => z.buildWitnessInput(req(s, { header: { ...h, txCount: h.txCount + 1n } })), z.HeaderMismatchError, "HEADER_MISMATCH");
  // forced range
  expectCode(() => z.buildWitnessInput(req(s, { header: { ...h, forcedAccTo: h.forcedAccTo + 1n } })), z.ForcedRangeMismatchError, "FORCED_RANGE_MISMATCH");
  const txs = s.proposal.txHashes;
  const swapped = [txs[1]!, txs[0]!, ...txs.slice(2)];
  expectCode(() => z.buildWitnessInput(req(s, { txHashes: swapped, header: { ...h, txRoot: z.txRoot(swapped, 8) } })), z.ForcedRangeMismatchError, "FORCED_RANGE_MISMATCH");
  // ordering (re-signed so that only the order is wrong)
  const k = s.proposal.forcedCount;
  const unsorted = [...txs.slice(0, k), ...txs.slice(k).reverse()];
  const rev = s.proposal.times.map((t) => [...t.slice(0, k), ...t.slice(k, txs.length).reverse(), ...t.slice(txs.length)]);
  const uh = { ...h, txRoot: z.txRoot(unsorted, 8) };
  assert.throws(() => z.buildWitnessInput(resigned(s, uh, unsorted, rev)), (e: unknown) => e instanceof z.UnsortedTransactionsError || e instanceof z.DuplicateTransactionError);
  const dup = [...txs.slice(0, k), txs[k]!, txs[k]!];
  const dt = s.proposal.times.map((t) => [...t.slice(0, k), t[k]!, t[k]!, ...t.slice(k + 2)]);
  expectCode(() => z.buildWitnessInput(resigned(s, { ...h, txCount: BigInt(dup.length), txRoot: z.txRoot(dup, 8) }, dup, dt)), z.DuplicateTransactionError, "DUPLICATE_TRANSACTION");
});

test("buildWitnessInput: weight below threshold", () => {
  assert.throws(
    () => makeScenario({ seed: 5, weights: [1n, 1n, 1n, 5n], threshold: 4n, signers: [0, 1, 2], txs: 2, forced: 0 }),
    (e: unknown) => e instanceof z.WeightBelowThresholdError && e.code === "WEIGHT_BELOW_THRESHOLD",
  );
  const ok = makeScenario({ seed: 5, weights: [1n, 1n, 1n, 5n], threshold: 4n, signers: [0, 1, 3], txs: 2, forced: 0 });
  const { committee } = makeCommittee({ size: 4, depth: 2, epoch: 1n });
  expectCode(() => z.buildWitnessInput(req(ok, { committee })), z.HeaderMismatchError, "HEADER_MISMATCH");
  const deep = makeCommittee({ size: 4, depth: 3 }).committee;
  expectCode(() => z.buildWitnessInput(req(ok, { committee: deep })), z.InvalidCommitteeError, "INVALID_COMMITTEE");
});
