/**
 * End to end on the `dev` build: the devnet's member processes, sequencer,
 * prover and inbox finalize batches a light client verifies; a censored
 * transaction lands through the forced queue; batches continue after a member
 * is killed; a sequencer restart mid-batch neither re-proves nor re-submits.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startDevnet } from "../devnet/devnet.js";
import { requestJson } from "../src/http.js";
import { devArtifacts } from "./helpers/devBuild.js";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const BIN = fileURLToPath(new URL("../bin/zkseq.mjs", import.meta.url));

test("e2e: the devnet finalizes verified batches, lands a censored tx via the forced queue, survives a killed member and a sequencer restart", { timeout: 600_000 }, async () => {
  await devArtifacts();
  const lines: string[] = [];
  const devnet = await startDevnet({ members: 4, txs: 30, rate: 6, censor: true, crashMember: 1, durationS: 240, print: (l) => lines.push(l) });
  try {
    // restart the sequencer while batch 2 is being proven
    for (let i = 0; i < 1200 && !devnet.progress.some((p) => p.batchNumber === 2n && p.stage === "signed"); i++) await new Promise((r) => setTimeout(r, 100));
    await devnet.restartSequencer();
    const summary = await devnet.done;

    assert.equal(summary.timedOut, false, lines.join("\n"));
    assert.equal(summary.txsLanded, summary.txsSent);
    assert.equal(summary.txsLandedTwice, 0, "read back from L1: no transaction in two slots");
    assert.deepEqual(summary.failures, [], lines.join("\n"));

    const onChain = await devnet.inbox.finalizedBatches();
    assert.ok(onChain.length >= 3, `${onChain.length} batches finalized`);
    assert.deepEqual(onChain.map((b) => b.batchNumber), onChain.map((_, i) => BigInt(i + 1)), "each batch number finalized exactly once, in order");

    await devnet.lightClient.sync();
    assert.deepEqual(devnet.problems, [], "the light client found nothing wrong");
    assert.deepEqual(devnet.lightClient.batches.map((b) => b.batchNumber), onChain.map((b) => b.batchNumber), "the light client verified every batch");

    // the censored transaction came in through the forced queue
    assert.ok(devnet.censoredTx !== undefined && summary.censoredTxBatch !== undefined, lines.join("\n"));
    const landed = onChain.find((b) => b.batchNumber === summary.censoredTxBatch)!;
    assert.ok(landed.forcedTo > landed.forcedFrom, "its batch has forced slots");
    const forced = await devnet.inbox.forcedEntries();
    assert.ok(forced.some((f) => f.txHash === devnet.censoredTx && f.index >= landed.forcedFrom && f.index < landed.forcedTo));

    // member 1 was killed after the first batch; later batches were signed without it
    const killedAt = devnet.progress.findIndex((p) => p.stage === "finalized");
    const after = devnet.progress.slice(killedAt + 1).filter((p) => p.stage === "signed");
    assert.ok(after.length >= 2, lines.join("\n"));
    for (const p of after) assert.ok(!p.signers!.includes(1), `batch ${p.batchNumber} signed by ${p.signers}`);

    // zkseq batches: every batch and its raw transactions, derived and verified from L1 alone
    const run = promisify(execFile);
    const derived = (await run(process.execPath, [BIN, "batches", "--rpc", devnet.rpc, "--inbox", devnet.deployment.inbox, "--json"])).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { batchNumber: string; forcedOnly: boolean; txRoot: string; transactions: { slot: number; txHash: string; raw: string; forced: boolean }[] });
    assert.deepEqual(derived.map((b) => b.batchNumber), onChain.map((b) => b.batchNumber.toString()));
    for (const [i, b] of derived.entries()) assert.equal(BigInt(b.transactions.length), onChain[i]!.txCount, `batch ${b.batchNumber}: every slot's bytes are on L1`);
    assert.ok(derived.some((b) => b.transactions.some((t) => t.forced && BigInt(t.txHash) === devnet.censoredTx)), "the forced transaction's bytes came from the ForceIncluded event");

    // zkseq inclusion: a transaction's Merkle path to the txRoot the inbox finalized, from L1 alone
    const first = derived.find((b) => !b.forcedOnly)!;
    const tx = first.transactions.at(-1)!;
    const inclusion = JSON.parse((await run(process.execPath, [BIN, "inclusion", tx.txHash, "--rpc", devnet.rpc, "--inbox", devnet.deployment.inbox])).stdout) as { batchNumber: string; txRoot: string; slot: number };
    assert.equal(inclusion.batchNumber, first.batchNumber);
    assert.equal(inclusion.txRoot, first.txRoot);
    assert.equal(inclusion.slot, tx.slot);

    // no re-proving across the restart: one proof per committee batch
    const health = await requestJson<{ jobs: { done: number } }>("prover", `${devnet.proverUrl}/healthz`);
    assert.equal(health.jobs.done, onChain.filter((b) => !b.forcedOnly).length);
  } finally {
    await devnet.stop();
  }
});
