/**
 * The SDK's user-side client: a transaction sent to several endpoints needs
 * one that takes it (a dead, refusing or censoring one loses nothing), and
 * its landing is read from L1 only (a stub inbox answering its reads, with
 * forced-only batches, whose checks need no proof).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { createServiceApp, rawTxsFromBody } from "../src/service.js";
import { MempoolFullError, TransactionNotAcceptedError, TransactionNotLandedError, InvalidArgumentError } from "../src/errors.js";
import type { FinalizedBatch, InboxClient } from "../src/chain/inboxClient.js";
import { txHashOf } from "../src/txHash.js";
import { submitTransaction, waitForLanding } from "../src/sdk/submitTransaction.js";
import { GENESIS, forcedOnlyChain, forcedOnlyEvent } from "./helpers/forcedOnlyChain.js";

/** An endpoint like a member's POST /txs: `mode` says what it does with a transaction. */
async function endpoint(mode: "accept" | "full"): Promise<{ url: string; received: string[]; close: () => Promise<void> }> {
  const app = createServiceApp();
  const received: string[] = [];
  app.post("/txs", async (req) => {
    const txs = rawTxsFromBody(req.body);
    if (mode === "full") throw new MempoolFullError("mempool", 0);
    received.push(...txs.map((t) => t.txHash.toString(16)));
    return { received: txs.length };
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, received, close: () => app.close() };
}

test("submitTransaction: one endpoint that takes it is enough; a full and a dead endpoint are reported, not fatal; none is TX_NOT_ACCEPTED", async () => {
  const ok = await endpoint("accept");
  const full = await endpoint("full");
  const dead = await endpoint("accept");
  await dead.close();
  try {
    const raw = "0x02f86c0a";
    const r = await submitTransaction(raw, { endpoints: [full.url, ok.url, dead.url], timeoutMs: 2000 });
    assert.equal(r.txHash, txHashOf(raw));
    assert.deepEqual(r.accepted, [ok.url]);
    assert.deepEqual(ok.received, [txHashOf(raw).toString(16)]);
    assert.deepEqual(r.refused.map((x) => [x.url, x.code]), [
      [full.url, "MEMPOOL_FULL"],
      [dead.url, "SERVICE_UNREACHABLE"],
    ]);
    await assert.rejects(submitTransaction(raw, { endpoints: [full.url, dead.url], timeoutMs: 2000 }), (e: unknown) => e instanceof TransactionNotAcceptedError && e.refused.length === 2);
    await assert.rejects(submitTransaction(raw, { endpoints: [] }), InvalidArgumentError);
  } finally {
    await Promise.all([ok.close(), full.close()]);
  }
});

test("waitForLanding: the batch, slot and L1 transaction of a transaction, from verified L1 data; TX_NOT_LANDED when the wait is given up", async () => {
  const { raws, t2, h1, h2, forced } = forcedOnlyChain();
  const event = forcedOnlyEvent;
  const landed: FinalizedBatch[] = [event({ batchNumber: 1n, batchHash: h1 })];
  const inbox = { finalizedBatches: async () => landed, forcedEntries: async () => forced } as unknown as InboxClient;
  const opts = { inbox, verificationKey: {}, build: "dev", genesis: { batchHash: GENESIS, committeeHash: 7n }, pollMs: 20 };

  // the second transaction lands while the client waits
  const waiting = waitForLanding(raws[1], { ...opts, signal: AbortSignal.timeout(10_000) });
  setTimeout(() => landed.push(event({ batchNumber: 2n, batchHash: h2, forcedFrom: 1n, forcedTo: 2n, blockNumber: 9n, transactionHash: "0xdef" })), 100);
  assert.deepEqual(await waiting, { txHash: t2, batchNumber: 2n, slot: 0, forced: true, l1TxHash: "0xdef", blockNumber: 9n });
  assert.equal((await waitForLanding(raws[0], opts)).batchNumber, 1n);

  await assert.rejects(waitForLanding("0x07cc", { ...opts, signal: AbortSignal.timeout(200) }), TransactionNotLandedError);
});
