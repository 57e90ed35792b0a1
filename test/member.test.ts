/**
 * The committee member (protocol v2): its signing policy refuses every header
 * the inbox would refuse and every report that would misstate what it saw, it
 * signs one header per (batchNumber, round) across restarts, and its HTTP API
 * takes raw transactions and answers bad input with 4xx JSON errors.
 *
 * The chain is given to the member as an InboxSnapshot: here a state written
 * out by hand (the unit under test is the policy); test/member.chain.test.ts
 * reads it from a deployed inbox.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemberNode, memberReportTimes } from "../member/memberNode.js";
import { checkLeader, checkProposal, type InboxSnapshot } from "../member/signingPolicy.js";
import { leaderOf } from "../src/leaderSchedule.js";
import { proposalAuthFromJSON, proposalAuthToJSON, signProposal, verifyIdentity, verifyProposal } from "../src/proposal.js";
import { signReport } from "../src/report.js";
import { proposeBatch } from "../src/batch.js";
import { getBatchBuild } from "../src/builds.js";
import { ForcedQueue } from "../src/forced.js";
import { batchHash, headerToJSON, type BatchHeader } from "../src/header.js";
import { verifyReport } from "../src/report.js";
import { reportFromJSON } from "../src/batchFile.js";
import { txHashOf } from "../src/txHash.js";
import { txRoot } from "../src/txTree.js";
import { toHex } from "../src/service.js";
import { ZkseqError } from "../src/errors.js";
import { makeCommittee, randomRawTx, rng } from "./helpers/fixtures.js";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const build = getBatchBuild("dev");
const { committee, keys } = makeCommittee({ size: 4, depth: 2, threshold: 3n, salt: "member-test" });
const INBOX = 0x1234n;
const HEAD = 777n;
const NOW_MS = 1_750_000_100_000n;
const own = { committeeHash: committee.hash };
/** Rounds of an hour: round 0 for an hour after the last batch (lastCommitteeBatchAt), then round 1. */
const ROUND_MS = 3_600_000;

/** An inbox state: head `HEAD` at batch `nextBatchNumber`, the queue `queue` with `consumed` entries consumed. */
function snapshot(queue: ForcedQueue, consumed: number, change: Partial<InboxSnapshot> = {}): InboxSnapshot {
  const forced = queue.slice(consumed, queue.length).map((txHash, i) => ({ index: BigInt(consumed + i), txHash, queuedAt: queue.entries[consumed + i]!.queuedAt }));
  return {
    chainId: 31337n,
    inbox: INBOX,
    nextBatchNumber: 5n,
    headBatchHash: HEAD,
    committeeHash: committee.hash,
    pendingCommitteeHash: 0n,
    handoverAt: 0n,
    lastTimeBase: NOW_MS - 60_000n,
    lastCommitteeBatchAt: NOW_MS / 1000n - 60n,
    nowMs: NOW_MS,
    maxTimeDriftMs: 30_000n,
    forceDelay: 3600n,
    forcedConsumed: BigInt(consumed),
    forcedLength: BigInt(queue.length),
    forcedAccConsumed: queue.accAt(consumed),
    forced,
    ...change,
  };
}

function propose(opts: { queue: ForcedQueue; consumed: number; forced: number; txs: bigint[]; timeBase: bigint; round?: bigint; change?: Partial<BatchHeader> }) {
  const { queue, consumed, forced, txs } = opts;
  const p = proposeBatch({
    build,
    chainId: 31337n,
    inbox: INBOX,
    batchNumber: 5n,
    round: opts.round ?? 0n,
    prevBatchHash: HEAD,
    committee,
    forced: { from: BigInt(consumed), accFrom: queue.accAt(consumed), txHashes: queue.slice(consumed, consumed + forced) },
    candidates: txs,
    receivedAt: [0, 1, 2].map(() => new Map(txs.map((h, i) => [h, Number(opts.timeBase) + 10 * i] as const))),
    signers: [0, 1, 2],
    timeBase: opts.timeBase,
  });
  return { header: { ...p.header, ...opts.change }, txHashes: p.txHashes };
}

function queueOf(hashes: bigint[], queuedAt = NOW_MS / 1000n - 10n): ForcedQueue {
  const q = new ForcedQueue();
  hashes.forEach((h) => q.append(h, queuedAt));
  return q;
}

const r = rng(5);
const raws = Array.from({ length: 6 }, () => randomRawTx(r));
const txs = raws.map((x) => txHashOf(x));

function refuses(fn: () => unknown, code: string, why: string): void {
  assert.throws(fn, (e: unknown) => e instanceof ZkseqError && e.code === code, why);
}

