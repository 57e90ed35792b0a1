/**
 * BatchInbox v2 on Hardhat's in-process network with real `dev` proofs: raw
 * transaction data bound to the proof, rounds, committees elected from stake,
 * bonds that cannot be griefed, slashing that pays the named reporter, and a
 * derivation from L1 alone that equals what was submitted. Every check reverts
 * with its custom error.
 */
import { loadNativeAddon } from "../prover/nativeAddon.js";
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";
import { parseEther, toHex, type Address, type Hex } from "viem";
import { ForcedQueue } from "../src/forced.js";
import { packHeader, type BatchHeader } from "../src/header.js";
import { bindBatchData } from "../src/dataBinding.js";
import { poseidon } from "../src/poseidon.js";
import { FIELD_MODULUS } from "../src/field.js";
import { InboxRevertError, InvalidCommitteeError } from "../src/errors.js";
import { buildCircuit, type CircuitArtifacts } from "../src/build/buildCircuit.js";
import { buildEquivocationInput } from "../src/equivocation.js";
import { releaseCurves } from "../src/build/curves.js";
import { electCommittee } from "../src/election.js";
import { proveKeyOwnership } from "../src/keyOwnership.js";
import { txHashOf } from "../src/txHash.js";
import { deployInbox } from "../src/chain/deploy.js";
import { packedHeaderFromPublicSignals, proofToSolidity, publicSignalsFromPackedHeader, type SnarkjsProof } from "../src/chain/solidity.js";
import { expectedNextCommittee, InboxClient } from "../src/chain/inboxClient.js";
import { batchInboxAbi } from "../src/chain/abi.js";
import { deriveBatches } from "../src/sdk/deriveBatches.js";
import type { Committee } from "../src/committee.js";
import type { MemberKey, PublicKey } from "../src/keys.js";
import { equivocatingReports, testKey } from "./helpers/fixtures.js";
import { keysInLeafOrder, proveChainBatch, rawTxs, setUpChain, type ChainBatch } from "./helpers/chainFixture.js";

const PARAMS = {
  epochLength: 4n,
  forceDelay: 600n,
  maxStall: 3600n,
  exitDelay: 86_400n,
  forceFee: 1000n,
  minBond: parseEther("1"),
  reporterRewardBps: 5000,
  maxEscapeEntries: 64,
  maxTxBytes: 256,
  maxBatchBytes: 600,
};
const ptauOpts = process.env.ZKSEQ_PTAU ? { ptau: process.env.ZKSEQ_PTAU } : {};
const genesisKeys = Array.from({ length: 4 }, (_, i) => testKey(i, "committee-A"));
/** Keys that bond and get elected for epoch 1, with their stakes (ETH). */
const bondKeys = Array.from({ length: 4 }, (_, i) => testKey(i, "committee-B"));
const STAKES = [1n, 3n, 2n, 4n].map((e) => parseEther(e.toString()));

let chain: Awaited<ReturnType<typeof setUpChain>>;
let inbox: InboxClient;
let stranger: InboxClient;
let A: { committee: Committee; keys: MemberKey[] };
let ownership: CircuitArtifacts;
const queue = new ForcedQueue();
/** Raw bytes of every forced entry, by queue index. */
const forcedRaw: Hex[] = [];
/** What each finalized batch should derive to: its slots' raw bytes in order. */
const expectedTxs = new Map<bigint, Hex[]>();

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

async function advance(seconds: bigint): Promise<void> {
  await chain.testClient.increaseTime({ seconds: Number(seconds) });
  await chain.testClient.mine({ blocks: 1 });
}

/** Signals of a header crafted with no proof (for checks that come before the proof's), data binding made consistent with `txHashes`. */
function crafted(h: BatchHeader, txHashes: readonly bigint[]): string[] {
  const { packedA, packedB } = packHeader(h);
  const b = bindBatchData(h, txHashes);
  return publicSignalsFromPackedHeader({
    batchHash: 1n,
    txRoot: h.txRoot,
    dataEval: b.dataEval,
    prevBatchHash: h.prevBatchHash,
    committeeHash: h.committeeHash,
    nextCommitteeHash: h.nextCommitteeHash,
    forcedAccFrom: h.forcedAccFrom,
    forcedAccTo: h.forcedAccTo,
    packedA,
    packedB,
    dataChallenge: b.dataChallenge,
  });
}

function withSignal(signals: readonly string[], index: number, value: bigint): string[] {
  const out = [...signals];
  out[index] = value.toString();
  return out;
}

const DUMMY_PROOF: SnarkjsProof = { pi_a: ["1", "2"], pi_b: [["1", "2"], ["3", "4"]], pi_c: ["1", "2"] };

