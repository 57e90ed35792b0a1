/**
 * End to end on the `dev` build with 4 member processes: a member dead for
 * good (its turns are skipped) while every leader censors one transaction
 * (the user forces it in and it lands through the forced queue). The verdict
 * is read from L1 and from the members' own databases.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { signedHeaders, startDevnet } from "../devnet/devnet.js";
import { devArtifacts } from "./helpers/devBuild.js";

test("e2e: a member dead for good is skipped, and a transaction every leader censors lands through the forced queue", { timeout: 900_000 }, async () => {
  await devArtifacts();
  const lines: string[] = [];
  const devnet = await startDevnet({ members: 4, txs: 15, rate: 3, crashMember: 2, censor: "all", durationS: 300, print: (l) => lines.push(l) });
  try {
    const summary = await devnet.done;
    const log = lines.join("\n");
    assert.deepEqual(summary.failures, [], log);
    assert.equal(summary.txsLanded, summary.txsSent);
    assert.equal(summary.txsLandedTwice, 0);

    // member 2 died after the first batch: no later batch was cut or signed by it, and the chain went on
    const firstFinal = devnet.progress.findIndex((p) => p.stage === "finalized");
    const after = devnet.progress.slice(firstFinal + 1);
    assert.ok(after.filter((p) => p.stage === "finalized").length >= 1, log);
    for (const p of after.filter((p) => p.stage === "signed")) assert.ok(!p.signers!.includes(2), `batch ${p.batchNumber} signed by ${p.signers}`);

    // the censored transaction came in through the forced queue
    assert.ok(devnet.censoredTx !== undefined && summary.censoredTxBatch !== undefined, log);
    const onChain = await devnet.inbox.finalizedBatches();
    const landed = onChain.find((b) => b.batchNumber === summary.censoredTxBatch)!;
    const forced = await devnet.inbox.forcedEntries();
    assert.ok(forced.some((f) => f.txHash === devnet.censoredTx && f.index >= landed.forcedFrom && f.index < landed.forcedTo), "in a forced slot");
    for (const [key, hashes] of signedHeaders(devnet.memberDbs)) assert.equal(hashes.size, 1, `two headers signed for ${key}`);
  } finally {
    await devnet.stop();
  }
});
