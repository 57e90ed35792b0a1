/**
 * BatchInbox on Hardhat's in-process network with real `dev` proofs: a valid
 * batch is finalized, and every check reverts with its custom error.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { parseEther, type Address } from "viem";
import { ForcedQueue } from "../src/forced.js";
import { packHeader, type BatchHeader } from "../src/header.js";
import { poseidon } from "../src/poseidon.js";
import { FIELD_MODULUS } from "../src/field.js";
import { InboxRevertError } from "../src/errors.js";
import { buildCircuit } from "../src/build/buildCircuit.js";
import { buildEquivocationInput } from "../src/equivocation.js";
import { releaseCurves } from "../src/build/curves.js";
import { packedHeaderFromPublicSignals, proofToSolidity, publicSignalsFromPackedHeader, type SnarkjsProof } from "../src/chain/solidity.js";
import type { InboxClient } from "../src/chain/inboxClient.js";
import * as snarkjs from "snarkjs";
import { equivocatingReports, makeCommittee, testKey } from "./helpers/fixtures.js";
import { proveChainBatch, setUpChain } from "./helpers/chainFixture.js";

const PARAMS = { forceDelay: 600n, maxStall: 3600n, exitDelay: 86_400n, forceFee: 1000n, minBond: parseEther("1"), reporterRewardBps: 5000, maxEscapeEntries: 64 };
const A = makeCommittee({ size: 4, depth: 2, threshold: 3n, salt: "committee-A" });
const Bc = makeCommittee({ size: 4, depth: 2, threshold: 3n, epoch: 1n, salt: "committee-B" });

let chain: Awaited<ReturnType<typeof setUpChain>>;
let inbox: InboxClient;
const queue = new ForcedQueue();

/** Asserts the call reverts with the inbox's custom error `name`. */
async function reverts(p: Promise<unknown>, name: string, args?: readonly unknown[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof InboxRevertError, `expected InboxRevertError ${name}, got ${String(e)}`);
    assert.equal(e.errorName, name);
    if (args) assert.deepEqual(e.args, args);
    return true;
  });
}

async function now(): Promise<bigint> {
  return (await chain.client.getBlock()).timestamp;
}

/** Signals of a header crafted with no proof (for checks that come before the proof's). */
function crafted(h: BatchHeader, batchHashValue = 1n): string[] {
  const { packedA, packedB } = packHeader(h);
  return publicSignalsFromPackedHeader({ batchHash: batchHashValue, txRoot: h.txRoot, prevBatchHash: h.prevBatchHash, committeeHash: h.committeeHash, nextCommitteeHash: h.nextCommitteeHash, forcedAccFrom: h.forcedAccFrom, forcedAccTo: h.forcedAccTo, packedA, packedB });
}

function withSignal(signals: readonly string[], index: number, value: bigint): string[] {
  const out = [...signals];
  out[index] = value.toString();
  return out;
}

const DUMMY_PROOF: SnarkjsProof = { pi_a: ["1", "2"], pi_b: [["1", "2"], ["3", "4"]], pi_c: ["1", "2"] };

before(async () => {
  chain = await setUpChain(PARAMS, A.committee);
  inbox = chain.inbox;
});

let batch1: Awaited<ReturnType<typeof proveChainBatch>>;

test("forceInclude: fee, 248-bit hashes, and an on-chain Poseidon accumulator equal to the TypeScript one", async () => {
  await reverts(inbox.forceInclude(5n, 999n), "BatchInbox__InsufficientFee", [1000n, 999n]);
  await reverts(inbox.forceInclude(1n << 248n), "BatchInbox__InvalidTxHash");
  for (const h of [111n, 222n]) {
    const { index } = await inbox.forceInclude(h);
    queue.append(h, await now());
    assert.equal(index, BigInt(queue.length - 1));
    assert.equal(await inbox.forcedAccAt(BigInt(queue.length)), queue.accAt(queue.length));
  }
  const events = await inbox.forcedEntries();
  assert.deepEqual(events.map((e) => e.txHash), [111n, 222n]);
  assert.equal(events[1]!.accumulator, queue.accAt(2));
});