/** Queues a raw forced transaction on the inbox and in the TypeScript mirror. */
async function force(raw: Hex): Promise<bigint> {
  const { index } = await inbox.forceInclude(raw);
  queue.append(txHashOf(raw), await now());
  forcedRaw.push(raw);
  return index;
}

/** Proves a batch of the current chain state with `txs` posted transactions and the given forced entries. */
async function nextBatch(opts: { committee: Committee; keys: MemberKey[]; signers: number[]; forcedCount: number; txs: number | Uint8Array[]; seed: number; round?: bigint; nextCommitteeHash?: bigint; timeBaseAgo?: bigint; backend?: "snarkjs" | "native" }): Promise<ChainBatch> {
  const s = await inbox.state();
  const t = await now();
  const from = Number(s.forcedConsumed);
  return proveChainBatch(chain.artifacts, {
    committee: opts.committee,
    keys: opts.keys,
    signers: opts.signers,
    inbox: chain.deployment.inbox,
    batchNumber: s.nextBatchNumber,
    ...(opts.round !== undefined ? { round: opts.round } : {}),
    prevBatchHash: s.headBatchHash,
    forced: { from: BigInt(from), accFrom: queue.accAt(from), txHashes: queue.slice(from, from + opts.forcedCount) },
    ...(opts.nextCommitteeHash !== undefined ? { nextCommitteeHash: opts.nextCommitteeHash } : {}),
    timeBase: (t - (opts.timeBaseAgo ?? 30n)) * 1000n,
    txs: opts.txs,
    seed: opts.seed,
    ...(opts.backend ? { backend: opts.backend } : {}),
  });
}

/** Submits a proven batch and records what it should derive to. */
async function land(b: ChainBatch): Promise<void> {
  await inbox.submitBatch(b.proof, b.publicSignals, b.postedTxs);
  const from = Number(b.header.forcedFrom);
  expectedTxs.set(b.header.batchNumber, [...forcedRaw.slice(from, Number(b.header.forcedTo)), ...b.postedTxs]);
}

before(async () => {
  chain = await setUpChain(PARAMS, genesisKeys.map((k) => k.publicKey));
  inbox = chain.inbox;
  stranger = new InboxClient({ address: inbox.address, client: chain.client, wallet: chain.other });
  A = { committee: chain.deployment.genesisCommittee, keys: keysInLeafOrder(chain.deployment.genesisCommittee, genesisKeys) };
  ownership = await buildCircuit("key-ownership", ptauOpts);
});

let batch1: ChainBatch;
const nativeBuilt = !("error" in loadNativeAddon());

test("genesis: the inbox elects epoch 0 by the published rule; an unprovable genesis committee is refused", async () => {
  const expected = electCommittee({ candidates: genesisKeys.map((k) => ({ publicKey: k.publicKey, stake: 0n })), depth: 2, signerCount: 3, epoch: 0n });
  assert.equal(A.committee.hash, expected.hash);
  const s = await inbox.state();
  assert.equal(s.committeeHash, expected.hash);
  assert.equal(s.headBatchHash, chain.deployment.genesisBatchHash);
  const [genesis] = await inbox.scheduledCommittees();
  assert.deepEqual([genesis!.epoch, genesis!.committeeHash, genesis!.thresholdWeight], [0n, expected.hash, 3n]);
  // fewer than Q members, or more than a Q-signer proof can serve, never become a committee
  for (const n of [2, 5]) {
    await assert.rejects(
      deployInbox({ wallet: chain.wallet, client: chain.client, build: "dev", genesisMembers: Array.from({ length: n }, (_, i) => testKey(i, "small").publicKey) }),
      InvalidCommitteeError,
    );
  }
});

test("forceInclude: fee, raw bytes hashed by the inbox, an accumulator equal to the TypeScript one; a repeated transaction is queued twice", async () => {
  await reverts(inbox.forceInclude("0x05", 999n), "BatchInbox__InsufficientFee", [1000n, 999n]);
  await reverts(inbox.forceInclude("0x"), "BatchInbox__EmptyTx", [0n]);
  await reverts(inbox.forceInclude(toHex(new Uint8Array(257))), "BatchInbox__TxTooLarge", [0n, 257n]);
  const x = toHex(rawTxs(1, 900)[0]!);
  for (let i = 0; i < 2; i++) {
    const index = await force(x);
    assert.equal(index, BigInt(queue.length - 1));
    assert.equal(await inbox.forcedAccAt(BigInt(queue.length)), queue.accAt(queue.length));
  }
  const events = await inbox.forcedEntries();
  assert.deepEqual(events.map((e) => e.txHash), [txHashOf(x), txHashOf(x)]);
  assert.deepEqual(events.map((e) => e.rawTx), [x, x]);
});