test("policy: a header the inbox would accept is signable; every header it would refuse is refused with its own error", () => {
  const queue = queueOf([txs[4]!, txs[5]!]);
  const tb = NOW_MS - 5_000n;
  const seen = (p: { txHashes: readonly bigint[] }) => p.txHashes.map((h) => (txs.slice(0, 4).includes(h) ? Number(tb) + 100 : undefined));
  const ok = propose({ queue, consumed: 0, forced: 2, txs: txs.slice(0, 3), timeBase: tb });
  const chain = snapshot(queue, 0);
  assert.equal(checkProposal(build, own, chain, ok, seen(ok)), 2);

  const bad: [string, { header: BatchHeader; txHashes: readonly bigint[] }, string, InboxSnapshot?][] = [
    ["another batch number", { ...ok, header: { ...ok.header, batchNumber: 6n } }, "HEADER_NOT_LANDABLE"],
    ["not the head", { ...ok, header: { ...ok.header, prevBatchHash: 1n } }, "HEADER_NOT_LANDABLE"],
    ["handover to an unscheduled committee", { ...ok, header: { ...ok.header, nextCommitteeHash: 999n } }, "HEADER_NOT_LANDABLE"],
    ["no handover when one is due", ok, "HEADER_NOT_LANDABLE", snapshot(queue, 0, { pendingCommitteeHash: 4242n, handoverAt: 5n })],
    ["a committee that is not current", ok, "HEADER_NOT_LANDABLE", snapshot(queue, 0, { committeeHash: 31n })],
    ["another chain", { ...ok, header: { ...ok.header, chainId: 1n } }, "INVALID_ARGUMENT"],
    ["a year ahead", propose({ queue, consumed: 0, forced: 2, txs: txs.slice(0, 3), timeBase: NOW_MS + 365n * 86_400_000n }), "HEADER_NOT_LANDABLE"],
    ["timeBase before the last batch's", propose({ queue, consumed: 0, forced: 2, txs: txs.slice(0, 3), timeBase: NOW_MS - 120_000n }), "HEADER_NOT_LANDABLE"],
    ["forced range not at the first unconsumed entry", propose({ queue, consumed: 1, forced: 1, txs: txs.slice(0, 3), timeBase: tb }), "HEADER_NOT_LANDABLE"],
    ["forced entries swapped", { txHashes: [txs[5]!, txs[4]!, ...ok.txHashes.slice(2)], header: ok.header }, "HEADER_MISMATCH"],
  ];
  for (const [why, p, code, state] of bad) {
    refuses(() => checkProposal(build, own, state ?? chain, p, seen(p)), code, why);
  }
  // a handover exactly when due is signable
  const handover = { ...ok, header: { ...ok.header, nextCommitteeHash: 4242n } };
  assert.equal(checkProposal(build, own, snapshot(queue, 0, { pendingCommitteeHash: 4242n, handoverAt: 5n }), handover, seen(handover)), 2);
});

test("policy: forced slots must be the queue verbatim, with no overdue entry left out while forced slots are free", () => {
  // more forced entries than F, or than transactions, and a forced range past the queue
  const five = queueOf(txs.slice(0, 5));
  const tb = NOW_MS - 5_000n;
  const over = propose({ queue: five, consumed: 0, forced: 4, txs: [], timeBase: tb });
  refuses(() => checkProposal(build, own, snapshot(five, 0), { header: { ...over.header, forcedTo: 5n }, txHashes: over.txHashes }, []), "BATCH_TOO_LARGE", "k > F");
  refuses(() => checkProposal(build, own, snapshot(queueOf(txs.slice(0, 1)), 0), over, []), "HEADER_NOT_LANDABLE", "forcedTo past the queue's end");
  const fewer = { header: { ...over.header, txCount: 3n }, txHashes: over.txHashes.slice(0, 3) };
  refuses(() => checkProposal(build, own, snapshot(five, 0), fewer, []), "HEADER_MISMATCH", "k > txCount");

  // the overdue entry 4 is left out while one forced slot is free
  const old = queueOf(txs.slice(0, 5), NOW_MS / 1000n - 7200n);
  const three = propose({ queue: old, consumed: 0, forced: 3, txs: [], timeBase: tb });
  refuses(() => checkProposal(build, own, snapshot(old, 0), three, []), "HEADER_NOT_LANDABLE", "overdue entry omitted");
  // with F = 4 entries taken, the rest may wait for the next batch
  assert.equal(checkProposal(build, own, snapshot(old, 0), over, []), 4);
});

