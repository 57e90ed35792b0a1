/**
 * One faulty member never stops the others. Every answer from another member
 * is validated on its own (proposer/memberAnswers.ts); a bad one drops that
 * member for the round, and timeBase comes from the chosen signers' validated
 * times only. Then three honest member nodes, each with its proposer role,
 * and one faulty HTTP endpoint holding leaf 0's key (a fractional time,
 * `null`, a receive time of 1 ms, a malformed report, a report that
 * contradicts its stated times, a signer whose stated times decide the order
 * and whose report then contradicts them), on Hardhat's in-process network
 * mining on a timer: the leaders rotate, the faulty member's turns are
 * skipped after one round, a leader whose prover does not answer proves with
 * its own pool, and every batch is signed by the honest three, proven and
 * finalized on L1. And the stateless gateway: every malformed
 * value is a 4xx JSON error and nothing is forwarded.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { pino } from "pino";
import { AnswerFaults, chooseSigners, parseSignAnswer, parseTimesAnswer, type TimesAnswer } from "../proposer/memberAnswers.js";
import { Proposer, type ProposerProgress } from "../proposer/proposer.js";
import { createGateway } from "../gateway/gateway.js";
import { signIdentity } from "../src/proposal.js";
import { InboxClient } from "../src/chain/inboxClient.js";
import { createMemberNode } from "../member/memberNode.js";
import { CommitteeDirectory, readInboxSnapshot } from "../member/inboxSnapshot.js";
import { createProver } from "../prover/prover.js";
import { createProverServer } from "../prover/httpServer.js";
import { ProverClient } from "../prover/proverClient.js";
import { getBatchBuild } from "../src/builds.js";
import { NEVER_SEEN } from "../src/field.js";
import { batchHash, headerFromJSON } from "../src/header.js";
import { signReport } from "../src/report.js";
import { reportToJSON } from "../src/batchFile.js";
import { toHex } from "../src/service.js";
import { txHashOf } from "../src/txHash.js";
import { MemberAnswerError } from "../src/errors.js";
import type { MemberKey } from "../src/keys.js";
import { makeCommittee, rng, randomRawTx, testKey } from "./helpers/fixtures.js";
import { keysInLeafOrder, setUpChain } from "./helpers/chainFixture.js";

const build = getBatchBuild("dev");
const { Q, B } = build.params;
const NOW = 1_750_000_000_000;
const window = { lastTimeBase: BigInt(NOW - 60_000), nowMs: NOW, maxAheadMs: 30_000 };

function malformed(fn: () => unknown, kind: MemberAnswerError["kind"], why: string): void {
  assert.throws(fn, (e: unknown) => e instanceof MemberAnswerError && e.kind === kind && e.code === "BAD_MEMBER_ANSWER", why);
}

test("answers: a /times answer that is not integers in range, one per candidate, is dropped", () => {
  assert.deepEqual(parseTimesAnswer(1, { times: [NOW, null, NOW + 5] }, 3), { member: 1, times: [NOW, null, NOW + 5], earliest: NOW, latest: NOW + 5 });
  const bad: [string, unknown][] = [
    ["null", null],
    ["a string", "times"],
    ["an array", [NOW, NOW, NOW]],
    ["times not an array", { times: { toString: "1" } }],
    ["a fractional time", { times: [NOW, 1.5, NOW] }],
    ["a time as a string", { times: [NOW, String(NOW), NOW] }],
    ["a time as an object", { times: [NOW, { toString: "1" }, NOW] }],
    ["a negative time", { times: [NOW, -1, NOW] }],
    ["a time past 2^48", { times: [NOW, 2 ** 48, NOW] }],
    ["a huge time", { times: [NOW, 1e300, NOW] }],
    ["too few times", { times: [NOW, NOW] }],
    ["too many times", { times: [NOW, NOW, NOW, NOW] }],
  ];
  for (const [why, body] of bad) malformed(() => parseTimesAnswer(0, body, 3), "malformed", why);
});

const answer = (member: number, times: (number | null)[]): TimesAnswer => parseTimesAnswer(member, { times }, times.length);

test("answers: signers and timeBase come from the times most members share; one outlier never pins timeBase", () => {
  const honest = [1, 2, 3].map((m) => answer(m, [NOW - 900 + m, NOW - 500 + m, null]));
  // a member claiming a receive time of 1 ms: with it, every honest offset would overflow u32
  const early = answer(0, [1, 1, 1]);
  const genesis = { ...window, lastTimeBase: 0n };
  const c = chooseSigners([early, ...honest], Q, genesis)!;
  assert.deepEqual(c.signers.map((s) => s.member), [1, 2, 3]);
  assert.equal(c.timeBase, BigInt(NOW - 899), "the earliest time of the members that share one");
  assert.match(c.skipped.find((s) => s.member === 0)!.reason, /more than 2\^32 ms before the clock/);
  // nor when the members that would outvote it have not seen the transactions yet
  const unseen = chooseSigners([early, honest[0]!, answer(2, [null, null, null]), answer(3, [null, null, null])], Q, genesis)!;
  assert.deepEqual(unseen.signers.map((s) => s.member), [1, 2, 3]);
  // an early time that still fits u32 offsets to now only moves timeBase back: every honest member can still sign
  const old = chooseSigners([answer(0, [NOW - 40 * 86_400_000, null, null]), ...honest], Q, genesis)!;
  assert.equal(old.timeBase, BigInt(NOW - 40 * 86_400_000));
  assert.ok(honest.every((h) => h.latest! - Number(old.timeBase) < NEVER_SEEN));
  // after genesis, a time before the last batch's timeBase is stale: it counts as offset 0, and timeBase is the last batch's
  // (the earliest the inbox allows), so the 1-ms claim pins nothing and every honest member still fits
  const after = chooseSigners([early, ...honest], Q, window)!;
  assert.deepEqual(after.signers.map((s) => s.member), [1, 2, 3]);
  assert.match(after.skipped.find((s) => s.member === 0)!.reason, /more than 2\^32 ms before the clock/);
  const staleClaim = chooseSigners([answer(0, [Number(window.lastTimeBase) - 3_600_000, null, null]), ...honest], Q, window)!;
  assert.equal(staleClaim.timeBase, window.lastTimeBase, "a plausible time before the last timeBase moves timeBase no further back than the inbox allows");
  assert.ok(honest.every((h) => h.latest! - Number(staleClaim.timeBase) < NEVER_SEEN));
  // a transaction every member saw before the last batch's timeBase (left out by an earlier leader) can still be ordered
  const stale = chooseSigners([1, 2, 3].map((m) => answer(m, [Number(window.lastTimeBase) - 5_000 + m, NOW - 500])), Q, window)!;
  assert.deepEqual(stale.signers.map((s) => s.member), [1, 2, 3]);
  assert.equal(stale.timeBase, window.lastTimeBase);
  // times ahead of the clock are skipped
  const future = chooseSigners([answer(0, [NOW + 3_600_000, null, null]), ...honest], Q, window)!;
  assert.deepEqual(future.signers.map((s) => s.member), [1, 2, 3]);
  // a member that is merely a little early or late is a signer like the others (the median absorbs it), and timeBase is at or before all
  const skewed = chooseSigners([answer(0, [NOW - 4_000, NOW - 3_000, null]), ...honest], Q, window)!;
  assert.deepEqual(skewed.signers.map((s) => s.member), [0, 1, 2]);
  assert.equal(skewed.timeBase, BigInt(NOW - 4_000));
  // a member that saw nothing can sign (timeBase then from the others, or the clock)
  assert.deepEqual(chooseSigners([answer(0, [null, null, null]), ...honest.slice(0, 2)], Q, window)!.signers.map((s) => s.member), [0, 1, 2]);
  assert.equal(chooseSigners([0, 1, 2].map((m) => answer(m, [null])), Q, window)!.timeBase, BigInt(NOW - 1));
  // a distrusted member is not chosen; fewer than Q usable answers choose nobody
  assert.deepEqual(chooseSigners([answer(0, [NOW - 800, null, null]), ...honest], Q, window, new Set([0]))!.signers.map((s) => s.member), [1, 2, 3]);
  assert.equal(chooseSigners([early, ...honest.slice(0, 2)], Q, genesis), undefined);
});

test("answers: a /sign answer must be this member's report on this proposal, signed with its key", () => {
  const { committee, keys } = makeCommittee({ size: 4, depth: 2, threshold: 3n, salt: "answers" });
  const hash = 12345n;
  const times = [NEVER_SEEN, 10, 20, ...Array<number>(B - 3).fill(NEVER_SEEN)]; // one forced slot, two fair, padding
  const ctx = { committee, batchHash: hash, txCount: 3, forcedCount: 1, B };
  const good = reportToJSON(signReport(keys[1]!, 1, hash, times));
  assert.deepEqual(parseSignAnswer(1, { report: good }, { ...ctx, expectedTimes: times }).times, times);
  const signed = (key: MemberKey, index: number, t: number[], h = hash) => ({ report: reportToJSON(signReport(key, index, h, t)) });
  malformed(() => parseSignAnswer(1, null, ctx), "malformed", "null");
  malformed(() => parseSignAnswer(1, { report: { toString: "1" } }, ctx), "malformed", "a report that is not one");
  malformed(() => parseSignAnswer(1, { report: { ...good, times: good.times.map((t, i) => (i === 1 ? 1.5 : t)) } }, ctx), "malformed", "a fractional time");
  malformed(() => parseSignAnswer(1, { report: { ...good, times: good.times.slice(1) } }, ctx), "malformed", "B - 1 times");
  malformed(() => parseSignAnswer(1, { report: { ...good, signature: { ...good.signature, S: "9".repeat(100) } } }, ctx), "malformed", "a 100-digit number");
  malformed(() => parseSignAnswer(1, { report: { ...good, times: good.times.map((t, i) => (i === 1 ? 2 ** 32 : t)) } }, ctx), "malformed", "a time over u32");
  malformed(() => parseSignAnswer(1, signed(keys[2]!, 2, times), ctx), "bad-report", "another member's report");
  malformed(() => parseSignAnswer(1, signed(keys[2]!, 1, times), ctx), "bad-report", "signed with another key");
  malformed(() => parseSignAnswer(1, signed(keys[1]!, 1, times, hash + 1n), ctx), "bad-report", "a report on another batch");
  malformed(() => parseSignAnswer(1, signed(keys[1]!, 1, times.map((t, i) => (i === 0 ? 5 : t))), ctx), "bad-report", "a time on a forced slot");
  malformed(() => parseSignAnswer(1, signed(keys[1]!, 1, times.map((t, i) => (i === 5 ? 5 : t))), ctx), "bad-report", "a time on a padding slot");
  malformed(() => parseSignAnswer(1, signed(keys[1]!, 1, times.map((t, i) => (i === 2 ? 21 : t))), { ...ctx, expectedTimes: times }), "bad-report", "not the times it stated");
  malformed(() => parseSignAnswer(1, signed(keys[1]!, 1, times.map((t, i) => (i === 2 ? NEVER_SEEN : t))), { ...ctx, expectedTimes: times }), "bad-report", "a time it stated, now unseen");
  // a transaction it had not seen when asked, and has now: no contradiction (the witness check still decides the order)
  const unseenThen = times.map((t, i) => (i === 2 ? NEVER_SEEN : t));
  assert.deepEqual(parseSignAnswer(1, { report: good }, { ...ctx, expectedTimes: unseenThen }).times, times);
  const faults = new AnswerFaults();
  faults.record(1, "malformed", "x");
  faults.record(1, "malformed", "y");
  assert.deepEqual(faults.toJSON(), { "1": { malformed: 2 } });
});

// ---- three honest member nodes with their proposer roles and a faulty endpoint, on the chain ----

type Fault = "one-ms" | "fraction" | "null" | "malformed-report" | "contradicting-report" | "reordering-signer";

/** A member endpoint holding leaf `index`'s key that answers each request with the current fault (it records receive times like a member). */
async function faultyMember(key: MemberKey, index: number): Promise<{ app: FastifyInstance; url: string; fault: { now: Fault; late: Set<string> } }> {
  const fault = { now: "one-ms" as Fault, late: new Set<string>() };
  const seen = new Map<string, number>();
  const app = Fastify();
  app.get("/healthz", async () => ({ ok: true, publicKey: key.publicKey.map(String) }));
  app.post("/identity", async (req) => {
    const sig = signIdentity(key, BigInt((req.body as { nonce: string }).nonce));
    return { publicKey: key.publicKey.map(String), signature: { R8: sig.R8.map(String), S: sig.S.toString() } };
  });
  app.post("/txs", async (req) => {
    const txs = (req.body as { txs: string[] }).txs;
    for (const t of txs) {
      const h = txHashOf(Uint8Array.from(Buffer.from(t.slice(2), "hex"))).toString();
      if (!seen.has(h)) seen.set(h, Date.now());
    }
    return { received: txs.length };
  });
  app.post("/times", async (req, reply) => {
    const hashes = (req.body as { txHashes: string[] }).txHashes.map((h) => BigInt(h).toString());
    const honest = hashes.map((h) => seen.get(h) ?? null);
    switch (fault.now) {
      case "one-ms":
        return { times: hashes.map(() => 1) };
      case "fraction":
        return { times: honest.map((t) => (t === null ? null : t + 0.5)) };
      case "null":
        return reply.type("application/json").send("null");
      case "reordering-signer":
        // plausible times that put the `late` transactions 10 s later than it saw them
        return { times: honest.map((t, i) => (t === null ? null : fault.late.has(hashes[i]!) ? t + 10_000 : t)) };
      default:
        return { times: honest };
    }
  });
  app.post("/sign", async (req, reply) => {
    const body = req.body as { header: unknown; txHashes: string[] };
    const header = headerFromJSON(body.header);
    const hash = batchHash(header);
    switch (fault.now) {
      case "null":
      case "one-ms":
        return reply.type("application/json").send("null");
      case "fraction":
        return { report: { ...reportToJSON(signReport(key, index, hash, Array<number>(B).fill(NEVER_SEEN))), times: Array<number>(B).fill(0.5) } };
      case "malformed-report":
        return { report: { memberIndex: index, times: { toString: "1" }, signature: null } };
      case "contradicting-report":
      case "reordering-signer": {
        // a validly signed report, but with times it never stated: it would reorder the batch if it were believed
        const k = Number(header.forcedTo - header.forcedFrom);
        const times = Array.from({ length: B }, (_, i) => (i >= k && i < body.txHashes.length ? (body.txHashes.length - i) * 1000 : NEVER_SEEN));
        return { report: reportToJSON(signReport(key, index, hash, times)) };
      }
    }
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, url, fault };
}

test("proposers: three honest members and one faulty endpoint: leaders rotate, and every batch is signed by the honest three, proven and finalized on L1", { timeout: 900_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "zkseq-faults-"));
  const made = Array.from({ length: 4 }, (_, i) => testKey(i, "proposer-faults"));
  const fx = await setUpChain({ forceDelay: 600n, maxStall: 3600n }, made.map((k) => k.publicKey));
  const committee = fx.deployment.genesisCommittee;
  const keys = keysInLeafOrder(committee, made);
  const directory = new CommitteeDirectory(fx.inbox, build.params.D);
  await directory.refresh();
  // the chain makes blocks on a timer: rounds advance with its clock
  await fx.testClient.setAutomine(false);
  await fx.testClient.request({ method: "evm_setIntervalMining", params: [500] } as never); // ms (viem's setIntervalMining takes seconds)
  const ROUND_MS = 8000;
  const cleanups: (() => Promise<unknown>)[] = [async () => fx.testClient.request({ method: "evm_setIntervalMining", params: [0] } as never), async () => fx.testClient.setAutomine(true)];
  const log = pino({ level: "info" }, process.env.ZKSEQ_TEST_LOG ? pino.destination(2) : pino.destination("/dev/null"));
  try {
    // member 0 is the faulty endpoint with leaf 0's key; members 1..3 are real member nodes, each with its proposer role
    const faulty = await faultyMember(keys[0]!, 0);
    cleanups.push(() => faulty.app.close());
    const devFiles = { id: "dev", wasm: fx.artifacts.wasm, zkey: fx.artifacts.zkey, verificationKey: fx.artifacts.verificationKey, witnessCalculator: fx.artifacts.witnessCalculator };
    const prover = await createProver({
      artifacts: { dev: devFiles },
      db: join(dir, "prover.db"),
      workers: 1,
    });
    const proverApp = createProverServer(prover);
    const proverUrl = await proverApp.listen({ port: 0, host: "127.0.0.1" });
    cleanups.push(async () => {
      await proverApp.close();
      await prover.close();
    });
    const nodes = [1, 2, 3].map((i) =>
      createMemberNode({ key: keys[i]!, committees: (h) => directory.cached(h), build: "dev", chain: () => readInboxSnapshot(fx.inbox, build.params.F + 1), db: join(dir, `member-${i}.db`), roundTimeoutMs: ROUND_MS }),
    );
    const urls = await Promise.all(nodes.map((n) => n.app.listen({ port: 0, host: "127.0.0.1" })));
    const all = [faulty.url, ...urls];
    const wallets = [fx.wallet, fx.other, fx.reporter];
    const progress: ProposerProgress[] = [];
    const waiters: { batchNumber: bigint; resolve: () => void }[] = [];
    const proposers = nodes.map((node, j) => {
      const proposer = new Proposer({
        build: "dev",
        key: keys[j + 1]!,
        committees: directory,
        peers: all.filter((u) => u !== urls[j]),
        local: node,
        inbox: new InboxClient({ address: fx.deployment.inbox, client: fx.client, wallet: wallets[j]! }),
        // member 3's prover never answers: it proves the batches it leads with its own pool
        prover: new ProverClient(j === 2 ? "http://127.0.0.1:9" : proverUrl),
        ...(j === 2 ? { localProver: () => createProver({ artifacts: { dev: devFiles }, db: join(dir, "member-3.prover.db"), workers: 1 }) } : {}),
        db: join(dir, `member-${j + 1}.db`),
        roundTimeoutMs: ROUND_MS,
        maxBatchWaitMs: 200,
        memberTimeoutMs: 10_000,
        pollMs: 100,
        logger: log,
      });
      proposer.on("progress", (p) => {
        progress.push(p);
        if (process.env.ZKSEQ_TEST_LOG) console.error("progress", p.batchNumber, p.round, p.leader, p.stage, p.signers ?? "", p.detail ?? "");
        if (p.stage === "finalized") for (const w of waiters.filter((w) => w.batchNumber === p.batchNumber)) w.resolve();
      });
      cleanups.push(() => proposer.close());
      proposer.start();
      return proposer;
    });
    for (const n of nodes) cleanups.push(() => n.app.close());
    const finalized = (batchNumber: bigint) => new Promise<void>((resolve) => waiters.push({ batchNumber, resolve }));
    const faultCount = (kind: string) => proposers.reduce((sum, p) => sum + p.faults.count(0, kind), 0);
    /** Sends raw transactions to every member, as a wallet does. */
    const send = (raws: Uint8Array[]) => Promise.all(all.map((u) => fetch(`${u}/txs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ txs: raws.map(toHex), gossip: true }) })));

    const r = rng(808);
    const faults: [Fault, string][] = [
      ["one-ms", "implausible"],
      ["fraction", "malformed"],
      ["null", "malformed"],
      ["malformed-report", "malformed"],
      ["contradicting-report", "bad-report"],
    ];
    for (const [i, [fault, kind]] of faults.entries()) {
      const batchNumber = BigInt(i + 1);
      faulty.fault.now = fault;
      const raws = Array.from({ length: 3 }, () => randomRawTx(r));
      const done = finalized(batchNumber);
      await send(raws);
      await done;

      const landed = progress.find((p) => p.batchNumber === batchNumber && p.stage === "finalized")!;
      assert.notEqual(landed.leader, 0, `${fault}: the faulty member never leads a landed batch`);
      const signed = progress.filter((p) => p.batchNumber === batchNumber && p.stage === "signed" && p.round === landed.round);
      assert.deepEqual(signed.map((p) => p.signers), [[1, 2, 3]], `${fault}: the honest three signed`);
      const onL1 = (await fx.inbox.finalizedBatches()).find((b) => b.batchNumber === batchNumber);
      assert.ok(onL1 && !onL1.forcedOnly, `${fault}: batch ${batchNumber} finalized on L1 with its proof`);
      for (const raw of raws) {
        const h = txHashOf(raw);
        for (const n of nodes) for (let t = 0; t < 50 && n.store.landedIn(h) === undefined; t++) await new Promise((res) => setTimeout(res, 100));
        for (const n of nodes) assert.equal(n.store.landedIn(h), batchNumber, `${fault}: every member followed the transaction into batch ${batchNumber}`);
      }
      assert.ok(faultCount(kind) > 0, `${fault}: member 0's ${kind} answer was counted`);
    }
    // batch 4's round 0 belongs to member 0 (4 mod 4): it proposed nothing, and round 1's leader landed the batch
    const four = progress.find((p) => p.batchNumber === 4n && p.stage === "finalized")!;
    assert.ok(four.round >= 1n, `batch 4 landed in round ${four.round}`);
    for (const p of proposers) {
      // a slow answer on a loaded machine is "unreachable", never a fault of its content
      for (const m of [1, 2, 3]) for (const kind of ["malformed", "implausible", "bad-report"]) assert.equal(p.faults.count(m, kind), 0, `member ${m} counted ${kind}`);
    }
    // batch 3 (3 mod 4) is member 3's: its prover did not answer, and its own pool proved the batch that landed
    assert.ok(progress.some((p) => p.leader === 3 && p.stage === "local-prover"), "member 3 fell back to its own pool");
    assert.ok(progress.some((p) => p.leader === 3 && p.stage === "finalized"), "a batch member 3 led and proved itself landed");
    const health = (await nodes[0]!.app.inject({ method: "GET", url: "/healthz" })).json();
    assert.equal(health.followedTo, String(faults.length), "the member followed the inbox");

    // A signer whose times decide the order, and whose report then contradicts them. The honest members saw A and B in
    // different orders: members 3 and 1 saw B first, member 2 saw A first (so the honest three's medians put B first).
    // Member 0 states times that, with members 1 and 2, put A first; the proposal is ordered A, B; then member 0 signs other times.
    const [A, Bt] = [randomRawTx(r), randomRawTx(r)];
    const tick = () => {
      const t = Date.now();
      while (Date.now() === t); // the next millisecond: two arrivals never share a receive time
    };
    faulty.fault.now = "reordering-signer";
    faulty.fault.late = new Set([txHashOf(Bt).toString()]);
    const number = BigInt(faults.length + 1);
    const done = finalized(number);
    for (const [url, order] of [[urls[2]!, [Bt, A]], [urls[0]!, [Bt, A]], [urls[1]!, [A, Bt]], [faulty.url, [A, Bt]]] as const) {
      for (const raw of order) {
        tick();
        await fetch(`${url}/txs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ txs: [toHex(raw)], gossip: true }) });
      }
    }
    await done;
    const landed = progress.find((p) => p.batchNumber === number && p.stage === "finalized")!;
    const signedIn = progress.filter((p) => p.batchNumber === number && p.stage === "signed" && p.round === landed.round);
    assert.deepEqual(signedIn.map((p) => p.signers), [[1, 2, 3]], "the landed round was signed by the honest three");
    const leaderStore = proposers[landed.leader - 1]!.store;
    const final = leaderStore.get(number, landed.round)!;
    assert.deepEqual(final.batch.txHashes.map(BigInt), [txHashOf(Bt), txHashOf(A)], "in the honest members' order: B first");
    assert.ok(faultCount("bad-report") >= 2);
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
});

test("gateway: every malformed value is a 4xx JSON error and nothing is forwarded; with no member up it answers 503 TX_NOT_ACCEPTED", async () => {
  const got: unknown[] = [];
  const member = Fastify();
  member.post("/txs", async (req) => {
    got.push(req.body);
    return { received: 1 };
  });
  member.get("/txs/:hash", async () => ({ batchNumber: "7" }));
  member.get("/healthz", async () => ({ ok: true }));
  const url = await member.listen({ port: 0, host: "127.0.0.1" });
  const gateway = createGateway({ members: [url, "http://127.0.0.1:9"], memberTimeoutMs: 2000 });
  const dead = createGateway({ members: ["http://127.0.0.1:9"], memberTimeoutMs: 2000 });
  try {
    const evil = { toString: "1" };
    const post = (payload: unknown) => gateway.inject({ method: "POST", url: "/txs", headers: { "content-type": "application/json" }, payload: JSON.stringify(payload) });
    const cases: [string, ReturnType<typeof post>][] = [
      ["null body", post(null)],
      ["txs an object", post({ txs: evil })],
      ["a transaction an object", post({ txs: [evil] })],
      ["a transaction not hex", post({ txs: ["0xzz"] })],
      ["257 transactions", post({ txs: Array.from({ length: 257 }, (_, i) => "0x" + i.toString(16).padStart(4, "0")) })],
      ["a body over the limit", post({ txs: ["0x" + "ab".repeat(1_200_000), "0x" + "cd".repeat(1_200_000)] })],
      ["a transaction hash that is not a number", gateway.inject({ method: "GET", url: "/txs/xyz" })],
      ["a 90-digit transaction hash", gateway.inject({ method: "GET", url: `/txs/${"9".repeat(90)}` })],
    ];
    for (const [name, pending] of cases) {
      const res = await pending;
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${name}: ${res.statusCode} ${res.body}`);
      assert.equal(typeof res.json().error, "string", name);
    }
    assert.equal(got.length, 0, "nothing was forwarded");
    const raw = randomRawTx(rng(3));
    const ok = await post({ txs: [toHex(raw)] });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { accepted: 1, members: 1 }, "one of two members took it: enough");
    assert.deepEqual(got, [{ txs: [toHex(raw)] }]);
    assert.equal((await gateway.inject({ method: "GET", url: `/txs/0x${txHashOf(raw).toString(16)}` })).json().batchNumber, "7");
    const none = await dead.inject({ method: "POST", url: "/txs", payload: { txs: [toHex(raw)] } });
    assert.equal(none.statusCode, 503, none.body);
    assert.equal(none.json().error, "TX_NOT_ACCEPTED");
  } finally {
    await gateway.close();
    await dead.close();
    await member.close();
  }
});