test("submitBatch: header checks, data binding and proof each revert with their custom error; the duplicated forced entry lands", async () => {
  batch1 = await nextBatch({ ...A, signers: [0, 1, 2], forcedCount: 2, txs: 4, seed: 1, timeBaseAgo: 60n });
  const { proof, publicSignals: sig, header, postedTxs: txs } = batch1;
  const t = await now();
  const submit = (s: readonly string[], p: SnarkjsProof = proof, data: readonly Hex[] = txs) => inbox.submitBatch(p, s, data);

  await reverts(submit(withSignal(sig, 3, 42n)), "BatchInbox__WrongPrevBatchHash", [chain.deployment.genesisBatchHash, 42n]);
  await reverts(submit(withSignal(sig, 4, 43n)), "BatchInbox__WrongCommittee", [A.committee.hash, 43n]);
  await reverts(submit(withSignal(sig, 5, 44n)), "BatchInbox__WrongNextCommittee", [A.committee.hash, 44n]);
  await reverts(submit(crafted({ ...header, chainId: 1n }, batch1.txHashes)), "BatchInbox__WrongDomain");
  await reverts(submit(crafted({ ...header, batchNumber: 2n }, batch1.txHashes)), "BatchInbox__WrongBatchNumber", [1n, 2n]);
  await reverts(submit(crafted({ ...header, forcedFrom: 1n, forcedAccFrom: queue.accAt(1) }, batch1.txHashes)), "BatchInbox__ForcedRangeMismatch");
  await reverts(submit(crafted({ ...header, forcedTo: 3n }, batch1.txHashes)), "BatchInbox__ForcedRangeMismatch");
  await reverts(submit(withSignal(sig, 7, 7n)), "BatchInbox__ForcedAccumulatorMismatch");
  await reverts(submit(withSignal(sig, 6, 7n)), "BatchInbox__ForcedAccumulatorMismatch");
  await reverts(submit(crafted({ ...header, timeBase: (t + 3600n) * 1000n }, batch1.txHashes)), "BatchInbox__TimeBaseInFuture");
  // public inputs must be field elements: x and x + p are the same to the pairing, not to the inbox
  for (const i of [0, 1, 2, 10]) {
    await reverts(submit(withSignal(sig, i, BigInt(sig[i]!) + FIELD_MODULUS)), "BatchInbox__PublicInputNotInField", [BigInt(i)]);
  }
  await reverts(submit(withSignal(sig, 8, BigInt(sig[8]!) + (1n << 240n))), "BatchInbox__PublicInputNotInField", [8n]);

  // the posted bytes must be exactly the proof's fair-ordered slots
  const flipped = [...txs];
  flipped[1] = `0x${flipped[1]!.slice(2, 10)}${(parseInt(flipped[1]!.slice(10, 12), 16) ^ 1).toString(16).padStart(2, "0")}${flipped[1]!.slice(12)}` as Hex;
  await reverts(submit(sig, proof, flipped), "BatchInbox__WrongDataChallenge");
  await reverts(submit(sig, proof, [txs[1]!, txs[0]!, ...txs.slice(2)]), "BatchInbox__WrongDataChallenge");
  await reverts(submit(sig, proof, txs.slice(1)), "BatchInbox__TxCountMismatch", [4n, 3n]);
  await reverts(submit(sig, proof, [...txs, txs[0]!]), "BatchInbox__TxCountMismatch", [4n, 5n]);
  await reverts(submit(sig, proof, [txs[0]!, "0x", ...txs.slice(2)]), "BatchInbox__EmptyTx", [1n]);
  await reverts(submit(sig, proof, [txs[0]!, toHex(new Uint8Array(257)), ...txs.slice(2)]), "BatchInbox__TxTooLarge", [1n, 257n]);
  await reverts(submit(sig, proof, txs.map(() => toHex(new Uint8Array(200).fill(7)))), "BatchInbox__BatchTooLarge", [800n, 600n]);
  await reverts(submit(withSignal(sig, 10, BigInt(sig[10]!) + 1n)), "BatchInbox__WrongDataChallenge");
  await reverts(submit(withSignal(sig, 2, BigInt(sig[2]!) + 1n)), "BatchInbox__TxDataMismatch");
  // a crafted header with its own (consistent) data binding still needs a proof
  await reverts(submit(crafted(header, batch1.txHashes)), "BatchInbox__InvalidProof");

  // tampered public inputs the header checks cannot see, and tampered proofs
  await reverts(submit(withSignal(sig, 0, BigInt(sig[0]!) + 1n)), "BatchInbox__InvalidProof");
  await reverts(submit(withSignal(sig, 1, BigInt(sig[1]!) + 1n)), "BatchInbox__WrongDataChallenge");
  await reverts(submit(sig, { ...proof, pi_a: proof.pi_c, pi_c: proof.pi_a }), "BatchInbox__InvalidProof");
  await reverts(submit(sig, { ...proof, pi_c: [proof.pi_c[0]!, (BigInt(proof.pi_c[1]!) + 1n).toString()] }), "BatchInbox__InvalidProof");
  await reverts(submit(sig, DUMMY_PROOF), "BatchInbox__InvalidProof");

  // an overdue forced entry left out (a snapshot: the entry is not kept)
  const snap = await chain.testClient.snapshot();
  await inbox.forceInclude("0x0333");
  await advance(PARAMS.forceDelay + 1n);
  await reverts(submit(sig), "BatchInbox__OverdueForcedEntryOmitted", [2n]);
  await chain.testClient.revert({ id: snap });

  await land(batch1);
  const [finalized] = await inbox.finalizedBatches();
  assert.equal(finalized!.batchNumber, 1n);
  assert.equal(finalized!.batchHash, BigInt(sig[0]!));
  assert.equal(finalized!.txRoot, BigInt(sig[1]!));
  assert.equal(finalized!.txCount, 6n);
  assert.deepEqual([finalized!.forcedFrom, finalized!.forcedTo, finalized!.forcedOnly], [0n, 2n, false]);
  const state = await inbox.state();
  assert.deepEqual([state.headBatchHash, state.nextBatchNumber, state.forcedConsumed], [BigInt(sig[0]!), 2n, 2n]);
  // the calldata holds the posted bytes
  const call = await inbox.submittedBatch(finalized!.transactionHash);
  assert.deepEqual(call.txs, txs);

  // no replay, no going back in time
  await reverts(submit(sig), "BatchInbox__WrongBatchNumber", [2n, 1n]);
  const next = { ...header, batchNumber: 2n, prevBatchHash: BigInt(sig[0]!), forcedFrom: 2n, forcedTo: 2n, forcedAccFrom: queue.accAt(2), forcedAccTo: queue.accAt(2), timeBase: header.timeBase - 1n };
  await reverts(submit(crafted(next, batch1.txHashes)), "BatchInbox__TimeBaseWentBack", [Number(header.timeBase), Number(header.timeBase - 1n)]);
});