test("policy: a duplicated forced transaction is signed verbatim and does not halt batches", () => {
  // someone forceIncludes the same transaction twice: both copies are queue entries, both go in
  const dup = queueOf([txs[0]!, txs[0]!, txs[1]!], NOW_MS / 1000n - 7200n);
  const p = propose({ queue: dup, consumed: 0, forced: 3, txs: [txs[2]!], timeBase: NOW_MS - 5_000n });
  assert.deepEqual(p.txHashes.slice(0, 3), [txs[0]!, txs[0]!, txs[1]!]);
  assert.equal(checkProposal(build, own, snapshot(dup, 0), p, p.txHashes.map(() => undefined)), 3);
  // but a fair-ordered transaction never repeats, nor repeats a forced one
  for (const [why, fair] of [["repeats a forced one", [txs[2]!, txs[0]!]], ["repeats itself", [txs[2]!, txs[2]!]]] as const) {
    const slots = [...p.txHashes.slice(0, 3), ...fair];
    const again = { header: { ...p.header, txCount: BigInt(slots.length), txRoot: txRoot(slots, build.params.B) }, txHashes: slots };
    refuses(() => checkProposal(build, own, snapshot(dup, 0), again, slots.map(() => undefined)), "DUPLICATE_TRANSACTION", why);
  }
});

test("policy: the late-timeBase reordering attack is refused (a member never reports a time before what it saw)", () => {
  // The proposer wants B before A. Every honest member saw A at t and B at t + 50.
  // With timeBase after both, v1 members clamped both offsets to 0, the medians tied and txHash decided.
  const queue = new ForcedQueue();
  const t = Number(NOW_MS) - 10_000;
  const [A, B] = [txs[0]!, txs[1]!];
  const late = BigInt(t + 1_000);
  const p = propose({ queue, consumed: 0, forced: 0, txs: [B, A], timeBase: late });
  const seen = p.txHashes.map((h) => (h === A ? t : h === B ? t + 50 : undefined));
  refuses(() => checkProposal(build, own, snapshot(queue, 0), p, seen), "TIME_BASE_AFTER_RECEIVE", "timeBase after the member's receive time");
  // with a timeBase at or before what it saw, it signs
  const fair = propose({ queue, consumed: 0, forced: 0, txs: [A, B], timeBase: BigInt(t) });
  assert.equal(checkProposal(build, own, snapshot(queue, 0), fair, fair.txHashes.map((h) => (h === A ? t : t + 50))), 0);
});

test("rotation: a member signs only the current round's leader's proposal; another member, a forged signature or a past round is refused", () => {
  const queue = new ForcedQueue();
  const p = propose({ queue, consumed: 0, forced: 0, txs: txs.slice(0, 2), timeBase: NOW_MS - 5_000n });
  const hash = batchHash(p.header);
  const chain = snapshot(queue, 0);
  const leader = leaderOf(committee, 5n, 0n);
  const auth = (by: number, signer = by) => ({ leader: by, signature: signProposal(keys[signer]!, hash) });
  checkLeader(committee, p.header, hash, auth(leader), chain, ROUND_MS);
  const other = (leader + 1) % 4;
  refuses(() => checkLeader(committee, p.header, hash, auth(other), chain, ROUND_MS), "NOT_THE_LEADER", "a member that does not lead this round proposes");
  refuses(() => checkLeader(committee, p.header, hash, auth(leader, other), chain, ROUND_MS), "NOT_THE_LEADER", "another member's signature under the leader's name");
  const forOther = { leader, signature: signProposal(keys[leader]!, hash + 1n) };
  refuses(() => checkLeader(committee, p.header, hash, forOther, chain, ROUND_MS), "NOT_THE_LEADER", "the leader's signature on another header");
  // a report signature is not a proposal signature, and a proposal signature is not a report
  const report = signReport(keys[leader]!, leader, hash, new Array(build.params.B).fill(0));
  refuses(() => checkLeader(committee, p.header, hash, { leader, signature: report.signature }, chain, ROUND_MS), "NOT_THE_LEADER", "a report's signature as the proposal's");
  assert.equal(verifyProposal(committee.members[leader]!.publicKey, hash, auth(leader).signature), true);
  assert.equal(verifyReport(committee, hash, { ...report, signature: auth(leader).signature }), false, "a proposal signature never passes as a report");
  // an hour later by the chain's clock it is round 1: round 0's proposal is refused, even from its leader
  const later = { ...chain, nowMs: chain.nowMs + BigInt(ROUND_MS) };
  refuses(() => checkLeader(committee, p.header, hash, auth(leader), later, ROUND_MS), "ROUND_NOT_CURRENT", "a round that is over");
  // and a round that has not begun is refused too
  const early = propose({ queue, consumed: 0, forced: 0, txs: txs.slice(0, 2), timeBase: NOW_MS - 5_000n, round: 1n });
  const earlyLeader = leaderOf(committee, 5n, 1n);
  refuses(() => checkLeader(committee, early.header, batchHash(early.header), { leader: earlyLeader, signature: signProposal(keys[earlyLeader]!, batchHash(early.header)) }, chain, ROUND_MS), "ROUND_NOT_CURRENT", "a round not begun");
  checkLeader(committee, early.header, batchHash(early.header), { leader: earlyLeader, signature: signProposal(keys[earlyLeader]!, batchHash(early.header)) }, later, ROUND_MS);
});

