/** The light client reports gaps and mismatches (an inbox that lies, simulated by a stub answering its reads). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LightClient } from "../src/sdk/lightClient.js";
import { GENESIS, forcedOnlyChain, forcedOnlyEvent } from "./helpers/forcedOnlyChain.js";
import type { InboxClient, FinalizedBatch } from "../src/chain/inboxClient.js";

const event = forcedOnlyEvent;

test("light client: a forced-only batch is checked against the forced queue; gaps, wrong hashes and lying forced events are problems", async () => {
  const { raws, h1, forced } = forcedOnlyChain();
  const events = [
    event({ batchNumber: 1n, batchHash: h1 }),
    event({ batchNumber: 3n, batchHash: 999n, forcedFrom: 1n, forcedTo: 2n }), // a gap
  ];
  const stub = { finalizedBatches: async () => events, forcedEntries: async () => forced } as unknown as InboxClient;
  const lc = new LightClient({ inbox: stub, verificationKey: {}, build: "dev", genesis: { batchHash: GENESIS, committeeHash: 7n } });
  await lc.sync();
  assert.deepEqual(lc.batches.map((b) => b.batchNumber), [1n, 3n]);
  assert.deepEqual(lc.batches[0]!.transactions.map((t) => t.raw), [raws[0]], "the forced-only batch's transaction, with its bytes from L1");
  assert.equal(lc.issues.length, 1);
  assert.match(lc.issues[0]!.reason, /gap: expected batch 2, got 3/);

  // a batch hash that is not Poseidon(prev, number, acc), and forced bytes that do not hash to the queued hash
  const lying = new LightClient({
    inbox: { finalizedBatches: async () => [event({ batchNumber: 1n, batchHash: 999n })], forcedEntries: async () => forced } as unknown as InboxClient,
    verificationKey: {},
    build: "dev",
    genesis: { batchHash: GENESIS, committeeHash: 7n },
  });
  await lying.sync();
  assert.match(lying.issues[0]!.reason, /forced-only batch 1: hash 999 is not Poseidon/);
  const badBytes = new LightClient({
    inbox: { finalizedBatches: async () => [event({ batchNumber: 1n, batchHash: h1 })], forcedEntries: async () => [{ ...forced[0]!, rawTx: "0x05ab" }] } as unknown as InboxClient,
    verificationKey: {},
    build: "dev",
    genesis: { batchHash: GENESIS, committeeHash: 7n },
  });
  await badBytes.sync();
  assert.match(badBytes.issues[0]!.reason, /bytes do not hash/);
});

test("light client: follow() started late reads the batches it missed from the chain instead of reporting a gap", async () => {
  const { h1, h2, forced } = forcedOnlyChain();
  const e1 = event({ batchNumber: 1n, batchHash: h1 });
  const e2 = event({ batchNumber: 2n, batchHash: h2, forcedFrom: 1n, forcedTo: 2n });
  let deliver: (b: FinalizedBatch) => void = () => undefined;
  const stub = {
    finalizedBatches: async () => [e1, e2],
    forcedEntries: async () => forced,
    watchBatchFinalized: (cb: (b: FinalizedBatch) => void) => {
      deliver = cb;
      return () => undefined;
    },
  } as unknown as InboxClient;
  const lc = new LightClient({ inbox: stub, verificationKey: {}, build: "dev", genesis: { batchHash: GENESIS, committeeHash: 7n } });
  const seen = new Promise<void>((resolve) => lc.on("batch", (b) => b.batchNumber === 2n && resolve()));
  lc.follow(); // batch 1 landed before: only batch 2's event arrives
  deliver(e2);
  await seen;
  assert.deepEqual(lc.batches.map((b) => b.batchNumber), [1n, 2n]);
  assert.deepEqual(lc.issues, []);
});