test("rounds: a round-0 header that became unlandable is re-proposed in round 1, which lands", async () => {
  const round0 = await nextBatch({ ...A, signers: [0, 1, 2], forcedCount: 0, txs: 2, seed: 20 });
  assert.equal(round0.header.round, 0n);
  await force(toHex(rawTxs(1, 901)[0]!));
  await advance(PARAMS.forceDelay + 1n);
  await reverts(inbox.submitBatch(round0.proof, round0.publicSignals, round0.postedTxs), "BatchInbox__OverdueForcedEntryOmitted", [2n]);
  // proven by the native prover: the on-chain verifier takes its proofs like snarkjs's
  const round1 = await nextBatch({ ...A, signers: [1, 2, 3], forcedCount: 1, txs: 2, seed: 21, round: 1n, ...(nativeBuilt ? { backend: "native" as const } : {}) });
  assert.equal(round1.header.batchNumber, 2n);
  await land(round1);
  const s = await inbox.state();
  assert.deepEqual([s.nextBatchNumber, s.headBatchHash, s.forcedConsumed], [3n, BigInt(round1.publicSignals[0]!), 3n]);
  assert.equal((BigInt(round1.publicSignals[9]!) >> 144n) & 0xffffffffn, 1n, "the round is in the proven header");
});