test("policy: a stale transaction (received before the last batch's timeBase, left out by earlier leaders) is signable only under that timeBase, at offset 0", () => {
  const queue = new ForcedQueue();
  const chain = snapshot(queue, 0);
  const last = chain.lastTimeBase;
  const [S, A] = [txs[0]!, txs[1]!];
  const seenAt = (p: { txHashes: readonly bigint[] }) => p.txHashes.map((h) => (h === S ? Number(last) - 20_000 : h === A ? Number(last) + 500 : undefined));
  const at = propose({ queue, consumed: 0, forced: 0, txs: [S, A], timeBase: last });
  assert.equal(checkProposal(build, own, chain, at, seenAt(at)), 0);
  const times = memberReportTimes(0, seenAt(at), last, build.params.B);
  assert.equal(times[at.txHashes.indexOf(S)], 0, "reported first, at offset 0");
  assert.equal(times[at.txHashes.indexOf(A)], 500);
  // a later timeBase would clamp a fresh transaction's time too: refused
  const after = propose({ queue, consumed: 0, forced: 0, txs: [S, A], timeBase: last + 1_000n });
  refuses(() => checkProposal(build, own, chain, after, seenAt(after)), "TIME_BASE_AFTER_RECEIVE", "a timeBase past the last batch's with a stale transaction");
});

// ---- the HTTP node ----

async function node(db: string, chain: () => InboxSnapshot) {
  return createMemberNode({ key: keys[2]!, committees: (h) => (h === committee.hash ? committee : undefined), build: "dev", chain: async () => chain(), db, roundTimeoutMs: ROUND_MS });
}

/** The proposal of the header's leader (leaderOf), signed with its key. */
const leaderAuth = (header: BatchHeader) => {
  const leader = leaderOf(committee, header.batchNumber, header.round);
  return proposalAuthToJSON({ leader, signature: signProposal(keys[leader]!, batchHash(header)) });
};

const sign = (app: Awaited<ReturnType<typeof node>>["app"], header: BatchHeader, txHashes: readonly bigint[]) =>
  app.inject({ method: "POST", url: "/sign", payload: { header: headerToJSON(header), txHashes: txHashes.map(String), proposal: leaderAuth(header) } });

/** A live chain: its clock is now, round 0 of the next batch began a minute ago. */
const liveChain = (state: InboxSnapshot, change: Partial<InboxSnapshot> = {}): InboxSnapshot => ({ ...state, nowMs: BigInt(Date.now()), lastCommitteeBatchAt: BigInt(Math.floor(Date.now() / 1000) - 60), ...change });

