import { keccak256, type Hash, type Hex } from "viem";
import { batchInboxAbi } from "../chain/abi.js";
import { decodeSubmitBatch, type FinalizedBatch, type ForcedEntryEvent, type InboxClient } from "../chain/inboxClient.js";
import { publicSignalsFromPackedHeader, type SnarkjsProof } from "../chain/solidity.js";
import { getBatchBuild, type BatchCircuitBuild } from "../builds.js";
import { foldForcedAccumulator } from "../forced.js";
import type { BatchHeader } from "../header.js";
import { poseidon } from "../poseidon.js";
import { txHashOf } from "../txHash.js";
import { BatchVerificationError } from "../errors.js";
import { verifyBatch, type VerificationKey } from "./verifyBatch.js";

/** One transaction of a finalized batch, as derived from L1. */
export interface DerivedTransaction {
  /** Its slot in the batch (forced ones first). */
  slot: number;
  txHash: bigint;
  /** The raw bytes, from L1 calldata (posted) or the ForceIncluded event (forced). */
  raw: Hex;
  /** Set for a forced transaction: its index in the forced queue. */
  forcedIndex?: bigint;
}

/** A finalized batch, verified and with its transactions in order. */
export interface DerivedBatch {
  batchNumber: bigint;
  batchHash: bigint;
  prevBatchHash: bigint;
  /** True for an escape-hatch batch (forced entries only, no committee proof). */
  forcedOnly: boolean;
  /** The proven header (committee batches only). */
  header?: BatchHeader;
  /** The committee that signed it (for a forced-only batch, the one current at the time). */
  committeeHash: bigint;
  txRoot: bigint;
  transactions: DerivedTransaction[];
  l1TxHash: Hash;
  blockNumber: bigint;
}

/** What a derivation needs: the inbox, and the verification key of the build its verifier was made from. */
export interface DeriveOptions {
  inbox: InboxClient;
  verificationKey: VerificationKey;
  build: string | BatchCircuitBuild;
  /** The inbox's genesis (default: read from the inbox itself). */
  genesis?: { batchHash: bigint; committeeHash: bigint };
}

/**
 * Derives a rollup's batches from L1 alone: for each BatchFinalized event, in
 * order, the submitBatch calldata (header, proof, the raw bytes of the
 * fair-ordered transactions) and the forced queue's raw transactions. It
 * verifies each batch's Groth16 proof, its data binding (the posted bytes are
 * exactly the slots the proof commits to), its forced slots (the queue's
 * entries, whose accumulator the proof extends), and its place in the chain
 * (number, previous hash, committee, handovers); escape-hatch batches are
 * checked against Poseidon(prev, number, forcedAcc). It trusts no sequencer,
 * member or RPC answer it does not check: a batch that fails a check is an
 * error, and the derivation stops there.
 *
 * This is what a rollup node consumes; LightClient builds on it.
 *
 * @example
 * const deriver = new BatchDeriver({ inbox, verificationKey: vkey, build: "dev" })
 * for (const b of await deriver.sync()) for (const tx of b.transactions) apply(tx.raw)
 */
export class BatchDeriver {
  private readonly build: BatchCircuitBuild;
  private next = 1n;
  private head: bigint | undefined;
  private committee: bigint | undefined;
  private forced: ForcedEntryEvent[] = [];
  /** forcedAcc[i]: the accumulator after the first i forced entries (checked against each event). */
  private readonly forcedAcc: bigint[] = [0n];

  constructor(private readonly opts: DeriveOptions) {
    this.build = getBatchBuild(typeof opts.build === "string" ? opts.build : opts.build.id);
  }

  /** The number of the next batch this deriver expects. */
  get nextBatchNumber(): bigint {
    return this.next;
  }

