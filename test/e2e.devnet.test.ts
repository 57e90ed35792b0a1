/**
 * End to end on the `dev` build with 4 member processes, each a signer and a
 * rotating proposer, the prover and the inbox, and a light client verifying
 * every batch:
 *
 * a leader killed between its quorum and its submission (the next round's
 * leader lands the batch; the killed member restarts and rejoins), a
 * withholding leader, and a leader censoring one transaction (it lands under
 * another leader), all in one run. (test/e2e.forced.test.ts: a member dead for
 * good while every leader censors; one devnet per file, each its own chain.)
 *
 * Each run's verdict is read from L1 and from the members' own databases:
 * every sent transaction landed exactly once, and no (batchNumber, round)
 * has two different headers signed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { signedHeaders, startDevnet } from "../devnet/devnet.js";
import { devArtifacts } from "./helpers/devBuild.js";

const BIN = fileURLToPath(new URL("../bin/zkseq.mjs", import.meta.url));

test("e2e: a killed leader, a withholding leader and a censoring leader: the chain goes on, every transaction lands exactly once", { timeout: 900_000 }, async () => {
  await devArtifacts();
  const lines: string[] = [];
  const devnet = await startDevnet({ members: 4, txs: 24, rate: 3, killLeader: true, withhold: 1, censor: 3, durationS: 300, print: (l) => lines.push(l) });
  try {
    const summary = await devnet.done;
    const log = lines.join("\n");
    assert.deepEqual(summary.failures, [], log);
    assert.equal(summary.timedOut, false, log);
    assert.equal(summary.txsLanded, summary.txsSent);
    assert.equal(summary.txsLandedTwice, 0, "read back from L1: no transaction in two slots");

    // the killed leader's batch: landed in a later round by another member, and the killed member signed again after its restart
    const killed = lines.find((l) => l.includes("scenario --kill-leader"));
    assert.ok(killed, log);
    const [, number, round] = /batch (\d+)'s round-(\d+) leader killed/.exec(killed)!;
    const landed = summary.leaders.find((l) => l.batchNumber === BigInt(number!))!;
    assert.ok(landed.round > BigInt(round!), `batch ${number} landed in round ${landed.round}, after the killed leader's round ${round}`);
    assert.ok(lines.some((l) => l.includes("ROUND CHANGE") && l.includes(`batch ${number} was not finalized within its round`)), "the round change is shown with its reason");
    assert.ok(lines.some((l) => /member \d is back at/.test(l)), log);
    // the withholding leader's batches were landed by others; the censored transaction landed under another leader
    assert.ok(devnet.progress.every((p) => p.stage !== "finalized" || p.leader !== 1), "member 1 never submits");
    assert.ok(summary.censoredTxBatch !== undefined);
    assert.notEqual(summary.leaders.find((l) => l.batchNumber === summary.censoredTxBatch)?.leader, 3);
    assert.ok(summary.roundChanges >= 1 && summary.p50FailoverMs !== null, log);
    assert.ok(new Set(summary.leaders.map((l) => l.leader)).size >= 2, "leaders rotate");

    // L1: each number finalized once, in order; the light client verified every batch
    const onChain = await devnet.inbox.finalizedBatches();
    assert.deepEqual(onChain.map((b) => b.batchNumber), onChain.map((_, i) => BigInt(i + 1)));
    await devnet.lightClient.sync();
    assert.deepEqual(devnet.problems, []);
    assert.deepEqual(devnet.lightClient.batches.map((b) => b.batchNumber), onChain.map((b) => b.batchNumber));

    // the members' databases: one header per (batchNumber, round), whoever signed it
    for (const [key, hashes] of signedHeaders(devnet.memberDbs)) assert.equal(hashes.size, 1, `two headers signed for ${key}`);

    // zkseq batches and zkseq inclusion: every batch and its raw transactions, from L1 alone
    const run = promisify(execFile);
    const derived = (await run(process.execPath, [BIN, "batches", "--rpc", devnet.rpc, "--inbox", devnet.deployment.inbox, "--json"])).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { batchNumber: string; forcedOnly: boolean; txRoot: string; transactions: { slot: number; txHash: string }[] });
    assert.deepEqual(derived.map((b) => b.batchNumber), onChain.map((b) => b.batchNumber.toString()));
    for (const [i, b] of derived.entries()) assert.equal(BigInt(b.transactions.length), onChain[i]!.txCount, `batch ${b.batchNumber}: every slot's bytes are on L1`);
    const tx = derived[0]!.transactions.at(-1)!;
    const inclusion = JSON.parse((await run(process.execPath, [BIN, "inclusion", tx.txHash, "--rpc", devnet.rpc, "--inbox", devnet.deployment.inbox])).stdout) as { batchNumber: string; txRoot: string; slot: number };
    assert.equal(inclusion.batchNumber, derived[0]!.batchNumber);
    assert.equal(inclusion.slot, tx.slot);
  } finally {
    await devnet.stop();
  }
});