test("member: takes raw transactions, serves them, signs one header per (batchNumber, round) even after a restart, and a new round's header", async () => {
  const db = join(await mkdtemp(join(tmpdir(), "zkseq-member-")), "member.db");
  const queue = new ForcedQueue();
  const state = snapshot(queue, 0);
  let m = await node(db, () => state);
  const t0 = Date.now();
  const body = { txs: raws.slice(0, 3).map(toHex) };
  assert.equal((await m.app.inject({ method: "POST", url: "/txs", payload: body })).json().received, 3);
  assert.equal((await m.app.inject({ method: "POST", url: "/txs", payload: body })).json().received, 0, "a transaction's first receive time is kept");
  const got = (await m.app.inject({ method: "GET", url: `/txs/0x${txs[1]!.toString(16)}` })).json();
  assert.equal(got.raw, toHex(raws[1]!), "the member serves the bytes it received");
  const times = (await m.app.inject({ method: "POST", url: "/times", payload: { txHashes: [...txs.slice(0, 3), 5n].map(String) } })).json().times as (number | null)[];
  assert.ok(times.slice(0, 3).every((t) => t !== null && t >= t0));
  assert.equal(times[3], null);

  // the chain's clock is the member's: timeBase within the drift of now
  let round = 0;
  const live = () => liveChain(state, { lastTimeBase: BigInt(t0 - 60_000), lastCommitteeBatchAt: BigInt(Math.floor(Date.now() / 1000) - 60 - round * (ROUND_MS / 1000)) });
  await m.app.close();
  m = await node(db, live);
  const p = propose({ queue, consumed: 0, forced: 0, txs: txs.slice(0, 3), timeBase: BigInt(t0 - 1000) });
  const res = await sign(m.app, p.header, p.txHashes);
  assert.equal(res.statusCode, 200, res.body);
  const report = reportFromJSON(res.json().report);
  assert.equal(report.memberIndex, 2);
  assert.ok(verifyReport(committee, batchHash(p.header), report));
  assert.ok(report.times.slice(0, 3).every((t) => t >= 1000 && t < 0xffffffff), "its own receive times, as offsets from timeBase");

  // the same header again: the same report, from disk
  assert.deepEqual(reportFromJSON((await sign(m.app, p.header, p.txHashes)).json().report), report);
  // another header for (5, round 0): refused, before and after a restart
  const other = propose({ queue, consumed: 0, forced: 0, txs: txs.slice(0, 2), timeBase: BigInt(t0 - 1000) });
  let conflict = await sign(m.app, other.header, other.txHashes);
  assert.equal(conflict.statusCode, 409);
  assert.equal(conflict.json().error, "REPORT_CONFLICT");
  await m.app.close();
  m = await node(db, live);
  conflict = await sign(m.app, other.header, other.txHashes);
  assert.equal(conflict.json().error, "REPORT_CONFLICT");
  // the same number in round 1 (an hour on, by the chain's clock): the new round's leader may re-propose
  round = 1;
  const round1 = propose({ queue, consumed: 0, forced: 0, txs: txs.slice(0, 2), timeBase: BigInt(t0 - 1000), round: 1n });
  assert.equal((await sign(m.app, round1.header, round1.txHashes)).statusCode, 200);
  const reports = (await m.app.inject({ method: "GET", url: "/reports" })).json().reports as { batchNumber: string; round: string }[];
  assert.deepEqual(reports.map((x) => `${x.batchNumber}/${x.round}`), ["5/0", "5/1"]);
  await m.app.close();
});

