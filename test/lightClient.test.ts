/** The light client reports gaps and mismatches (an inbox that lies, simulated by a stub answering its reads). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LightClient } from "../src/sdk/lightClient.js";
import type { InboxClient, FinalizedBatch, ForcedEntryEvent } from "../src/chain/inboxClient.js";
import { poseidon } from "../src/poseidon.js";
import { txHashOf } from "../src/txHash.js";

const GENESIS = 42n;
const event = (b: Partial<FinalizedBatch> & { batchNumber: bigint; batchHash: bigint }): FinalizedBatch => ({
  txRoot: 0n,
  txCount: 1n,
  forcedFrom: 0n,
  forcedTo: 1n,
  forcedOnly: true,
  blockNumber: 1n,
  transactionHash: "0x00",
  ...b,
});

test("light client: a forced-only batch is checked against the forced queue; gaps, wrong hashes and lying forced events are problems", async () => {
  const raws = ["0x05aa", "0x06bb"] as const;
  const [t1, t2] = raws.map((r) => txHashOf(r)) as [bigint, bigint];
  const acc1 = poseidon([0n, t1]);
  const acc2 = poseidon([acc1, t2]);
  const h1 = poseidon([GENESIS, 1n, acc1]);
  const sender = "0x0000000000000000000000000000000000000001";
  const forced: ForcedEntryEvent[] = [
    { index: 0n, txHash: t1, accumulator: acc1, queuedAt: 1n, sender, rawTx: raws[0] },
    { index: 1n, txHash: t2, accumulator: acc2, queuedAt: 2n, sender, rawTx: raws[1] },
  ];
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
  const raws = ["0x05aa", "0x06bb"] as const;
  const [t1, t2] = raws.map((r) => txHashOf(r)) as [bigint, bigint];
  const acc1 = poseidon([0n, t1]);
  const acc2 = poseidon([acc1, t2]);
  const h1 = poseidon([GENESIS, 1n, acc1]);
  const h2 = poseidon([h1, 2n, acc2]);
  const sender = "0x0000000000000000000000000000000000000001";
  const forced: ForcedEntryEvent[] = [
    { index: 0n, txHash: t1, accumulator: acc1, queuedAt: 1n, sender, rawTx: raws[0] },
    { index: 1n, txHash: t2, accumulator: acc2, queuedAt: 2n, sender, rawTx: raws[1] },
  ];
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
