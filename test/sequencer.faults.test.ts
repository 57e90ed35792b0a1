/**
 * One faulty member never stops the others. Every answer from another member
 * is validated on its own (sequencer/memberAnswers.ts); a bad one drops that
 * member for the round, and timeBase comes from the chosen signers' validated
 * times only. Then a real sequencer on Hardhat's in-process network with three
 * honest member nodes and one faulty HTTP endpoint (a fractional time, `null`,
 * a receive time of 1 ms, a malformed report, a report that contradicts its
 * stated times, a signer whose stated times decide the order and whose report
 * then contradicts them: re-proposed in the next round without it) gets every
 * batch signed, proven and finalized on L1. And the
 * sequencer's own API: every malformed value is a 4xx JSON error, and its
 * mempool has a size limit and a per-client quota.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { pino } from "pino";
import { AnswerFaults, chooseSigners, parseSignAnswer, parseTimesAnswer, type TimesAnswer } from "../sequencer/memberAnswers.js";
import { Sequencer, type BatchProgress } from "../sequencer/sequencer.js";
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
  // after genesis, a time before the last batch's timeBase is skipped outright (no timeBase the inbox accepts is at or before it)
  const after = chooseSigners([early, ...honest], Q, window)!;
  assert.deepEqual(after.signers.map((s) => s.member), [1, 2, 3]);
  assert.match(after.skipped.find((s) => s.member === 0)!.reason, /before the last batch's timeBase/);
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

// ---- a real sequencer, 3 honest members and a faulty one, on the chain ----

type Fault = "one-ms" | "fraction" | "null" | "malformed-report" | "contradicting-report" | "reordering-signer";

/** A member endpoint holding leaf `index`'s key that answers each request with the current fault (it records receive times like a member). */
async function faultyMember(key: MemberKey, index: number): Promise<{ app: FastifyInstance; url: string; fault: { now: Fault; late: Set<string> } }> {
  const fault = { now: "one-ms" as Fault, late: new Set<string>() };
  const seen = new Map<string, number>();
  const app = Fastify();
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

test("sequencer: three honest members and one faulty endpoint: every batch is signed by the honest three, proven and finalized on L1", { timeout: 600_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "zkseq-faults-"));
  const made = Array.from({ length: 4 }, (_, i) => testKey(i, "sequencer-faults"));
  const fx = await setUpChain({ forceDelay: 600n, maxStall: 3600n }, made.map((k) => k.publicKey));
  const committee = fx.deployment.genesisCommittee;
  const keys = keysInLeafOrder(committee, made);
  const directory = new CommitteeDirectory(fx.inbox, build.params.D);
  await directory.refresh();
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    // members 1..3 are real member nodes reading the chain; member 0 is the faulty endpoint with leaf 0's key
    const faulty = await faultyMember(keys[0]!, 0);
    cleanups.push(() => faulty.app.close());
    const honest = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const node = createMemberNode({
          key: keys[i]!,
          committees: (h) => directory.cached(h),
          build: "dev",
          chain: () => readInboxSnapshot(fx.inbox, build.params.F + 1),
          db: join(dir, `member-${i}.db`),
        });
        cleanups.push(() => node.app.close());
        return node.app.listen({ port: 0, host: "127.0.0.1" });
      }),
    );
    const prover = await createProver({
      artifacts: { dev: { id: "dev", wasm: fx.artifacts.wasm, zkey: fx.artifacts.zkey, verificationKey: fx.artifacts.verificationKey, witnessCalculator: fx.artifacts.witnessCalculator } },
      db: join(dir, "prover.db"),
      workers: 1,
    });
    const proverApp = createProverServer(prover);
    const proverUrl = await proverApp.listen({ port: 0, host: "127.0.0.1" });
    cleanups.push(async () => {
      await proverApp.close();
      await prover.close();
    });
    const sequencer = new Sequencer({
      build: "dev",
      committees: directory,
      members: [faulty.url, ...honest].map((url, index) => ({ index, url })),
      inbox: fx.inbox,
      prover: new ProverClient(proverUrl),
      db: join(dir, "sequencer.db"),
      maxBatchWaitMs: 200,
      memberTimeoutMs: 10_000,
      pollMs: 50,
      // what it skipped and why, for a failure's report (ZKSEQ_TEST_LOG=1 prints it as it goes)
      logger: pino({ level: "info" }, process.env.ZKSEQ_TEST_LOG ? pino.destination(2) : pino.destination("/dev/null")),
    });
    cleanups.push(() => sequencer.app.close());
    const progress: BatchProgress[] = [];
    const waiters: { batchNumber: bigint; resolve: () => void }[] = [];
    sequencer.on("batch", (p) => {
      progress.push(p);
      if (process.env.ZKSEQ_TEST_LOG) console.error("progress", p.batchNumber, p.round, p.stage, p.signers ?? "", p.detail ?? "");
      if (p.stage === "finalized") for (const w of waiters.filter((w) => w.batchNumber === p.batchNumber)) w.resolve();
    });
    const finalized = (batchNumber: bigint) => new Promise<void>((resolve) => waiters.push({ batchNumber, resolve }));
    sequencer.start();

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
      await fx.testClient.mine({ blocks: 1 }); // the chain's clock: a fresh block, so timeBase is within its drift
      const raws = Array.from({ length: 3 }, () => randomRawTx(r));
      const done = finalized(batchNumber);
      const res = await sequencer.app.inject({ method: "POST", url: "/txs", payload: { txs: raws.map(toHex) } });
      assert.equal(res.json().accepted, 3, res.body);
      await done;

      const signed = progress.filter((p) => p.batchNumber === batchNumber && p.stage === "signed");
      assert.equal(signed.length, 1, `${fault}: signed once`);
      assert.deepEqual(signed[0]!.signers, [1, 2, 3], `${fault}: the honest three signed`);
      const landed = (await fx.inbox.finalizedBatches()).find((b) => b.batchNumber === batchNumber);
      assert.ok(landed && !landed.forcedOnly, `${fault}: batch ${batchNumber} finalized on L1 with its proof`);
      for (const raw of raws) assert.equal(sequencer.store.txBatch(txHashOf(raw)), batchNumber, `${fault}: every transaction landed`);
      assert.ok(sequencer.faults.count(0, kind) > 0, `${fault}: member 0's ${kind} answer was counted (${JSON.stringify(sequencer.faults.toJSON())})`);
    }
    const health = (await sequencer.app.inject({ method: "GET", url: "/healthz" })).json();
    assert.ok(health.memberFaults["0"], "the faults are on /healthz");
    for (const m of [1, 2, 3]) {
      // a slow answer on a loaded machine is "unreachable", never a fault of its content
      for (const kind of ["malformed", "implausible", "bad-report"]) assert.equal(sequencer.faults.count(m, kind), 0, `member ${m} counted ${kind}`);
    }

    // A signer whose times decide the order, and whose report then contradicts them. The honest members saw A and B in
    // different orders: members 3 and 1 saw B first, member 2 saw A first (so the honest three's medians put B first).
    // Member 0 states times that, with members 1 and 2, put A first; the proposal is ordered A, B; then member 0 signs other times.
    const [A, Bt] = [randomRawTx(r), randomRawTx(r)];
    const tick = () => {
      const t = Date.now();
      while (Date.now() === t); // the next millisecond: two arrivals never share a receive time
    };
    for (const [url, order] of [[honest[2]!, [Bt, A]], [honest[0]!, [Bt, A]], [honest[1]!, [A, Bt]]] as const) {
      for (const raw of order) {
        tick();
        await fetch(`${url}/txs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ txs: [toHex(raw)] }) });
      }
    }
    faulty.fault.now = "reordering-signer";
    faulty.fault.late = new Set([txHashOf(Bt).toString()]);
    await fx.testClient.mine({ blocks: 1 });
    const number = BigInt(faults.length + 1);
    const done = finalized(number);
    assert.equal((await sequencer.app.inject({ method: "POST", url: "/txs", payload: { txs: [toHex(A), toHex(Bt)] } })).json().accepted, 2);
    await done;
    const stages = progress.filter((p) => p.batchNumber === number);
    assert.ok(stages.some((p) => p.stage === "new-round" && p.round === 0n), `re-proposed in a new round: ${JSON.stringify(stages.map((p) => [p.round, p.stage, p.detail]), (_k, v) => (typeof v === "bigint" ? String(v) : v))}`);
    const signedIn = stages.filter((p) => p.stage === "signed");
    assert.deepEqual(signedIn.map((p) => [p.round, p.signers]), [[1n, [1, 2, 3]]], "signed in round 1 by the honest three");
    const final = sequencer.store.batch(number)!;
    assert.deepEqual(final.batch.txHashes.map(BigInt), [txHashOf(Bt), txHashOf(A)], "in the honest members' order: B first");
    assert.ok(sequencer.faults.count(0, "bad-report") >= 2);
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
});

test("sequencer: every malformed value is a 4xx JSON error; the mempool has a size limit and a per-client quota", { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "zkseq-faults-"));
  const made = Array.from({ length: 4 }, (_, i) => testKey(i, "sequencer-api"));
  const fx = await setUpChain({}, made.map((k) => k.publicKey));
  const sequencer = new Sequencer({
    build: "dev",
    committees: new CommitteeDirectory(fx.inbox, build.params.D),
    members: [],
    inbox: fx.inbox,
    prover: new ProverClient("http://127.0.0.1:9"),
    db: join(dir, "sequencer.db"),
    maxPendingTxs: 5,
    maxPendingPerClient: 3,
  });
  try {
    const evil = { toString: "1" };
    const post = (payload: unknown, ip = "10.0.0.1") => sequencer.app.inject({ method: "POST", url: "/txs", remoteAddress: ip, headers: { "content-type": "application/json" }, payload: JSON.stringify(payload) });
    const get = (url: string) => sequencer.app.inject({ method: "GET", url });
    const cases: [string, ReturnType<typeof post>][] = [
      ["null body", post(null)],
      ["txs an object", post({ txs: evil })],
      ["a transaction an object", post({ txs: [evil] })],
      ["a transaction not hex", post({ txs: ["0xzz"] })],
      ["257 transactions", post({ txs: Array.from({ length: 257 }, (_, i) => "0x" + i.toString(16).padStart(4, "0")) })],
      ["a body over the limit", post({ txs: ["0x" + "ab".repeat(1_200_000), "0x" + "cd".repeat(1_200_000)] })],
      ["a transaction hash that is not a number", get("/txs/xyz")],
      ["a 4 MiB decimal transaction hash", get(`/txs/${"9".repeat(90)}`)],
      ["a batch number that is not a number", get("/batches/-1")],
      ["a batch that does not exist", get("/batches/99")],
    ];
    for (const [name, pending] of cases) {
      const res = await pending;
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${name}: ${res.statusCode} ${res.body}`);
      assert.equal(typeof res.json().error, "string", name);
    }
    assert.equal(sequencer.store.pendingCount(), 0, "nothing was added");

    // one client floods: it gets its quota, then 429; others still get in up to the size limit, then 503; nobody is evicted
    const r = rng(99);
    const raws = Array.from({ length: 8 }, () => randomRawTx(r));
    assert.equal((await post({ txs: raws.slice(0, 3).map(toHex) }, "10.6.6.6")).json().accepted, 3);
    const flood = await post({ txs: raws.slice(3, 5).map(toHex) }, "10.6.6.6");
    assert.equal(flood.statusCode, 429);
    assert.equal(flood.json().error, "MEMPOOL_FULL");
    assert.equal((await post({ txs: raws.slice(0, 3).map(toHex) }, "10.6.6.6")).json().accepted, 0, "a repeat costs nothing");
    assert.equal((await post({ txs: raws.slice(5, 7).map(toHex) }, "10.7.7.7")).json().accepted, 2);
    const full = await post({ txs: raws.slice(7).map(toHex) }, "10.8.8.8");
    assert.equal(full.statusCode, 503);
    assert.equal(full.json().error, "MEMPOOL_FULL");
    assert.deepEqual(
      sequencer.store.pendingTxs().map((p) => p.txHash),
      [...raws.slice(0, 3), ...raws.slice(5, 7)].map((x) => txHashOf(x)),
      "the mempool holds exactly what it accepted, in arrival order",
    );
    assert.ok(((await get("/healthz")).json() as { pending: number }).pending === 5);
  } finally {
    await sequencer.app.close();
  }
});
