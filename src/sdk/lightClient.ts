import { EventEmitter } from "node:events";
import { decodeFunctionData } from "viem";
import { batchInboxAbi } from "../chain/abi.js";
import type { FinalizedBatch, InboxClient } from "../chain/inboxClient.js";
import { publicSignalsFromPackedHeader, type PackedBatchHeader, type SnarkjsProof } from "../chain/solidity.js";
import { poseidon } from "../poseidon.js";
import { BatchVerificationError } from "../errors.js";
import { verifyBatch, type VerificationKey } from "./verifyBatch.js";

/** A finalized batch the light client checked, with the committee that signed it (the current one for forced-only batches). */
export type CheckedBatch = Omit<FinalizedBatch, "blockNumber"> & { committeeHash: bigint };

/** Something wrong on the chain: a gap in batch numbers, a proof that does not verify, a header that does not chain. */
export interface LightClientProblem {
  batchNumber: bigint;
  reason: string;
}

/** Inverse of proofToSolidity. */
export function proofFromSolidity(p: readonly bigint[]): SnarkjsProof & { protocol: string; curve: string } {
  const s = p.map(String);
  return {
    pi_a: [s[0]!, s[1]!, "1"],
    pi_b: [
      [s[3]!, s[2]!],
      [s[5]!, s[4]!],
      ["1", "0"],
    ],
    pi_c: [s[6]!, s[7]!, "1"],
    protocol: "groth16",
    curve: "bn128",
  };
}

/**
 * Follows an inbox's BatchFinalized events and checks every batch without
 * trusting anyone: it fetches each batch's calldata, verifies its proof
 * locally, and checks the chain links (batch numbers without gaps, each
 * prevBatchHash the hash before it, the committee the current one, handovers
 * followed, forced-only batches hashed as the inbox defines them).
 *
 * Events: `batch` (CheckedBatch) and `problem` (LightClientProblem).
 *
 * @example
 * const lc = new LightClient({ inbox, verificationKey: vkey, genesisBatchHash, genesisCommitteeHash })
 * lc.on("problem", (p) => console.error(p))
 * await lc.sync()
 */
export class LightClient extends EventEmitter<{ batch: [CheckedBatch]; problem: [LightClientProblem] }> {
  private lastNumber = 0n;
  private lastHash: bigint;
  private committee: bigint;
  private forcedAcc: bigint[] = [0n];
  private readonly checked: CheckedBatch[] = [];
  private readonly problems: LightClientProblem[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: { inbox: InboxClient; verificationKey: VerificationKey; genesisBatchHash: bigint; genesisCommitteeHash: bigint }) {
    super();
    this.lastHash = opts.genesisBatchHash;
    this.committee = opts.genesisCommitteeHash;
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
    await this.enqueue(events.filter((e) => e.batchNumber > this.lastNumber));
    return this.checked;
  }

  /** Checks new batches as they land; returns the function that stops following. */
  follow(opts: { pollingInterval?: number } = {}): () => void {
    return this.opts.inbox.watchBatchFinalized((b) => void this.enqueue([b]), opts);
  }

  private enqueue(events: FinalizedBatch[]): Promise<void> {
    this.queue = this.queue.then(async () => {
      for (const e of events) if (e.batchNumber > this.lastNumber) await this.check(e);
    });
    return this.queue;
  }

  private problem(batchNumber: bigint, reason: string): void {
    const p = { batchNumber, reason };
    this.problems.push(p);
    this.emit("problem", p);
  }

  private async check(e: FinalizedBatch): Promise<void> {
    if (e.batchNumber !== this.lastNumber + 1n) this.problem(e.batchNumber, `gap: expected batch ${this.lastNumber + 1n}, got ${e.batchNumber}`);
    const signedBy = this.committee;
    try {
      if (e.forcedOnly) {
        await this.loadForced(e.forcedTo);
        const want = poseidon([this.lastHash, e.batchNumber, this.forcedAcc[Number(e.forcedTo)]!]);
        if (want !== e.batchHash) throw new BatchVerificationError(`forced-only batch hash ${e.batchHash} is not Poseidon(prev, number, forcedAcc) = ${want}`);
      } else {
        const tx = await this.opts.inbox.client.getTransaction({ hash: e.transactionHash });
        const call = decodeFunctionData({ abi: batchInboxAbi, data: tx.input });
        if (call.functionName !== "submitBatch") throw new BatchVerificationError(`transaction ${e.transactionHash} is not a submitBatch call`);
        const [h, p] = call.args as unknown as [PackedBatchHeader, readonly bigint[]];
        const publicSignals = publicSignalsFromPackedHeader(h);
        const { header, batchHash } = await verifyBatch({
          proof: proofFromSolidity(p),
          publicSignals,
          verificationKey: this.opts.verificationKey,
          expected: { batchNumber: e.batchNumber, prevBatchHash: this.lastHash, committeeHash: this.committee },
        });
        if (batchHash !== e.batchHash || header.txRoot !== e.txRoot || header.txCount !== e.txCount || header.forcedFrom !== e.forcedFrom || header.forcedTo !== e.forcedTo) {
          throw new BatchVerificationError("the event does not match the proven header");
        }
        this.committee = header.nextCommitteeHash;
      }
    } catch (err) {
      this.problem(e.batchNumber, err instanceof BatchVerificationError ? err.reason : (err as Error).message);
    }
    this.lastNumber = e.batchNumber;
    this.lastHash = e.batchHash;
    const { blockNumber: _block, ...rest } = e;
    const c: CheckedBatch = { ...rest, committeeHash: signedBy };
    this.checked.push(c);
    this.emit("batch", c);
  }

  private async loadForced(upTo: bigint): Promise<void> {
    if (this.forcedAcc.length > Number(upTo)) return;
    for (const f of await this.opts.inbox.forcedEntries()) {
      const i = Number(f.index);
      if (i + 1 < this.forcedAcc.length) continue;
      const acc = poseidon([this.forcedAcc[i]!, f.txHash]);
      if (acc !== f.accumulator) this.problem(0n, `forced entry ${i}: the inbox's accumulator ${f.accumulator} is not Poseidon(acc, txHash) = ${acc}`);
      this.forcedAcc.push(acc);
    }
  }
}