  /** Derives every batch finalized so far that it has not derived yet, in order. */
  async sync(): Promise<DerivedBatch[]> {
    const events = (await this.opts.inbox.finalizedBatches()).filter((e) => e.batchNumber >= this.next).sort((a, b) => (a.batchNumber < b.batchNumber ? -1 : 1));
    const out: DerivedBatch[] = [];
    for (const e of events) out.push(await this.derive(e));
    return out;
  }

  /** Derives one finalized batch: it must be the next one. Throws BatchVerificationError on any failed check. */
  async derive(e: FinalizedBatch): Promise<DerivedBatch> {
    const genesis = this.head === undefined || this.committee === undefined ? (this.opts.genesis ?? (await readGenesis(this.opts.inbox))) : undefined;
    const prev = this.head ?? genesis!.batchHash;
    const signedBy = this.committee ?? genesis!.committeeHash;
    this.head = prev;
    this.committee = signedBy;
    if (e.batchNumber !== this.next) throw new BatchVerificationError(`gap: expected batch ${this.next}, got ${e.batchNumber}`);
    await this.loadForced(e.forcedTo);
    const forcedTxs = this.forced.slice(Number(e.forcedFrom), Number(e.forcedTo)).map((f, i) => ({ slot: i, txHash: f.txHash, raw: f.rawTx, forcedIndex: f.index }));
    let derived: DerivedBatch;
    if (e.forcedOnly) {
      const want = poseidon([prev, e.batchNumber, this.forcedAcc[Number(e.forcedTo)]!]);
      if (want !== e.batchHash) throw new BatchVerificationError(`forced-only batch ${e.batchNumber}: hash ${e.batchHash} is not Poseidon(prev, number, forcedAcc) = ${want}`);
      derived = { batchNumber: e.batchNumber, batchHash: e.batchHash, prevBatchHash: prev, forcedOnly: true, committeeHash: signedBy, txRoot: 0n, transactions: forcedTxs, l1TxHash: e.transactionHash, blockNumber: e.blockNumber };
    } else {
      const call = await this.submitBatchCall(e.transactionHash);
      const { header, batchHash } = await verifyBatch({
        proof: call.proof,
        publicSignals: call.publicSignals,
        verificationKey: this.opts.verificationKey,
        postedTxs: call.txs,
        expected: { batchNumber: e.batchNumber, prevBatchHash: prev, committeeHash: signedBy, inbox: BigInt(this.opts.inbox.address) },
      });
      if (batchHash !== e.batchHash || header.txRoot !== e.txRoot || header.txCount !== e.txCount || header.forcedFrom !== e.forcedFrom || header.forcedTo !== e.forcedTo) {
        throw new BatchVerificationError(`batch ${e.batchNumber}: the BatchFinalized event does not match the proven header`);
      }
      if (foldForcedAccumulator(header.forcedAccFrom, forcedTxs.map((t) => t.txHash)) !== header.forcedAccTo || this.forcedAcc[Number(header.forcedFrom)] !== header.forcedAccFrom) {
        throw new BatchVerificationError(`batch ${e.batchNumber}: its forced slots are not the queue's entries [${header.forcedFrom}, ${header.forcedTo})`);
      }
      const k = forcedTxs.length;
      const posted = call.txs.map((raw, j) => ({ slot: k + j, txHash: txHashOf(raw), raw }));
      derived = {
        batchNumber: e.batchNumber,
        batchHash,
        prevBatchHash: prev,
        forcedOnly: false,
        header,
        committeeHash: signedBy,
        txRoot: header.txRoot,
        transactions: [...forcedTxs, ...posted],
        l1TxHash: e.transactionHash,
        blockNumber: e.blockNumber,
      };
      this.committee = header.nextCommitteeHash;
    }
    this.head = e.batchHash;
    this.next = e.batchNumber + 1n;
    return derived;
  }

  /**
   * Moves past a batch that failed a check, taking the event's word for its
   * hash (a light client reports the problem and keeps following the chain).
   */
  skip(e: FinalizedBatch): void {
    this.head = e.batchHash;
    this.next = e.batchNumber + 1n;
  }