test("submitBatch: every check reverts with its custom error before the valid batch is finalized", async () => {
  const t = await now();
  batch1 = await proveChainBatch(chain.artifacts, {
    ...A,
    signers: [0, 1, 2],
    inbox: chain.deployment.inbox,
    batchNumber: 1n,
    prevBatchHash: chain.deployment.genesisBatchHash,
    forced: { from: 0n, accFrom: 0n, txHashes: queue.slice(0, 2) },
    timeBase: (t - 60n) * 1000n,
    txs: 4,
    seed: 1,
  });
  const { proof, publicSignals: sig, header } = batch1;

  await reverts(inbox.submitBatch(proof, withSignal(sig, 2, 42n)), "BatchInbox__WrongPrevBatchHash", [chain.deployment.genesisBatchHash, 42n]);
  await reverts(inbox.submitBatch(proof, withSignal(sig, 3, 43n)), "BatchInbox__WrongCommittee", [A.committee.hash, 43n]);
  await reverts(inbox.submitBatch(proof, withSignal(sig, 4, 44n)), "BatchInbox__UnknownNextCommittee", [44n]);
  await reverts(inbox.submitBatch(proof, crafted({ ...header, chainId: 1n })), "BatchInbox__WrongDomain");
  await reverts(inbox.submitBatch(proof, crafted({ ...header, batchNumber: 2n })), "BatchInbox__WrongBatchNumber", [1n, 2n]);
  // the forced range must start at the first unconsumed entry and match the stored accumulators
  await reverts(inbox.submitBatch(proof, crafted({ ...header, forcedFrom: 1n, forcedAccFrom: queue.accAt(1) })), "BatchInbox__ForcedRangeMismatch");
  await reverts(inbox.submitBatch(proof, crafted({ ...header, forcedTo: 3n })), "BatchInbox__ForcedRangeMismatch");
  await reverts(inbox.submitBatch(proof, withSignal(sig, 6, 7n)), "BatchInbox__ForcedAccumulatorMismatch");
  await reverts(inbox.submitBatch(proof, withSignal(sig, 5, 7n)), "BatchInbox__ForcedAccumulatorMismatch");
  // timeBase must not be in the future
  await reverts(inbox.submitBatch(proof, crafted({ ...header, timeBase: (t + 3600n) * 1000n })), "BatchInbox__TimeBaseInFuture");
  // public inputs must be field elements: x and x + p are the same to the pairing, not to the inbox
  for (const i of [0, 1]) {
    await reverts(inbox.submitBatch(proof, withSignal(sig, i, BigInt(sig[i]!) + FIELD_MODULUS)), "BatchInbox__PublicInputNotInField", [BigInt(i)]);
  }
  await reverts(inbox.submitBatch(proof, withSignal(sig, 8, BigInt(sig[8]!) + (1n << 240n))), "BatchInbox__PublicInputNotInField", [8n]);
  // a tampered public input the header checks cannot see, and tampered proofs
  await reverts(inbox.submitBatch(proof, withSignal(sig, 0, BigInt(sig[0]!) + 1n)), "BatchInbox__InvalidProof");
  await reverts(inbox.submitBatch(proof, withSignal(sig, 1, BigInt(sig[1]!) + 1n)), "BatchInbox__InvalidProof");
  await reverts(inbox.submitBatch({ ...proof, pi_a: proof.pi_c, pi_c: proof.pi_a }, sig), "BatchInbox__InvalidProof");
  await reverts(inbox.submitBatch({ ...proof, pi_c: [proof.pi_c[0]!, (BigInt(proof.pi_c[1]!) + 1n).toString()] }, sig), "BatchInbox__InvalidProof");
  await reverts(inbox.submitBatch(DUMMY_PROOF, sig), "BatchInbox__InvalidProof");
  // every public signal, tampered, is refused: by a header check or by the proof
  const expected = [
    "BatchInbox__InvalidProof",
    "BatchInbox__InvalidProof",
    "BatchInbox__WrongPrevBatchHash",
    "BatchInbox__WrongCommittee",
    "BatchInbox__UnknownNextCommittee",
    "BatchInbox__ForcedAccumulatorMismatch",
    "BatchInbox__ForcedAccumulatorMismatch",
    "BatchInbox__InvalidProof", // packedA + 1: txCount off by one
    "BatchInbox__ForcedRangeMismatch", // packedB + 1: forcedTo off by one
  ];
  for (const [i, name] of expected.entries()) await reverts(inbox.submitBatch(proof, withSignal(sig, i, BigInt(sig[i]!) + 1n)), name);

  // an overdue forced entry left out (a snapshot: the entry is not kept)
  const snap = await chain.testClient.snapshot();
  await inbox.forceInclude(333n);
  await chain.testClient.increaseTime({ seconds: Number(PARAMS.forceDelay) + 1 });
  await chain.testClient.mine({ blocks: 1 });
  await reverts(inbox.submitBatch(proof, sig), "BatchInbox__OverdueForcedEntryOmitted", [2n]);
  await chain.testClient.revert({ id: snap });

  const sent = await inbox.submitBatch(proof, sig);
  const [finalized] = await inbox.finalizedBatches();
  assert.equal(finalized!.batchNumber, 1n);
  assert.equal(finalized!.batchHash, BigInt(sig[0]!));
  assert.equal(finalized!.txRoot, BigInt(sig[1]!));
  assert.equal(finalized!.txCount, header.txCount);
  assert.deepEqual([finalized!.forcedFrom, finalized!.forcedTo, finalized!.forcedOnly], [0n, 2n, false]);
  const state = await inbox.state();
  assert.equal(state.headBatchHash, BigInt(sig[0]!));
  assert.equal(state.nextBatchNumber, 2n);
  assert.equal(state.forcedConsumed, 2n);
  assert.ok(sent.gasUsed <= 300_000n, `submitBatch used ${sent.gasUsed} gas`);

  // no replay, no going back in time
  await reverts(inbox.submitBatch(proof, sig), "BatchInbox__WrongBatchNumber", [2n, 1n]);
  const next = { ...header, batchNumber: 2n, prevBatchHash: BigInt(sig[0]!), forcedFrom: 2n, forcedTo: 2n, forcedAccFrom: queue.accAt(2), forcedAccTo: queue.accAt(2), timeBase: header.timeBase - 1n };
  await reverts(inbox.submitBatch(proof, crafted(next)), "BatchInbox__TimeBaseWentBack", [Number(header.timeBase), Number(header.timeBase - 1n)]);
});

