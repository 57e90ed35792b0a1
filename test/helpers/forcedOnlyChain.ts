/** Two forced transactions and the forced-only batches that finalize them: an inbox's chain whose checks need no proof. */
import type { FinalizedBatch, ForcedEntryEvent } from "../../src/chain/inboxClient.js";
import { poseidon } from "../../src/poseidon.js";
import { txHashOf } from "../../src/txHash.js";

export const GENESIS = 42n;

export function forcedOnlyChain() {
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
  return { raws, t1, t2, acc1, acc2, h1, h2, forced };
}

/** A BatchFinalized event of a forced-only batch (one entry from index 0 unless told otherwise). */
export const forcedOnlyEvent = (b: Partial<FinalizedBatch> & { batchNumber: bigint; batchHash: bigint }): FinalizedBatch => ({
  txRoot: 0n,
  txCount: 1n,
  forcedFrom: 0n,
  forcedTo: 1n,
  forcedOnly: true,
  blockNumber: 1n,
  transactionHash: "0x00",
  ...b,
});