test("escape hatch: after a stall anyone finalizes overdue forced entries; the committee's next batch builds on it", async () => {
  await reverts(inbox.scheduleCommittee(), "BatchInbox__EpochNotOver", [5n]);
  await force(toHex(rawTxs(1, 902)[0]!));
  const before = await inbox.state();
  await reverts(inbox.finalizeForcedBatch(), "BatchInbox__NotStalled", [before.escapeOpensAt]);
  assert.equal(before.escapeOpensAt, before.lastCommitteeBatchAt + PARAMS.maxStall);
  assert.equal(before.escapeOpen, false);
  const seen: bigint[] = [];
  const unwatch = inbox.watchBatchFinalized((b) => seen.push(b.batchNumber), { pollingInterval: 50 });
  await advance(PARAMS.maxStall + 1n);
  await stranger.finalizeForcedBatch();
  expectedTxs.set(3n, [forcedRaw[3]!]);
  const escape = (await inbox.finalizedBatches()).at(-1)!;
  const prev = (await inbox.finalizedBatches()).at(-2)!.batchHash;
  assert.deepEqual([escape.batchNumber, escape.forcedOnly, escape.forcedFrom, escape.forcedTo, escape.txCount], [3n, true, 3n, 4n, 1n]);
  assert.equal(escape.batchHash, poseidon([prev, 3n, queue.accAt(4)]), "escape batch hash = Poseidon(prevBatchHash, batchNumber, forcedAccTo)");
  // the hatch stays open (a forced-only batch does not restart the clock), but nothing else is overdue
  assert.equal(await inbox.escapeOpen(), true);
  await reverts(stranger.finalizeForcedBatch(), "BatchInbox__NothingToEscape");
  for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  unwatch();
  assert.deepEqual(seen, [3n], "the watcher saw the forced-only batch");

  const b4 = await nextBatch({ ...A, signers: [1, 2, 3], forcedCount: 0, txs: 4, seed: 4 });
  await land(b4);
  const after = await inbox.state();
  assert.equal(after.nextBatchNumber, 5n);
  assert.equal(after.escapeOpen, false, "the committee's batch closed the hatch");
});

test("bonds: a KeyOwnership proof for the sender's address; no taking over, no 0-wei grief, no twin key", async () => {
  const [k0] = bondKeys;
  const me = chain.wallet.account!.address as Address;
  const proof0 = (await proveKeyOwnership(k0!.privateKey, me, ownership)).proof;
  await reverts(inbox.bond(k0!.publicKey, PARAMS.minBond), "BatchInbox__InvalidProof");
  // copying someone's bond transaction from another address: the proof names its owner
  await reverts(stranger.bond(k0!.publicKey, PARAMS.minBond, proof0), "BatchInbox__InvalidProof");
  // a 0-wei (or too small) first bond cannot take a key, even with a valid proof
  const strangerProof = (await proveKeyOwnership(k0!.privateKey, chain.other.account!.address, ownership)).proof;
  await reverts(stranger.bond(k0!.publicKey, 0n, strangerProof), "BatchInbox__BondTooSmall", [PARAMS.minBond, 0n]);
  // the twin key (-Ax, -Ay) = A + (0, -1) has no KeyOwnership proof: it is outside the prime-order subgroup
  const twin: PublicKey = [(FIELD_MODULUS - k0!.publicKey[0]) % FIELD_MODULUS, (FIELD_MODULUS - k0!.publicKey[1]) % FIELD_MODULUS];
  await reverts(inbox.bond(twin, PARAMS.minBond, proof0), "BatchInbox__InvalidProof");

  await inbox.bond(k0!.publicKey, STAKES[0]!, proof0);
  const b = await inbox.bondOf(k0!.publicKey);
  assert.deepEqual([b.owner.toLowerCase(), b.amount, b.candidateSlot > 0], [me.toLowerCase(), STAKES[0], true]);
  // the owner is fixed: nobody else tops up, nobody else unbonds
  await reverts(stranger.bond(k0!.publicKey, PARAMS.minBond, strangerProof), "BatchInbox__NotBondOwner");
  await reverts(stranger.requestUnbond(k0!.publicKey), "BatchInbox__NotBondOwner");
});

let B: { committee: Committee; keys: MemberKey[] };