test("escape hatch: after a stall anyone finalizes overdue forced entries; the committee's next batch builds on it", async () => {
  await inbox.forceInclude(333n);
  queue.append(333n, await now());
  await reverts(inbox.finalizeForcedBatch(), "BatchInbox__NotStalled");
  const seen: bigint[] = [];
  const unwatch = inbox.watchBatchFinalized((b) => seen.push(b.batchNumber), { pollingInterval: 50 });
  await chain.testClient.increaseTime({ seconds: Number(PARAMS.maxStall) + 1 });
  await chain.testClient.mine({ blocks: 1 });
  const stranger = new (inbox.constructor as typeof InboxClient)({ address: inbox.address, client: chain.client, wallet: chain.other });
  await stranger.finalizeForcedBatch();
  const escape = (await inbox.finalizedBatches()).at(-1)!;
  const prev = BigInt(batch1.publicSignals[0]!);
  assert.deepEqual([escape.batchNumber, escape.forcedOnly, escape.forcedFrom, escape.forcedTo, escape.txCount], [2n, true, 2n, 3n, 1n]);
  assert.equal(escape.batchHash, poseidon([prev, 2n, queue.accAt(3)]), "escape batch hash = Poseidon(prevBatchHash, batchNumber, forcedAccTo)");
  await reverts(stranger.finalizeForcedBatch(), "BatchInbox__NotStalled");
  for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  unwatch();
  assert.deepEqual(seen, [2n], "the watcher saw the forced-only batch");

  const t = await now();
  const b3 = await proveChainBatch(chain.artifacts, {
    ...A,
    signers: [1, 2, 3],
    inbox: chain.deployment.inbox,
    batchNumber: 3n,
    prevBatchHash: escape.batchHash,
    forced: { from: 3n, accFrom: queue.accAt(3), txHashes: [] },
    timeBase: (t - 30n) * 1000n,
    txs: 8,
    seed: 3,
  });
  const g3 = await inbox.submitBatch(b3.proof, b3.publicSignals);
  assert.ok(g3.gasUsed <= 300_000n, `submitBatch used ${g3.gasUsed} gas`);
  const state = await inbox.state();
  assert.equal(state.nextBatchNumber, 4n);
  assert.equal(state.headBatchHash, BigInt(b3.publicSignals[0]!));
});