test("member: refuses malformed requests with a 4xx JSON error and signs nothing", async () => {
  const db = join(await mkdtemp(join(tmpdir(), "zkseq-member-")), "member.db");
  const queue = new ForcedQueue();
  const m = await node(db, () => liveChain(snapshot(queue, 0)));
  const p = propose({ queue, consumed: 0, forced: 0, txs: txs.slice(0, 2), timeBase: BigInt(Date.now() - 1000) });
  const post = (url: string, payload: unknown) => m.app.inject({ method: "POST", url, payload: payload as object });
  const cases: [string, Awaited<ReturnType<typeof sign>>, string][] = [
    ["bad JSON", await m.app.inject({ method: "POST", url: "/sign", headers: { "content-type": "application/json" }, payload: "{" }), "MALFORMED_JSON"],
    ["no body fields", await post("/txs", {}), "INVALID_ARGUMENT"],
    ["hashes instead of raw transactions", await post("/txs", { txHashes: ["1"] }), "INVALID_ARGUMENT"],
    ["odd hex", await post("/txs", { txs: ["0xabc"] }), "INVALID_TRANSACTION"],
    ["empty transaction", await post("/txs", { txs: ["0x"] }), "INVALID_TRANSACTION"],
    ["over maxTxBytes", await post("/txs", { txs: ["0x" + "ab".repeat(4097)] }), "INVALID_TRANSACTION"],
    ["a 4 MiB decimal number", await post("/times", { txHashes: ["9".repeat(1_000_000)] }), "INVALID_FIELD_ELEMENT"],
    ["an object where a number belongs", await post("/times", { txHashes: [{ toString: "1" }] }), "INVALID_FIELD_ELEMENT"],
    ["too many hashes", await post("/times", { txHashes: Array.from({ length: 1025 }, (_, i) => String(i)) }), "INVALID_ARGUMENT"],
    ["txRoot mismatch", await sign(m.app, p.header, [p.txHashes[1]!, p.txHashes[0]!]), "HEADER_MISMATCH"],
    ["a committee it is not in", await sign(m.app, { ...p.header, committeeHash: 1n }, p.txHashes), "INVALID_COMMITTEE"],
    ["another inbox", await sign(m.app, { ...p.header, inbox: 99n }, p.txHashes), "INVALID_ARGUMENT"],
    ["not the inbox's head", await sign(m.app, { ...p.header, prevBatchHash: 1n }, p.txHashes), "HEADER_NOT_LANDABLE"],
    ["more slots than B", await sign(m.app, p.header, Array.from({ length: 9 }, (_, i) => BigInt(i + 1))), "BATCH_TOO_LARGE"],
    ["round over 32 bits", await m.app.inject({ method: "POST", url: "/sign", payload: { header: { ...headerToJSON(p.header), round: String(1n << 32n) }, txHashes: p.txHashes.map(String), proposal: leaderAuth(p.header) } }), "INVALID_FIELD_ELEMENT"],
    ["no proposal signature", await m.app.inject({ method: "POST", url: "/sign", payload: { header: headerToJSON(p.header), txHashes: p.txHashes.map(String) } }), "INVALID_ARGUMENT"],
    ["unknown transaction", await m.app.inject({ method: "GET", url: "/txs/0x1234" }), "NOT_FOUND"],
  ];
  for (const [name, res, code] of cases) {
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${name}: ${res.statusCode} ${res.body}`);
    assert.equal(res.json().error, code, name);
  }
  assert.equal((await m.app.inject({ method: "GET", url: "/healthz" })).json().lastSigned, null, "nothing was signed");
  await m.app.close();
});

test("member: every malformed value on every route is a 4xx JSON error and changes nothing", async () => {
  const db = join(await mkdtemp(join(tmpdir(), "zkseq-member-")), "member.db");
  const queue = new ForcedQueue();
  const m = await node(db, () => liveChain(snapshot(queue, 0)));
  await m.app.inject({ method: "POST", url: "/txs", payload: { txs: raws.slice(0, 2).map(toHex) } });
  const p = propose({ queue, consumed: 0, forced: 0, txs: txs.slice(0, 2), timeBase: BigInt(Date.now() - 1000) });
  const header = headerToJSON(p.header);
  const txHashes = p.txHashes.map(String);
  const evil = { toString: "1" };
  const before = { pending: m.store.pendingCount(), reports: m.store.allSigned().length };
  const post = (url: string, payload: unknown) => m.app.inject({ method: "POST", url, headers: { "content-type": "application/json" }, payload: JSON.stringify(payload) });
  const cases: [string, Promise<Awaited<ReturnType<typeof post>>>][] = [
    ["/txs: null body", post("/txs", null)],
    ["/txs: an array body", post("/txs", [toHex(raws[3]!)])],
    ["/txs: txs an object", post("/txs", { txs: evil })],
    ["/txs: a transaction an object", post("/txs", { txs: [evil] })],
    ["/txs: a transaction a number", post("/txs", { txs: [12] })],
    ["/txs: 257 transactions in one request", post("/txs", { txs: Array.from({ length: 257 }, (_, i) => "0x" + i.toString(16).padStart(4, "0")) })],
    ["/txs: a body over the limit", post("/txs", { txs: ["0x" + "ab".repeat(1_200_000), "0x" + "cd".repeat(1_200_000)] })],
    ["/times: null body", post("/times", null)],
    ["/times: txHashes an object", post("/times", { txHashes: evil })],
    ["/times: a hash an object", post("/times", { txHashes: [evil] })],
    ["/times: a fractional hash", post("/times", { txHashes: [1.5] })],
    ["/times: a negative hash", post("/times", { txHashes: ["-1"] })],
    ["/times: a hash over 248 bits", post("/times", { txHashes: [(1n << 248n).toString()] })],
    ["/sign: null body", post("/sign", null)],
    ["/sign: a string body", post("/sign", "sign this")],
    ["/sign: header an object with toString", post("/sign", { header: evil, txHashes })],
    ["/sign: a header field an object", post("/sign", { header: { ...header, timeBase: evil }, txHashes })],
    ["/sign: a header field fractional", post("/sign", { header: { ...header, batchNumber: 5.5 }, txHashes })],
    ["/sign: a header field null", post("/sign", { header: { ...header, txRoot: null }, txHashes })],
    ["/sign: a header field 4 MiB of digits", post("/sign", { header: { ...header, prevBatchHash: "9".repeat(1_000_000) }, txHashes })],
    ["/sign: txHashes an object", post("/sign", { header, txHashes: evil })],
    ["/sign: a hash an object", post("/sign", { header, txHashes: [evil, txHashes[1]] })],
    ["/sign: a hash negative", post("/sign", { header, txHashes: ["-5", txHashes[1]], proposal: leaderAuth(p.header) })],
    ["/sign: proposal an object with toString", post("/sign", { header, txHashes, proposal: evil })],
    ["/sign: proposal leader fractional", post("/sign", { header, txHashes, proposal: { ...leaderAuth(p.header), leader: 1.5 } })],
    ["/sign: proposal signature S 4 MiB of digits", post("/sign", { header, txHashes, proposal: { ...leaderAuth(p.header), signature: { R8: ["1", "2"], S: "9".repeat(1_000_000) } } })],
    ["/txs/:hash: not a number", m.app.inject({ method: "GET", url: "/txs/xyz" })],
    ["/txs/:hash: 81 digits", m.app.inject({ method: "GET", url: `/txs/${"9".repeat(81)}` })],
  ];
  for (const [name, pending] of cases) {
    const res = await pending;
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${name}: ${res.statusCode} ${res.body}`);
    const body = res.json() as { error?: unknown; message?: unknown };
    assert.equal(typeof body.error, "string", `${name}: ${res.body}`);
    assert.equal(typeof body.message, "string", name);
  }
  assert.deepEqual({ pending: m.store.pendingCount(), reports: m.store.allSigned().length }, before, "nothing recorded, nothing signed");
  assert.equal((await m.app.inject({ method: "GET", url: "/healthz" })).json().lastSigned, null);
  await m.app.close();
});

