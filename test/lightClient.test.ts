/** The light client reports gaps and mismatches (an inbox that lies, simulated by a stub). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LightClient } from "../src/sdk/lightClient.js";
import type { InboxClient, FinalizedBatch, ForcedEntryEvent } from "../src/chain/inboxClient.js";
import { poseidon } from "../src/poseidon.js";

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

test("light client: a forced-only batch is checked against the forced queue; gaps and wrong hashes are problems", async () => {
  const acc1 = poseidon([0n, 5n]);
  const acc2 = poseidon([acc1, 6n]);
  const h1 = poseidon([GENESIS, 1n, acc1]);
  const forced: ForcedEntryEvent[] = [
    { index: 0n, txHash: 5n, accumulator: acc1, queuedAt: 1n, sender: "0x0000000000000000000000000000000000000001" },
    { index: 1n, txHash: 6n, accumulator: acc2, queuedAt: 2n, sender: "0x0000000000000000000000000000000000000001" },
  ];
  const events = [
    event({ batchNumber: 1n, batchHash: h1 }),
    event({ batchNumber: 3n, batchHash: 999n, forcedFrom: 1n, forcedTo: 2n }), // a gap, and not Poseidon(prev, 3, acc2)
  ];
  const stub = { finalizedBatches: async () => events, forcedEntries: async () => forced } as unknown as InboxClient;
  const lc = new LightClient({ inbox: stub, verificationKey: {}, genesisBatchHash: GENESIS, genesisCommitteeHash: 7n });
  await lc.sync();
  assert.deepEqual(lc.batches.map((b) => b.batchNumber), [1n, 3n]);
  assert.equal(lc.issues.length, 2);
  assert.match(lc.issues[0]!.reason, /gap: expected batch 2, got 3/);
  assert.match(lc.issues[1]!.reason, /forced-only batch hash 999 is not Poseidon/);
});