test("committees: registration needs bonded, distinct members; a batch hands over to a registered committee", async () => {
  await reverts(inbox.registerCommittee(Bc.committee), "BatchInbox__MemberNotBonded");
  for (const k of [...A.keys, ...Bc.keys]) await inbox.bond(k.publicKey, PARAMS.minBond);
  const twice = [0, 1].map(() => ({ publicKey: Bc.keys[0]!.publicKey, weight: 1n }));
  await reverts(inbox.registerMembers(twice, 1n, 5n), "BatchInbox__InvalidCommittee", ["duplicate key"]);
  await reverts(inbox.registerMembers([{ publicKey: Bc.keys[0]!.publicKey, weight: 1n }], 2n, 5n), "BatchInbox__InvalidCommittee", ["threshold"]);
  const reg = await inbox.registerCommittee(Bc.committee);
  assert.ok(reg.gasUsed > 0n);

  const state = await inbox.state();
  const t = await now();
  const b4 = await proveChainBatch(chain.artifacts, {
    ...A,
    signers: [0, 2, 3],
    inbox: chain.deployment.inbox,
    batchNumber: 4n,
    prevBatchHash: state.headBatchHash,
    forced: { from: 3n, accFrom: queue.accAt(3), txHashes: [] },
    nextCommitteeHash: Bc.committee.hash,
    timeBase: (t - 10n) * 1000n,
    txs: 2,
    seed: 4,
  });
  await inbox.submitBatch(b4.proof, b4.publicSignals);
  assert.equal((await inbox.state()).committeeHash, Bc.committee.hash);
  // the old committee can no longer sign the next batch
  const next = { ...b4.header, batchNumber: 5n, prevBatchHash: BigInt(b4.publicSignals[0]!), committeeHash: A.committee.hash, nextCommitteeHash: A.committee.hash };
  await reverts(inbox.submitBatch(b4.proof, crafted(next)), "BatchInbox__WrongCommittee", [Bc.committee.hash, A.committee.hash]);
});