test("committees: elected from stake by the inbox; handovers name exactly the scheduled committee; serving bonds are locked", async () => {
  // one candidate: no provable committee
  await reverts(inbox.scheduleCommittee(), "BatchInbox__CommitteeNotProvable", [1n, 3n]);
  const me = chain.wallet.account!.address as Address;
  for (const [i, k] of bondKeys.entries()) {
    if (i === 0) continue;
    await inbox.bond(k.publicKey, STAKES[i]!, (await proveKeyOwnership(k.privateKey, me, ownership)).proof);
  }
  const { committee: scheduled } = await inbox.scheduleCommittee();
  const expected = electCommittee({ candidates: bondKeys.map((k, i) => ({ publicKey: k.publicKey, stake: STAKES[i]! })), depth: 2, signerCount: 3, epoch: 1n });
  assert.equal(scheduled.committeeHash, expected.hash);
  assert.deepEqual(scheduled.members, [3, 1, 2, 0].map((i) => bondKeys[i]!.publicKey), "leaves in stake order");
  B = { committee: expected, keys: keysInLeafOrder(expected, bondKeys) };
  const s = await inbox.state();
  assert.deepEqual([s.pendingCommitteeHash, s.handoverAt], [expected.hash, 6n]);
  await reverts(inbox.scheduleCommittee(), "BatchInbox__CommitteePending", [expected.hash]);
  await reverts(inbox.requestUnbond(bondKeys[1]!.publicKey), "BatchInbox__BondLocked");

  // batch 5 comes before the handover: it must name the current committee
  const b5 = await nextBatch({ ...A, signers: [0, 1, 2], forcedCount: 0, txs: 1, seed: 5 });
  await reverts(inbox.submitBatch(b5.proof, crafted({ ...b5.header, nextCommitteeHash: expected.hash }, b5.txHashes), b5.postedTxs), "BatchInbox__WrongNextCommittee", [A.committee.hash, expected.hash]);
  await land(b5);
  // batch 6 hands over: not to the current committee, not to one the inbox did not schedule
  const b6 = await nextBatch({ ...A, signers: [0, 2, 3], forcedCount: 0, txs: 2, seed: 6, nextCommitteeHash: expected.hash });
  await reverts(inbox.submitBatch(b6.proof, crafted({ ...b6.header, nextCommitteeHash: A.committee.hash }, b6.txHashes), b6.postedTxs), "BatchInbox__WrongNextCommittee", [expected.hash, A.committee.hash]);
  const unscheduled = electCommittee({ candidates: bondKeys.slice(0, 3).map((k) => ({ publicKey: k.publicKey, stake: 0n })), depth: 2, signerCount: 3, epoch: 1n });
  await reverts(inbox.submitBatch(b6.proof, crafted({ ...b6.header, nextCommitteeHash: unscheduled.hash }, b6.txHashes), b6.postedTxs), "BatchInbox__WrongNextCommittee", [expected.hash, unscheduled.hash]);
  await land(b6);
  const after = await inbox.state();
  assert.deepEqual([after.committeeHash, after.epoch, after.pendingCommitteeHash], [expected.hash, 1n, 0n]);
  // the old committee can no longer sign; the new one can
  const stale = await nextBatch({ ...A, signers: [0, 1, 2], forcedCount: 0, txs: 1, seed: 7 });
  await reverts(inbox.submitBatch(stale.proof, stale.publicSignals, stale.postedTxs), "BatchInbox__WrongCommittee", [expected.hash, A.committee.hash]);
  const b7 = await nextBatch({ ...B, signers: [0, 1, 2], forcedCount: 0, txs: 3, seed: 8 });
  await land(b7);
  await reverts(inbox.requestUnbond(bondKeys[3]!.publicKey), "BatchInbox__BondLocked");
});

test("slashing: same-round equivocation slashes; the reward goes to the reporter the evidence names, not to a copier", async () => {
  const eqArtifacts = await buildCircuit("equivocation-dev", ptauOpts);
  const leaf = 1; // bondKeys[1], 3 ETH
  const reporterAddress = chain.reporter.account!.address as Address;
  const evidence = equivocatingReports(B.keys[leaf]!, leaf, 8, { inbox: BigInt(chain.deployment.inbox), batchNumber: 8n, round: 2n, committeeHash: B.committee.hash });
  const { input, publicSignals } = buildEquivocationInput({ reporter: reporterAddress, build: "equivocation-dev", committee: B.committee, ...evidence });
  const { proof } = await snarkjs.groth16.fullProve(input, eqArtifacts.wasm, eqArtifacts.zkey);
  await releaseCurves();

  await reverts(stranger.slash(proof, withSignal(publicSignals, 0, 99n)), "BatchInbox__UnknownCommittee", [99n]);
  await reverts(stranger.slash(proof, withSignal(publicSignals, 4, 3n)), "BatchInbox__InvalidProof"); // another round
  await reverts(stranger.slash(proof, withSignal(publicSignals, 3, 9n)), "BatchInbox__InvalidProof");
  // a copier who rewrites the reporter to itself has no proof for it
  await reverts(stranger.slash(proof, withSignal(publicSignals, 7, BigInt(chain.other.account!.address))), "BatchInbox__InvalidProof");

  // the copier sends the evidence as it is: the reward still goes to the named reporter
  const copier = chain.other.account!.address as Address;
  const [repBefore, copBefore] = await Promise.all([chain.client.getBalance({ address: reporterAddress }), chain.client.getBalance({ address: copier })]);
  const sent = await stranger.slash(proof, publicSignals);
  const [repAfter, copAfter] = await Promise.all([chain.client.getBalance({ address: reporterAddress }), chain.client.getBalance({ address: copier })]);
  const gasCost = BigInt(sent.receipt.gasUsed) * BigInt(sent.receipt.effectiveGasPrice);
  assert.equal(repAfter - repBefore, STAKES[1]! / 2n, "half the bond to the named reporter");
  assert.equal(copBefore - copAfter, gasCost, "the copier paid gas and got nothing");
  const bond = await inbox.bondOf(bondKeys[1]!.publicKey);
  assert.deepEqual([bond.slashed, bond.amount, bond.candidateSlot], [true, 0n, 0]);
  assert.equal(await chain.client.readContract({ address: inbox.address, abi: batchInboxAbi, functionName: "burnedBonds" }), STAKES[1]! / 2n);
  await reverts(stranger.slash(proof, publicSignals), "BatchInbox__AlreadySlashed");
  await reverts(inbox.withdrawBond(bondKeys[1]!.publicKey), "BatchInbox__AlreadySlashed");

  // a committee with a slashed member is no longer backed: a new one may be scheduled at once, without it
  const s = await inbox.state();
  assert.equal(s.currentUnbacked, true);
  const { committee } = await inbox.scheduleCommittee();
  const expected = electCommittee({ candidates: [0, 2, 3].map((i) => ({ publicKey: bondKeys[i]!.publicKey, stake: STAKES[i]! })), depth: 2, signerCount: 3, epoch: 2n });
  assert.equal(committee.committeeHash, expected.hash);
});

