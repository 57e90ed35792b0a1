/** `zkseq batch export`: a batch its leader collected a quorum for, from that member's store, becomes the file `zkseq prove` takes, and that proof verifies. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProposerStore } from "../proposer/proposerStore.js";
import { MemberStore } from "../member/memberStore.js";
import { exportBatchFile } from "../proposer/exportBatch.js";
import { verifyBatch } from "../src/sdk/verifyBatch.js";
import { BatchNotFoundError, FileNotFoundError, WrongStoreError } from "../src/errors.js";
import { makeScenario, scenarioBatchJson } from "./helpers/fixtures.js";
import { devArtifacts } from "./helpers/devBuild.js";
import { runCli } from "./helpers/runCli.js";

const run = runCli;

test("batch export: a batch signed by a quorum, from its leader's store, is proven by zkseq prove and verifies", async () => {
  const art = await devArtifacts();
  const dir = await mkdtemp(join(tmpdir(), "zkseq-export-"));
  const db = join(dir, "member-1.db");
  const s = makeScenario({ seed: 1403, txs: 5, forced: 1 });
  const n = s.proposal.header.batchNumber;
  const round = s.proposal.header.round;
  // a member's file: its mempool and reports, and the proposals it led
  new MemberStore(db).close();
  const store = new ProposerStore(db);
  store.save({ batchNumber: n, round, leader: 1, state: "signed", batch: scenarioBatchJson(s), cutAt: 1 });
  store.save({ batchNumber: n + 1n, round: 0n, leader: 1, state: "proposed", batch: { ...scenarioBatchJson(s), reports: [] }, cutAt: 2 });
  store.close();

  const file = join(dir, "batch.json");
  const exported = await run(["batch", "export", n.toString(), "--db", db, "--out", file]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.deepEqual(JSON.parse(await readFile(file, "utf8")), scenarioBatchJson(s));

  const proved = await run(["prove", file]);
  assert.equal(proved.code, 0, proved.stderr);
  const out = JSON.parse(await readFile(join(dir, "batch.proof.json"), "utf8"));
  const v = await verifyBatch({ proof: out.proof, publicSignals: out.publicSignals, verificationKey: art.verificationKey, header: out.header, postedTxs: s.posted, expected: { batchNumber: n, committeeHash: s.committee.hash } });
  assert.equal(v.batchHash, s.witness.batchHash);

  // what cannot be exported, and why
  assert.throws(() => exportBatchFile(db, n + 1n), (e: unknown) => e instanceof BatchNotFoundError && /never led it to a quorum/.test(e.message));
  assert.throws(() => exportBatchFile(db, n + 7n), BatchNotFoundError);
  assert.throws(() => exportBatchFile(join(dir, "nope.db"), n), (e: unknown) => e instanceof FileNotFoundError && e.message.includes("nope.db"));
  const proverDb = join(dir, "prover.db");
  const other = new (await import("better-sqlite3")).default(proverDb);
  other.exec("CREATE TABLE jobs (id TEXT)");
  other.close();
  assert.throws(() => exportBatchFile(proverDb, n), (e: unknown) => e instanceof WrongStoreError && /not a zkseq member store/.test(e.message));
  const wrong = await run(["batch", "export", n.toString(), "--db", proverDb]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr.trim(), /^error WRONG_STORE: .*not a zkseq member store/);
});
