/** The committee member node: signs only checked reports, never two different ones for one batch number, across restarts. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemberNode } from "../member/memberNode.js";
import { proposeBatch } from "../src/batch.js";
import { batchHash, headerToJSON, type BatchHeader } from "../src/header.js";
import { verifyReport } from "../src/report.js";
import { reportFromJSON } from "../src/batchFile.js";
import { makeCommittee, randomTxHash, rng } from "./helpers/fixtures.js";

const { committee, keys } = makeCommittee({ size: 4, depth: 2, threshold: 3n, salt: "member-test" });
const INBOX = 0x1234n;
const GENESIS = 777n;

async function node(db: string) {
  return createMemberNode({ key: keys[2]!, memberIndex: 2, committee, build: "dev", chainId: 31337n, inbox: INBOX, genesisBatchHash: GENESIS, db });
}

function proposal(batchNumber: bigint, prevBatchHash: bigint, txs: bigint[], timeBase: number) {
  return proposeBatch({
    build: "dev",
    chainId: 31337n,
    inbox: INBOX,
    batchNumber,
    prevBatchHash,
    committee,
    forced: { from: 0n, accFrom: 0n, txHashes: [] },
    candidates: txs,
    receivedAt: [0, 1, 2].map(() => new Map(txs.map((h, i) => [h, timeBase + 10 * i] as const))),
    signers: [0, 1, 2],
    timeBase: BigInt(timeBase),
  });
}

const sign = (app: Awaited<ReturnType<typeof node>>["app"], header: BatchHeader, txHashes: bigint[], forcedCount = 0) =>
  app.inject({ method: "POST", url: "/sign", payload: { header: headerToJSON(header), txHashes: txHashes.map(String), forcedCount } });

test("member: records receive times, signs a checked report with its own times, and never signs a different one for the same batch, even after a restart", async () => {
  const db = join(await mkdtemp(join(tmpdir(), "zkseq-member-")), "member.db");
  const r = rng(1);
  const txs = [randomTxHash(r), randomTxHash(r), randomTxHash(r)];
  let m = await node(db);
  const t0 = Date.now();
  assert.equal((await m.app.inject({ method: "POST", url: "/txs", payload: { txHashes: txs.map(String) } })).json().received, 3);
  assert.equal((await m.app.inject({ method: "POST", url: "/txs", payload: { txHashes: txs.map(String) } })).json().received, 0, "a transaction's first receive time is kept");
  const times = (await m.app.inject({ method: "POST", url: "/times", payload: { txHashes: [...txs, 5n].map(String) } })).json().times as (number | null)[];
  assert.ok(times.slice(0, 3).every((t) => t !== null && t >= t0));
  assert.equal(times[3], null);

  const p = proposal(1n, GENESIS, txs, t0 - 1000);
  const res = await sign(m.app, p.header, p.txHashes);
  assert.equal(res.statusCode, 200, res.body);
  const report = reportFromJSON(res.json().report);
  assert.equal(report.memberIndex, 2);
  assert.ok(verifyReport(committee, batchHash(p.header), report));
  assert.ok(report.times.slice(0, 3).every((t) => t >= 1000 && t < 0xffffffff), "its own receive times, as offsets from timeBase");

  // the same report again is fine (idempotent); a different one for batch 1 is refused, before and after a restart
  assert.equal((await sign(m.app, p.header, p.txHashes)).statusCode, 200);
  const other = proposal(1n, GENESIS, txs.slice(0, 2), t0 - 1000);
  let conflict = await sign(m.app, other.header, other.txHashes);
  assert.equal(conflict.statusCode, 409);
  assert.equal(conflict.json().error, "REPORT_CONFLICT");
  await m.app.close();
  m = await node(db);
  conflict = await sign(m.app, other.header, other.txHashes);
  assert.equal(conflict.json().error, "REPORT_CONFLICT");

  // batch 2 must extend batch 1
  const next = proposal(2n, batchHash(p.header), [txs[0]!], t0);
  assert.equal((await sign(m.app, next.header, next.txHashes)).statusCode, 200);
  const fork = proposal(3n, 12345n, [txs[1]!], t0);
  const forked = await sign(m.app, fork.header, fork.txHashes);
  assert.equal(forked.statusCode, 400);
  assert.equal(forked.json().error, "HEADER_DOES_NOT_EXTEND");
  await m.app.close();
});

test("member: refuses malformed and inconsistent proposals with a 4xx JSON error", async () => {
  const db = join(await mkdtemp(join(tmpdir(), "zkseq-member-")), "member.db");
  const m = await node(db);
  const r = rng(2);
  const txs = [randomTxHash(r), randomTxHash(r)];
  const p = proposal(1n, GENESIS, txs, Date.now());
  const cases: [string, Awaited<ReturnType<typeof sign>>, string][] = [
    ["bad JSON", await m.app.inject({ method: "POST", url: "/sign", headers: { "content-type": "application/json" }, payload: "{" }), "MALFORMED_JSON"],
    ["no body fields", await m.app.inject({ method: "POST", url: "/txs", payload: {} }), "INVALID_ARGUMENT"],
    ["tx hash too wide", await m.app.inject({ method: "POST", url: "/txs", payload: { txHashes: [(1n << 248n).toString()] } }), "INVALID_FIELD_ELEMENT"],
    ["txRoot mismatch", await sign(m.app, p.header, [txs[1]!, txs[0]!]), "HEADER_MISMATCH"],
    ["duplicate tx", await sign(m.app, { ...p.header, txCount: 3n }, [txs[0]!, txs[1]!, txs[0]!]), "DUPLICATE_TRANSACTION"],
    ["other committee", await sign(m.app, { ...p.header, committeeHash: 1n }, p.txHashes), "INVALID_COMMITTEE"],
    ["other inbox", await sign(m.app, { ...p.header, inbox: 99n }, p.txHashes), "INVALID_ARGUMENT"],
    ["wrong forced count", await sign(m.app, p.header, p.txHashes, 1), "INVALID_ARGUMENT"],
    ["not extending genesis", await sign(m.app, { ...p.header, prevBatchHash: 1n }, p.txHashes), "HEADER_DOES_NOT_EXTEND"],
  ];
  for (const [name, res, code] of cases) {
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${name}: ${res.statusCode} ${res.body}`);
    assert.equal(res.json().error, code, name);
  }
  assert.equal((await m.app.inject({ method: "GET", url: "/healthz" })).json().lastSigned, null, "nothing was signed");
  await m.app.close();
});