test("member: the pool has a size limit and a per-client quota; a full pool refuses with MEMPOOL_FULL and evicts nobody", async () => {
  const db = join(await mkdtemp(join(tmpdir(), "zkseq-member-")), "member.db");
  const queue = new ForcedQueue();
  const m = createMemberNode({
    key: keys[2]!,
    committees: (h) => (h === committee.hash ? committee : undefined),
    build: "dev",
    chain: async () => liveChain(snapshot(queue, 0)),
    db,
    roundTimeoutMs: ROUND_MS,
    maxPendingTxs: 5,
    maxPendingPerClient: 3,
  });
  const r2 = rng(77);
  const more = Array.from({ length: 8 }, () => randomRawTx(r2));
  const from = (ip: string, batch: Uint8Array[]) => m.app.inject({ method: "POST", url: "/txs", remoteAddress: ip, payload: { txs: batch.map(toHex) } });
  const flooder = "10.0.0.66";
  const honest = "10.0.0.7";
  assert.equal((await from(flooder, more.slice(0, 3))).json().received, 3);
  // one request of many from the flooder: refused whole, with 429
  const over = await from(flooder, more.slice(3, 5));
  assert.equal(over.statusCode, 429, over.body);
  assert.equal(over.json().error, "MEMPOOL_FULL");
  assert.equal((await m.app.inject({ method: "GET", url: `/txs/0x${txHashOf(more[3]!).toString(16)}` })).statusCode, 404, "nothing of the refused request was recorded");
  // a repeat of what it holds is no new load
  assert.equal((await from(flooder, more.slice(0, 3))).json().received, 0);
  // another client still gets in, up to the pool's size; then 503, and nobody is pushed out
  assert.equal((await from(honest, more.slice(5, 7))).json().received, 2);
  const full = await from(honest, more.slice(7, 8));
  assert.equal(full.statusCode, 503, full.body);
  assert.equal(full.json().error, "MEMPOOL_FULL");
  for (const raw of more.slice(0, 3)) assert.equal((await m.app.inject({ method: "GET", url: `/txs/0x${txHashOf(raw).toString(16)}` })).statusCode, 200, "the flooder's earlier transactions are kept");
  // a signed report frees the slots of the transactions it covers
  const hs = more.slice(5, 7).map((x) => txHashOf(x));
  const p = propose({ queue, consumed: 0, forced: 0, txs: hs, timeBase: BigInt(Date.now() - 60_000) });
  assert.equal((await sign(m.app, p.header, p.txHashes)).statusCode, 200);
  assert.equal((await from(honest, more.slice(7, 8))).json().received, 1);
  await m.app.close();
});

test("member: without the chain it signs nothing (503 CHAIN_UNAVAILABLE), and signs once the chain answers again", async () => {
  const db = join(await mkdtemp(join(tmpdir(), "zkseq-member-")), "member.db");
  const queue = new ForcedQueue();
  let up = false;
  const m = await node(db, () => {
    if (!up) throw new Error("connect ECONNREFUSED 127.0.0.1:8545");
    return { ...liveChain(snapshot(queue, 0)) };
  });
  const p = propose({ queue, consumed: 0, forced: 0, txs: txs.slice(0, 2), timeBase: BigInt(Date.now() - 1000) });
  const down = await sign(m.app, p.header, p.txHashes);
  assert.equal(down.statusCode, 503, down.body);
  assert.equal(down.json().error, "CHAIN_UNAVAILABLE");
  assert.equal(m.store.allSigned().length, 0);
  up = true;
  assert.equal((await sign(m.app, p.header, p.txHashes)).statusCode, 200);
  await m.app.close();
});