test("slashing: an equivocating member loses its bond once (half to the reporter); not twice, not a non-member", async () => {
  const eqArtifacts = await buildCircuit("equivocation-dev", process.env.ZKSEQ_PTAU ? { ptau: process.env.ZKSEQ_PTAU } : {});
  const evidence = equivocatingReports(A.keys[2]!, 2, 8, { inbox: BigInt(chain.deployment.inbox), batchNumber: 5n });
  const { input, publicSignals } = buildEquivocationInput({ build: "equivocation-dev", committee: A.committee, ...evidence });
  const { proof } = await snarkjs.groth16.fullProve(input, eqArtifacts.wasm, eqArtifacts.zkey);
  await releaseCurves();
  const slasher = new (inbox.constructor as typeof InboxClient)({ address: inbox.address, client: chain.client, wallet: chain.reporter });

  await reverts(slasher.slash(proof, withSignal(publicSignals, 5, BigInt(publicSignals[5]!) + 1n)), "BatchInbox__NoBond");
  await reverts(slasher.slash(proof, withSignal(publicSignals, 0, 99n)), "BatchInbox__UnknownCommittee", [99n]);
  await reverts(slasher.slash(proof, withSignal(publicSignals, 3, 6n)), "BatchInbox__InvalidProof");

  const before = await chain.client.getBalance({ address: chain.reporter.account!.address });
  const sent = await slasher.slash(proof, publicSignals);
  const after = await chain.client.getBalance({ address: chain.reporter.account!.address });
  const gasCost = BigInt(sent.receipt.gasUsed) * BigInt(sent.receipt.effectiveGasPrice);
  assert.equal(after - before + gasCost, PARAMS.minBond / 2n, "half the bond to the reporter");
  const bond = await inbox.bondOf(A.keys[2]!.publicKey);
  assert.deepEqual([bond.slashed, bond.amount], [true, 0n]);
  await reverts(slasher.slash(proof, publicSignals), "BatchInbox__AlreadySlashed");
  // a key that is in no known committee: an outsider's own double-signature
  const outsider = makeCommittee({ size: 4, depth: 2, threshold: 3n, salt: "outsider" });
  await inbox.bond(outsider.keys[0]!.publicKey, PARAMS.minBond);
  const ev2 = buildEquivocationInput({ build: "equivocation-dev", committee: outsider.committee, ...equivocatingReports(outsider.keys[0]!, 0, 8, { inbox: BigInt(chain.deployment.inbox), batchNumber: 5n }) });
  await reverts(slasher.slash(proof, ev2.publicSignals), "BatchInbox__UnknownCommittee", [outsider.committee.hash]);
});

test("bonds: withdrawal waits out the exit delay; only the owner withdraws", async () => {
  const key = testKey(7, "bond-test");
  await inbox.bond(key.publicKey, parseEther("2"));
  const stranger = new (inbox.constructor as typeof InboxClient)({ address: inbox.address, client: chain.client, wallet: chain.other });
  await reverts(stranger.bond(key.publicKey, 1n), "BatchInbox__NotBondOwner");
  await reverts(inbox.withdrawBond(key.publicKey), "BatchInbox__ExitNotRequested");
  await inbox.requestUnbond(key.publicKey);
  await reverts(inbox.withdrawBond(key.publicKey), "BatchInbox__ExitDelayNotOver");
  await reverts(stranger.withdrawBond(key.publicKey), "BatchInbox__NotBondOwner");
  await chain.testClient.increaseTime({ seconds: Number(PARAMS.exitDelay) });
  await chain.testClient.mine({ blocks: 1 });
  const owner = chain.wallet.account!.address as Address;
  const before = await chain.client.getBalance({ address: owner });
  const sent = await inbox.withdrawBond(key.publicKey);
  const after = await chain.client.getBalance({ address: owner });
  assert.equal(after - before + BigInt(sent.receipt.gasUsed) * BigInt(sent.receipt.effectiveGasPrice), parseEther("2"));
  assert.equal((await inbox.bondOf(key.publicKey)).amount, 0n);
});

test("solidity layout: proofToSolidity swaps G2 coordinates and packedHeaderFromPublicSignals round-trips", () => {
  const p = proofToSolidity({ pi_a: ["1", "2"], pi_b: [["3", "4"], ["5", "6"]], pi_c: ["7", "8"] });
  assert.deepEqual(p, [1n, 2n, 4n, 3n, 6n, 5n, 7n, 8n]);
  const sig = batch1.publicSignals;
  assert.deepEqual(publicSignalsFromPackedHeader(packedHeaderFromPublicSignals(sig)), sig);
});
