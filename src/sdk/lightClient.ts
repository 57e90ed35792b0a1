import { EventEmitter } from "node:events";
import type { FinalizedBatch, InboxClient } from "../chain/inboxClient.js";
import type { BatchCircuitBuild } from "../builds.js";
import { BatchVerificationError } from "../errors.js";
import { BatchDeriver, type DerivedBatch } from "./deriveBatches.js";
import type { VerificationKey } from "./verifyBatch.js";


/** A finalized batch the light client checked, with the committee that signed it (the current one for forced-only batches). */
export type CheckedBatch = Omit<FinalizedBatch, "blockNumber"> & { committeeHash: bigint; transactions: DerivedBatch["transactions"] };

/** Something wrong on the chain: a gap in batch numbers, a proof that does not verify, data that does not match it, a header that does not chain. */
export interface LightClientProblem {
  batchNumber: bigint;
  reason: string;
}

/**
 * Follows an inbox's BatchFinalized events and checks every batch without
 * trusting anyone, by deriving it from L1 (`BatchDeriver`): the proof
 * verified locally, the posted transaction bytes bound to it, the forced
 * slots the queue's, and the chain links (numbers without gaps, each
 * prevBatchHash the hash before it, the committee the current one, handovers
 * followed, forced-only batches hashed as the inbox defines them). A batch
 * that fails a check is reported as a problem, and the client keeps following.
 *
 * Events: `batch` (CheckedBatch) and `problem` (LightClientProblem).
 *
 * @example
 * const lc = new LightClient({ inbox, verificationKey: vkey, build: "dev" })
 * lc.on("problem", (p) => console.error(p))
 * await lc.sync()               // every batch that landed before it started
 * const stop = lc.follow()      // and every one after
 */
export class LightClient extends EventEmitter<{ batch: [CheckedBatch]; problem: [LightClientProblem] }> {
  private readonly deriver: BatchDeriver;
  private readonly checked: CheckedBatch[] = [];
  private readonly problems: LightClientProblem[] = [];
  private queue: Promise<void> = Promise.resolve();
  private committee: bigint | undefined;

  constructor(private readonly opts: { inbox: InboxClient; verificationKey: VerificationKey; build: string | BatchCircuitBuild; genesis?: { batchHash: bigint; committeeHash: bigint } }) {
    super();
    this.deriver = new BatchDeriver(opts);
  }

  /** Batches checked so far, and problems found. */
  get batches(): readonly CheckedBatch[] {
    return this.checked;
  }
  get issues(): readonly LightClientProblem[] {
    return this.problems;
  }

  /** Checks every batch finalized so far (and not checked yet). */
  async sync(): Promise<readonly CheckedBatch[]> {
    const events = await this.opts.inbox.finalizedBatches();
    await this.enqueue(events);
    return this.checked;
  }

  /**
   * Checks new batches as they land; returns the function that stops following.
   * A batch that arrives ahead of the next expected number (one landed before
   * `follow()` started, or between `sync()` and `follow()`) first makes it
   * read the batches it missed from the chain, so that is never a false gap.
   */
  follow(opts: { pollingInterval?: number } = {}): () => void {
    return this.opts.inbox.watchBatchFinalized((b) => void this.enqueue([b], true), opts);
  }

  private enqueue(events: FinalizedBatch[], catchUp = false): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (catchUp && events.some((e) => e.batchNumber > this.deriver.nextBatchNumber)) events = [...events, ...(await this.opts.inbox.finalizedBatches())];
      const todo = events.filter((e) => e.batchNumber >= this.deriver.nextBatchNumber).sort((a, b) => (a.batchNumber < b.batchNumber ? -1 : 1));
      for (const e of todo) if (e.batchNumber >= this.deriver.nextBatchNumber) await this.check(e);
    });
    return this.queue;
  }

  private async check(e: FinalizedBatch): Promise<void> {
    let transactions: DerivedBatch["transactions"] = [];
    let committeeHash = this.committee ?? 0n;
    try {
      const d = await this.deriver.derive(e);
      transactions = d.transactions;
      committeeHash = d.committeeHash;
      this.committee = d.header?.nextCommitteeHash ?? d.committeeHash;
    } catch (err) {
      const p = { batchNumber: e.batchNumber, reason: err instanceof BatchVerificationError ? err.reason : (err as Error).message };
      this.problems.push(p);
      this.emit("problem", p);
      this.deriver.skip(e);
    }
    const { blockNumber: _block, ...rest } = e;
    const c: CheckedBatch = { ...rest, committeeHash, transactions };
    this.checked.push(c);
    this.emit("batch", c);
  }
}