test("bonds: a bond outside every committee waits out the exit delay; only its owner withdraws", async () => {
  const key = testKey(7, "bond-test");
  const me = chain.wallet.account!.address as Address;
  await inbox.bond(key.publicKey, parseEther("2"), (await proveKeyOwnership(key.privateKey, me, ownership)).proof);
  await reverts(inbox.withdrawBond(key.publicKey), "BatchInbox__ExitNotRequested");
  await inbox.requestUnbond(key.publicKey);
  await reverts(inbox.withdrawBond(key.publicKey), "BatchInbox__ExitDelayNotOver");
  await reverts(stranger.withdrawBond(key.publicKey), "BatchInbox__NotBondOwner");
  await advance(PARAMS.exitDelay);
  const before = await chain.client.getBalance({ address: me });
  const sent = await inbox.withdrawBond(key.publicKey);
  const after = await chain.client.getBalance({ address: me });
  assert.equal(after - before + BigInt(sent.receipt.gasUsed) * BigInt(sent.receipt.effectiveGasPrice), parseEther("2"));
  assert.equal((await inbox.bondOf(key.publicKey)).amount, 0n);
});

test("derivation from L1 alone: every finalized batch (forced, re-proposed, escape-hatch, handover) verifies and yields exactly the submitted bytes", async () => {
  const vkey = JSON.parse(await readFile(chain.artifacts.verificationKey, "utf8"));
  const derived = [];
  for await (const b of deriveBatches({ inbox, verificationKey: vkey, build: "dev" })) derived.push(b);
  assert.deepEqual(derived.map((b) => b.batchNumber), [1n, 2n, 3n, 4n, 5n, 6n, 7n]);
  for (const b of derived) assert.deepEqual(b.transactions.map((t) => t.raw), expectedTxs.get(b.batchNumber), `batch ${b.batchNumber}`);
  assert.equal(derived[2]!.forcedOnly, true);
  assert.deepEqual(derived[0]!.transactions.slice(0, 2).map((t) => t.forcedIndex), [0n, 1n]);
});

