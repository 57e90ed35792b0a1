import type { InboxClient } from "../src/chain/inboxClient.js";
import { Committee } from "../src/committee.js";
import type { InboxSnapshot } from "./signingPolicy.js";

/**
 * Reads everything a member checks a header against, from the inbox and the
 * latest block: the head, the committees, the forced queue from its first
 * unconsumed entry (up to `forcedWindow` entries: the build's F plus one is
 * enough to see an overdue entry left out), and the chain's clock.
 */
export async function readInboxSnapshot(inbox: InboxClient, forcedWindow: number): Promise<InboxSnapshot> {
  const [s, block, chainId] = await Promise.all([inbox.state(), inbox.client.getBlock(), inbox.client.getChainId()]);
  const [forced, forcedAccConsumed] = await Promise.all([
    s.forcedConsumed < s.forcedQueueLength ? inbox.forcedEntries() : Promise.resolve([]),
    inbox.forcedAccAt(s.forcedConsumed),
  ]);
  return {
    chainId: BigInt(chainId),
    inbox: BigInt(inbox.address),
    nextBatchNumber: s.nextBatchNumber,
    headBatchHash: s.headBatchHash,
    committeeHash: s.committeeHash,
    pendingCommitteeHash: s.pendingCommitteeHash,
    handoverAt: s.handoverAt,
    lastTimeBase: s.lastTimeBase,
    lastCommitteeBatchAt: s.lastCommitteeBatchAt,
    nowMs: block.timestamp * 1000n,
    maxTimeDriftMs: s.maxTimeDriftMs,
    forceDelay: s.forceDelay,
    forcedConsumed: s.forcedConsumed,
    forcedLength: s.forcedQueueLength,
    forcedAccConsumed,
    forced: forced
      .filter((f) => f.index >= s.forcedConsumed)
      .slice(0, forcedWindow)
      .map((f) => ({ index: f.index, txHash: f.txHash, queuedAt: f.queuedAt })),
  };
}

/**
 * Every committee the inbox ever had (genesis and each scheduled one), rebuilt
 * from its CommitteeScheduled events exactly as the inbox builds them (weight 1
 * each, in the order the event lists them), and checked against the hash the
 * inbox emitted. Members and proposers resolve a header's committee with it.
 */
export class CommitteeDirectory {
  private readonly known = new Map<bigint, Committee>();

  constructor(
    private readonly inbox: InboxClient,
    private readonly depth: number,
  ) {}

  /** A committee by hash, if the inbox has had it (reads new events on a miss). */
  async get(hash: bigint): Promise<Committee | undefined> {
    if (!this.known.has(hash)) await this.refresh();
    return this.known.get(hash);
  }

  /** The committees known so far, by hash (no chain read). */
  cached(hash: bigint): Committee | undefined {
    return this.known.get(hash);
  }

  /** Reads the inbox's committee events again. */
  async refresh(): Promise<void> {
    for (const c of await this.inbox.scheduledCommittees()) {
      if (this.known.has(c.committeeHash)) continue;
      const committee = new Committee({ depth: this.depth, members: c.members.map((publicKey) => ({ publicKey, weight: 1n })), thresholdWeight: c.thresholdWeight, epoch: c.epoch });
      if (committee.hash !== c.committeeHash) continue; // not the committee the inbox says it built: never sign for it
      this.known.set(c.committeeHash, committee);
    }
  }
}