  /** The calldata of a submitBatch transaction: public signals, proof, posted raw transactions. */
  private async submitBatchCall(hash: Hash): Promise<{ publicSignals: string[]; proof: SnarkjsProof; txs: Hex[] }> {
    const tx = await this.opts.inbox.client.getTransaction({ hash });
    let call;
    try {
      call = decodeSubmitBatch(tx.input);
    } catch (err) {
      throw new BatchVerificationError(`transaction ${hash}: ${(err as Error).message}`);
    }
    return { publicSignals: publicSignalsFromPackedHeader(call.header), proof: proofFromSolidity(call.proof as unknown as readonly bigint[]), txs: call.txs };
  }

  /** Reads forced entries up to `upTo`, checking each event's accumulator and raw bytes. */
  private async loadForced(upTo: bigint): Promise<void> {
    if (this.forced.length >= Number(upTo)) return;
    for (const f of await this.opts.inbox.forcedEntries()) {
      const i = Number(f.index);
      if (i < this.forced.length) continue;
      if (i !== this.forced.length) throw new BatchVerificationError(`forced queue: entry ${i} follows entry ${this.forced.length - 1}`);
      if (txHashOf(f.rawTx) !== f.txHash) throw new BatchVerificationError(`forced entry ${i}: its bytes do not hash to ${f.txHash}`);
      const acc = poseidon([this.forcedAcc[i]!, f.txHash]);
      if (acc !== f.accumulator) throw new BatchVerificationError(`forced entry ${i}: the inbox's accumulator ${f.accumulator} is not Poseidon(acc, txHash) = ${acc}`);
      this.forced.push(f);
      this.forcedAcc.push(acc);
    }
    if (this.forced.length < Number(upTo)) throw new BatchVerificationError(`the forced queue has ${this.forced.length} entries, a batch consumes up to ${upTo}`);
  }
}

/**
 * Every finalized batch from L1, verified, in order; with `follow`, waits for
 * new ones (polling every `pollMs`) until `signal` aborts.
 *
 * @example
 * for await (const b of deriveBatches({ inbox, verificationKey, build: "dev", follow: true })) console.log(b.batchNumber)
 */
export async function* deriveBatches(opts: DeriveOptions & { fromBatch?: bigint; follow?: boolean; pollMs?: number; signal?: AbortSignal }): AsyncGenerator<DerivedBatch> {
  const deriver = new BatchDeriver(opts);
  for (;;) {
    for (const b of await deriver.sync()) if (b.batchNumber >= (opts.fromBatch ?? 1n)) yield b;
    if (!opts.follow || opts.signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, opts.pollMs ?? 1000);
      opts.signal?.addEventListener("abort", () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
    if (opts.signal?.aborted) return;
  }
}

/** Where an inbox's chain starts: its genesisBatchHash and the committee of epoch 0 (its first CommitteeScheduled event). */
export async function readGenesis(inbox: InboxClient): Promise<{ batchHash: bigint; committeeHash: bigint }> {
  const [committees, batchHash] = await Promise.all([
    inbox.scheduledCommittees(),
    inbox.client.readContract({ address: inbox.address, abi: batchInboxAbi, functionName: "genesisBatchHash" }),
  ]);
  const genesis = committees.find((c) => c.epoch === 0n);
  if (!genesis) throw new BatchVerificationError("the inbox emitted no genesis committee (epoch 0)");
  return { batchHash, committeeHash: genesis.committeeHash };
}

/** Inverse of proofToSolidity: a snarkjs proof from the inbox's calldata layout. */
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

/** The zkseq txHash of raw bytes and the Ethereum-style hash a wallet shows (the first is the low 248 bits of the second). */
export function transactionIds(raw: Hex): { txHash: bigint; ethHash: Hex } {
  return { txHash: txHashOf(raw), ethHash: keccak256(raw) };
}