test("escape hatch stays open while the committee is down: forced entries land as each falls due; only a committee batch closes it", async () => {
  // a committee batch first (the bond exit above moved the clock past maxStall): the hatch is closed
  const s0 = await inbox.state();
  assert.equal(s0.forcedConsumed, s0.forcedQueueLength, "no forced entry pending");
  const b8 = await nextBatch({ ...B, signers: [0, 2, 3], forcedCount: 0, txs: 2, seed: 30, nextCommitteeHash: expectedNextCommittee(s0, s0.nextBatchNumber) });
  await land(b8);
  const s1 = await inbox.state();
  assert.deepEqual([s1.escapeOpen, s1.escapeOpensAt, s1.maxStall], [false, s1.lastCommitteeBatchAt + PARAMS.maxStall, PARAMS.maxStall]);
  assert.equal(await inbox.escapeOpen(), false);

  // the committee goes silent; a user forces a transaction in and the hatch opens after maxStall
  // (every clock step below keeps at least 30 s from the boundary it tests: Hardhat's block times follow the wall clock)
  const first = await force(toHex(rawTxs(1, 910)[0]!));
  await advance(PARAMS.maxStall / 2n);
  await reverts(stranger.finalizeForcedBatch(), "BatchInbox__NotStalled", [s1.escapeOpensAt]);
  await advance(PARAMS.maxStall / 2n + 30n);
  assert.equal(await inbox.escapeOpen(), true);
  const escapes: bigint[][] = [];
  const escape = async (): Promise<void> => {
    await stranger.finalizeForcedBatch();
    const b = (await inbox.finalizedBatches()).at(-1)!;
    assert.equal(b.forcedOnly, true);
    expectedTxs.set(b.batchNumber, forcedRaw.slice(Number(b.forcedFrom), Number(b.forcedTo)));
    escapes.push([b.batchNumber, b.forcedFrom, b.forcedTo]);
  };
  await escape();

  // a second entry: it lands once it is overdue, after forceDelay, not after another maxStall
  const second = await force(toHex(rawTxs(1, 911)[0]!));
  await reverts(stranger.finalizeForcedBatch(), "BatchInbox__NothingToEscape");
  await advance(PARAMS.forceDelay + 30n);
  assert.ok(PARAMS.forceDelay + 30n < PARAMS.maxStall);
  await escape();

  // two more, queued 300 s apart: each escape batch takes exactly the entries that fell due
  const third = await force(toHex(rawTxs(1, 912)[0]!));
  await advance(300n);
  const fourth = await force(toHex(rawTxs(1, 913)[0]!));
  await advance(PARAMS.forceDelay - 300n + 30n);
  await escape();
  await reverts(stranger.finalizeForcedBatch(), "BatchInbox__NothingToEscape");
  await advance(300n);
  await escape();
  const n = s1.nextBatchNumber;
  assert.deepEqual(escapes, [
    [n, first, first + 1n],
    [n + 1n, second, second + 1n],
    [n + 2n, third, third + 1n],
    [n + 3n, fourth, fourth + 1n],
  ]);
  const open = await inbox.state();
  assert.deepEqual([open.escapeOpen, open.escapeOpensAt, open.lastCommitteeBatchAt], [true, s1.escapeOpensAt, s1.lastCommitteeBatchAt], "forced-only batches leave the stall clock alone");

  // the committee is back: its batch builds on the escape batches (and hands over to the committee scheduled meanwhile)
  const back = await nextBatch({ ...B, signers: [0, 2, 3], forcedCount: 0, txs: 3, seed: 31, nextCommitteeHash: expectedNextCommittee(open, open.nextBatchNumber) });
  await land(back);
  const closed = await inbox.state();
  assert.equal(closed.nextBatchNumber, n + 5n);
  assert.equal(closed.escapeOpen, false, "a committee batch closes the hatch");
  assert.equal(closed.escapeOpensAt, closed.lastCommitteeBatchAt + PARAMS.maxStall);
  // closed again: even an overdue entry waits for another maxStall without a committee batch
  const fifth = await force(toHex(rawTxs(1, 914)[0]!));
  await advance(PARAMS.forceDelay + 30n);
  await reverts(stranger.finalizeForcedBatch(), "BatchInbox__NotStalled", [closed.escapeOpensAt]);
  await advance(PARAMS.maxStall);
  await escape();
  assert.deepEqual(escapes.at(-1), [n + 5n, fifth, fifth + 1n]);

  // derivation from L1 follows the chain through the escape batches
  const vkey = JSON.parse(await readFile(chain.artifacts.verificationKey, "utf8"));
  const derived = [];
  for await (const b of deriveBatches({ inbox, verificationKey: vkey, build: "dev" })) if (b.batchNumber >= n) derived.push(b);
  assert.deepEqual(
    derived.map((b) => [b.batchNumber, b.forcedOnly]),
    [[n, true], [n + 1n, true], [n + 2n, true], [n + 3n, true], [n + 4n, false], [n + 5n, true]],
  );
  for (const b of derived) assert.deepEqual(b.transactions.map((t) => t.raw), expectedTxs.get(b.batchNumber), `batch ${b.batchNumber}`);
});

test("solidity layout: proofToSolidity swaps G2 coordinates and packedHeaderFromPublicSignals round-trips", () => {
  const p = proofToSolidity({ pi_a: ["1", "2"], pi_b: [["3", "4"], ["5", "6"]], pi_c: ["7", "8"] });
  assert.deepEqual(p, [1n, 2n, 4n, 3n, 6n, 5n, 7n, 8n]);
  const sig = batch1.publicSignals;
  assert.deepEqual(publicSignalsFromPackedHeader(packedHeaderFromPublicSignals(sig)), sig);
});