test("member: a header that would make a pending transaction stale, or re-land one that landed, is refused; the leader's signature is checked before the chain is read", async () => {
  const db = join(await mkdtemp(join(tmpdir(), "zkseq-member-")), "member.db");
  const queue = new ForcedQueue();
  let chainReads = 0;
  const t0 = Date.now();
  const m = await node(db, () => {
    chainReads++;
    return liveChain(snapshot(queue, 0), { lastTimeBase: BigInt(t0 - 60_000) });
  });
  const r3 = rng(31);
  const [old, fresh, landedRaw] = [randomRawTx(r3), randomRawTx(r3), randomRawTx(r3)];
  const [O, F, L] = [old, fresh, landedRaw].map((x) => txHashOf(x));
  // O arrived 30 s ago and is pending; F just now; L landed in batch 4 (the member followed the inbox to batch 4)
  m.store.receive([{ txHash: O!, raw: old }], t0 - 30_000);
  m.store.receive([{ txHash: F!, raw: fresh }, { txHash: L!, raw: landedRaw }], t0);
  m.store.markLanded(4n, [L!]);

  // a leader leaving O out with a timeBase after it: O would be stale in the next batch (ordered by txHash), refused
  const skips = propose({ queue, consumed: 0, forced: 0, txs: [F!], timeBase: BigInt(t0 - 1_000) });
  const refused = await sign(m.app, skips.header, skips.txHashes);
  assert.equal(refused.statusCode, 400, refused.body);
  assert.equal(refused.json().error, "TIME_BASE_SKIPS_PENDING");
  // a transaction that landed already: refused
  const again = propose({ queue, consumed: 0, forced: 0, txs: [O!, F!, L!], timeBase: BigInt(t0 - 31_000) });
  assert.equal((await sign(m.app, again.header, again.txHashes)).json().error, "TX_ALREADY_LANDED");
  // a proposal signed by someone else than the round's leader: refused before any chain read
  const before = chainReads;
  const ok = propose({ queue, consumed: 0, forced: 0, txs: [O!, F!], timeBase: BigInt(t0 - 31_000) });
  const forged = await m.app.inject({ method: "POST", url: "/sign", payload: { header: headerToJSON(ok.header), txHashes: ok.txHashes.map(String), proposal: proposalAuthToJSON({ leader: leaderOf(committee, 5n, 0n), signature: signProposal(keys[3]!, batchHash(ok.header)) }) } });
  assert.equal(forged.json().error, "NOT_THE_LEADER");
  assert.equal(chainReads, before, "no chain read for a proposal the leader did not sign");
  // O included, timeBase at or before it: signed
  const res = await sign(m.app, ok.header, ok.txHashes);
  assert.equal(res.statusCode, 200, res.body);

  // POST /identity: the member's key signs a leader's nonce, so an endpoint cannot answer in another member's name
  const nonce = 123456789n;
  const id = (await m.app.inject({ method: "POST", url: "/identity", payload: { nonce: nonce.toString() } })).json() as { publicKey: string[]; signature: unknown };
  const sig = proposalAuthFromJSON({ leader: 0, signature: id.signature }).signature;
  assert.ok(verifyIdentity([BigInt(id.publicKey[0]!), BigInt(id.publicKey[1]!)], nonce, sig));
  assert.ok(!verifyIdentity(committee.members[1]!.publicKey, nonce, sig), "not another member's");
  assert.ok(!verifyProposal(committee.members[2]!.publicKey, nonce, sig), "an identity signature is not a proposal signature");
  assert.equal((await m.app.inject({ method: "POST", url: "/identity", payload: { nonce: { toString: "1" } } })).statusCode, 400);
  await m.app.close();
});

test("member: the chain is not optional: zkseq member refuses to start without --rpc (a member always follows the inbox's head)", async () => {
  const bin = fileURLToPath(new URL("../bin/zkseq.mjs", import.meta.url));
  const r = await promisify(execFile)(process.execPath, [bin, "member", "--keystore", "member.keystore.json", "--inbox", "0x" + "11".repeat(20)]).then(
    () => ({ code: 0, stderr: "" }),
    (e: { code: number; stderr: string }) => e,
  );
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /required option '--rpc <url>' not specified/);
});
