/**
 * The devnet as a new user meets it: `npm start` with no scenario on a machine
 * whose cores are busy (the chain makes blocks on a timer, the proposer takes
 * timeBase from the chain's clock, the leaders rotate, every transaction
 * lands exactly once, read back from L1); scenario flags are checked; the skewed member's times would
 * reorder and the skew verdict can fail; a proposer never picks a timeBase the
 * inbox's latest block would refuse.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { percentile, startDevnet, summaryJsonLine } from "../devnet/devnet.js";
import { skewVerdict } from "../devnet/skewVerdict.js";
import { landableTimeBase } from "../proposer/chainClock.js";
import { deriveBatches } from "../src/sdk/deriveBatches.js";
import { NEVER_SEEN } from "../src/field.js";
import { InvalidArgumentError } from "../src/errors.js";
import { devArtifacts } from "./helpers/devBuild.js";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemberNode } from "../member/memberNode.js";
import { generateMemberKey } from "../src/keys.js";
import { TransactionGenerator, type RollupTransaction } from "../devnet/txGenerator.js";
import { runCli } from "./helpers/runCli.js";

const run = runCli;

test("devnet: a scenario naming a member that does not exist is a one-line error and a non-zero exit", async () => {
  const r = await run(["devnet", "--crash-member", "9"]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "error INVALID_ARGUMENT: --crash-member 9: there is no member 9 (the devnet has 4 members, 0 to 3) (see zkseq devnet --help)\n");
  // the same checks, before anything starts
  for (const [options, message] of [
    [{ skewMember: 4 }, /--skew-member 4: there is no member 4 \(the devnet has 4 members, 0 to 3\)/],
    [{ members: 3, crashMember: 3 }, /--crash-member 3: there is no member 3 \(the devnet has 3 members, 0 to 2\)/],
    [{ members: 3, crashMember: 0 }, /a crash, kill or withhold scenario needs more than 3 members/],
    [{ members: 3, killLeader: true }, /a crash, kill or withhold scenario needs more than 3 members/],
    [{ withhold: 7 }, /--withhold 7: there is no member 7/],
    [{ censor: 5 }, /--censor 5: there is no member 5/],
    [{ crashMember: 1, withhold: 1 }, /--crash-member and --withhold name the same member 1/],
    [{ roundTimeoutMs: 1500 }, /--round-timeout must be at least three blocks \(3000 ms\), got 1500/],
    [{ skewMember: 0, skewMs: 0 }, /--skew-ms must be positive/],
    [{ blockTimeMs: 0 }, /--block-time must be a positive number of milliseconds, got 0/],
  ] as const) {
    await assert.rejects(startDevnet({ ...options, print: () => {} }), (e: unknown) => e instanceof InvalidArgumentError && message.test(e.shortMessage));
  }
});

test("devnet: the skew verdict passes a batch in the honest order and fails one in the skewed member's order", () => {
  const [a, b, c, f] = [11n, 22n, 33n, 44n];
  // member 0 records a and c 4 s late; members 1 and 2 saw a, b, c 250 ms apart; slot 0 is forced
  const reports = [
    { memberIndex: 0, times: [NEVER_SEEN, 4000, 250, 4500] },
    { memberIndex: 1, times: [NEVER_SEEN, 0, 250, 500] },
    { memberIndex: 2, times: [NEVER_SEEN, 3, 252, 501] },
  ];
  const honest = skewVerdict(1n, 0, 1, [f, a, b, c], reports);
  assert.deepEqual(honest, { batchNumber: 1n, skewMember: 0, honestPairs: 3, invertedBySkewed: 1, violations: 0 });
  // the same reports, the slots in the order member 0's times alone give: b before a
  const swapped = reports.map((r) => ({ ...r, times: [r.times[0]!, r.times[2]!, r.times[1]!, r.times[3]!] }));
  const skewedOrder = skewVerdict(1n, 0, 1, [f, b, a, c], swapped);
  assert.equal(skewedOrder.violations, 1, "a batch ordered by the skewed member fails the verdict");
  // a constant offset reverses nothing: the scenario's skew must be one that would
  const constant = skewVerdict(1n, 0, 0, [a, b, c], [{ memberIndex: 0, times: [4000, 4250, 4500] }, ...reports.slice(1).map((r) => ({ ...r, times: r.times.slice(1) }))]);
  assert.equal(constant.invertedBySkewed, 0);
});

test("devnet: a skewed member records the transactions with an odd hash skewMs late, the others on time", async () => {
  const users = new TransactionGenerator({ chainId: 31337n });
  const txs: RollupTransaction[] = [];
  while (!(txs.some((t) => t.txHash & 1n) && txs.some((t) => !(t.txHash & 1n)))) txs.push(await users.next());
  const dir = await mkdtemp(join(tmpdir(), "zkseq-skew-"));
  const { app } = createMemberNode({ key: generateMemberKey(), committees: () => undefined, build: "dev", chain: () => Promise.reject(new Error("no chain: this test signs nothing")), db: join(dir, "m.db"), roundTimeoutMs: 12_000, skewMs: 4000 });
  try {
    assert.equal((await app.inject({ method: "POST", url: "/txs", payload: { txs: txs.map((t) => t.raw) } })).json().received, txs.length);
    const { times } = (await app.inject({ method: "POST", url: "/times", payload: { txHashes: txs.map((t) => "0x" + t.txHash.toString(16)) } })).json() as { times: number[] };
    // one request, one receive time: the odd ones exactly 4 s after the even ones (a constant offset for all would reorder nothing)
    const even = times.filter((_, i) => !(txs[i]!.txHash & 1n));
    const odd = times.filter((_, i) => txs[i]!.txHash & 1n);
    assert.equal(new Set(even).size, 1);
    assert.deepEqual(odd, odd.map(() => even[0]! + 4000));
  } finally {
    await app.close();
  }
});

test("devnet: the proposer's timeBase is never past the latest block's clock plus the drift, nor before the last batch's", () => {
  const clock = { nowMs: 1_800_000_000_000n, maxTimeDriftMs: 30_000n };
  assert.equal(landableTimeBase(clock.nowMs - 5_000n, clock, 0n), clock.nowMs - 5_000n, "an earlier receive time is kept");
  // members whose clocks run an hour ahead of the chain (or a chain that stopped making blocks): clamped to what the inbox accepts
  assert.equal(landableTimeBase(clock.nowMs + 3_600_000n, clock, 0n), clock.nowMs + clock.maxTimeDriftMs);
  assert.equal(landableTimeBase(undefined, clock, 0n), clock.nowMs, "forced slots only: the chain's time");
  assert.equal(landableTimeBase(clock.nowMs - 9_000n, clock, clock.nowMs - 1_000n), clock.nowMs - 1_000n, "not before the last batch's");
  assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
  assert.equal(percentile([5, 1, 3, 2, 4], 95), 5);
  assert.equal(percentile([], 50), null);
});

test("devnet: with both cores busy and no scenario, every transaction lands exactly once (read back from L1)", { timeout: 900_000 }, async () => {
  await devArtifacts();
  // keep every core busy for the whole run, like a loaded CI machine
  const busy: ChildProcess[] = Array.from({ length: 2 }, () => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
  const lines: string[] = [];
  const devnet = await startDevnet({ txs: 6, rate: 3, durationS: 600, print: (l) => lines.push(l) }).catch((e: unknown) => {
    for (const b of busy) b.kill("SIGKILL");
    throw e;
  });
  try {
    const summary = await devnet.done;
    assert.deepEqual(summary.failures, [], lines.join("\n"));
    assert.equal(summary.timedOut, false, lines.join("\n"));
    assert.equal(summary.txsSent, 6);
    assert.equal(summary.txsLanded, 6);
    assert.equal(summary.txsLandedTwice, 0);
    assert.ok(summary.finalized >= 1);
    assert.equal(summary.leaders.length, summary.finalized, "each batch's leader and round are reported");
    assert.ok(lines.some((l) => /^batch \d+ round \d+ leader \d+ {2}FINALIZED/.test(l)), "the output names each batch's leader and round");
    assert.ok(summary.p50ArrivalToFinalMs !== null && summary.p95ArrivalToFinalMs! >= summary.p50ArrivalToFinalMs);
    const line = JSON.parse(summaryJsonLine(summary)) as Record<string, unknown>;
    assert.equal(line.rpc, devnet.rpc);
    assert.equal(line.inbox, devnet.deployment.inbox);

    // independently of the devnet's count: derive every batch from L1 and count each sent transaction's slots
    const vkey = JSON.parse(await readFile((await devArtifacts()).verificationKey, "utf8")) as Record<string, unknown>;
    const seen = new Map<bigint, number>();
    let batches = 0;
    for await (const b of deriveBatches({ inbox: devnet.inbox, verificationKey: vkey, build: "dev" })) {
      batches++;
      for (const t of b.transactions) seen.set(t.txHash, (seen.get(t.txHash) ?? 0) + 1);
    }
    assert.equal(batches, summary.finalized);
    const sent = devnet.sent;
    assert.equal(sent.length, 6);
    for (const h of sent) assert.equal(seen.get(h), 1, `tx 0x${h.toString(16)} landed ${seen.get(h) ?? 0} times\n${lines.join("\n")}`);
    assert.deepEqual(devnet.problems, []);
    assert.ok(lines.some((l) => l.includes("a block every 1000 ms")), "the in-process chain mines on a timer");
  } finally {
    for (const b of busy) b.kill("SIGKILL");
    await devnet.stop();
  }
});
