import type Database from "better-sqlite3";
import { openDurableDatabase, u64Key } from "../src/service.js";
import { MempoolFullError } from "../src/errors.js";

/**
 * How much a request may add to a member's pool of pending transactions
 * (received, in no report it signed yet, and younger than `pendingTtlMs`).
 */
export interface PoolLimits {
  /** Who sent them (the HTTP client's address). */
  client: string;
  maxPending: number;
  maxPerClient: number;
  /** A transaction stops counting as pending this long after it arrived (default 10 minutes): one never proposed does not hold a slot for ever. */
  pendingTtlMs: number;
}

/** A report this member signed (persisted before it is answered). */
export interface SignedRecord {
  batchNumber: bigint;
  round: bigint;
  batchHash: bigint;
  /** Poseidon(batchHash, tsCommit): what was signed. Two records for one (batchNumber, round) never differ in it. */
  message: bigint;
  report: string;
}

/** A finalized batch as the member followed it from L1 (member/networkView.ts shows them). */
export interface LandedBatch {
  batchNumber: bigint;
  batchHash: bigint;
  txRoot: bigint;
  /** The round of the header that landed (null for an escape-hatch batch, or when neither calldata nor a report told it). */
  round: bigint | null;
  /** The leaf that led that round (leaderOf the header's committee), when known. */
  leader: number | null;
  forcedOnly: boolean;
  forcedFrom: bigint;
  forcedTo: bigint;
  /** Every slot's txHash in slot order (forced first), or null when the member could not read them. */
  slots: bigint[] | null;
  l1TxHash: string;
  blockNumber: bigint;
  /** Filled in later from the receipt and the block (null until then). */
  gasUsed: bigint | null;
  blockTimeMs: number | null;
}

/** A transaction as the member received it. */
export interface ReceivedTx {
  txHash: bigint;
  raw: Uint8Array;
  /** Unix ms of its first arrival at this member. */
  receivedAt: number;
}

/**
 * A member's durable memory: every transaction it received (raw bytes and its
 * own first receive time), and every report it signed, one per
 * (batchNumber, round). SQLite, WAL, synchronous=FULL: a signature is on disk
 * before it leaves the node, so a restart can never make it equivocate.
 */
export class MemberStore {
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(path: string) {
    this.db = openDurableDatabase(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS raw_txs (tx_hash TEXT PRIMARY KEY, raw BLOB NOT NULL, received_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS reports (
        batch_number TEXT NOT NULL,
        round TEXT NOT NULL,
        batch_hash TEXT NOT NULL,
        message TEXT NOT NULL,
        report TEXT NOT NULL,
        signed_at INTEGER NOT NULL,
        PRIMARY KEY (batch_number, round)
      );
    `);
    // who sent each transaction, and whether a signed report covered it (added after the first release: older files gain the columns)
    const cols = (this.db.prepare(`PRAGMA table_info(raw_txs)`).all() as { name: string }[]).map((c) => c.name);
    if (!cols.includes("client")) this.db.exec(`ALTER TABLE raw_txs ADD COLUMN client TEXT`);
    if (!cols.includes("reported")) this.db.exec(`ALTER TABLE raw_txs ADD COLUMN reported INTEGER NOT NULL DEFAULT 0`);
    // the batch a transaction landed in on L1 (the member follows the inbox), and how far it followed
    if (!cols.includes("landed_batch")) this.db.exec(`ALTER TABLE raw_txs ADD COLUMN landed_batch TEXT`);
    this.db.exec(`CREATE INDEX IF NOT EXISTS raw_txs_pending ON raw_txs (reported, received_at)`);
    this.db.exec(`CREATE INDEX IF NOT EXISTS raw_txs_unlanded ON raw_txs (landed_batch, received_at)`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS landed (tx_hash TEXT PRIMARY KEY, batch_number TEXT NOT NULL)`);
    // the slots of each signed report, so a batch it signed can be followed even when its calldata cannot be read
    if (!(this.db.prepare(`PRAGMA table_info(reports)`).all() as { name: string }[]).some((c) => c.name === "tx_hashes")) this.db.exec(`ALTER TABLE reports ADD COLUMN tx_hashes TEXT`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    // each finalized batch it followed: what the network page shows and where an inclusion proof comes from
    this.db.exec(`CREATE TABLE IF NOT EXISTS batches (
      batch_number TEXT PRIMARY KEY, batch_hash TEXT NOT NULL, tx_root TEXT NOT NULL, round TEXT, leader INTEGER, forced_only INTEGER NOT NULL,
      forced_from TEXT NOT NULL, forced_to TEXT NOT NULL, slots TEXT, l1_tx TEXT NOT NULL, block_number TEXT NOT NULL, gas_used TEXT, block_time INTEGER
    )`);
    this.stmt = {
      // a transaction that arrives after it landed (late gossip, a wallet resending) is born landed: never proposed twice
      insertTx: this.db.prepare(`INSERT OR IGNORE INTO raw_txs (tx_hash, raw, received_at, client, landed_batch) VALUES (?, ?, ?, ?, (SELECT batch_number FROM landed WHERE tx_hash = ?))`),
      known: this.db.prepare(`SELECT 1 FROM raw_txs WHERE tx_hash = ?`),
      pending: this.db.prepare(`SELECT COUNT(*) AS n FROM raw_txs WHERE reported = 0 AND received_at > ?`),
      pendingOf: this.db.prepare(`SELECT COUNT(*) AS n FROM raw_txs WHERE reported = 0 AND received_at > ? AND client = ?`),
      markReported: this.db.prepare(`UPDATE raw_txs SET reported = 1 WHERE tx_hash = ?`),
      receivedAt: this.db.prepare(`SELECT received_at AS t FROM raw_txs WHERE tx_hash = ?`),
      raw: this.db.prepare(`SELECT raw, received_at FROM raw_txs WHERE tx_hash = ?`),
      signed: this.db.prepare(`SELECT * FROM reports WHERE batch_number = ? AND round = ?`),
      last: this.db.prepare(`SELECT * FROM reports ORDER BY batch_number DESC, round DESC LIMIT 1`),
      all: this.db.prepare(`SELECT * FROM reports ORDER BY batch_number, round`),
      unlandedSince: this.db.prepare(`SELECT tx_hash, received_at FROM raw_txs WHERE landed_batch IS NULL AND received_at >= ? ORDER BY received_at, tx_hash LIMIT ?`),
      slotsOf: this.db.prepare(`SELECT tx_hashes FROM reports WHERE batch_hash = ? AND tx_hashes IS NOT NULL LIMIT 1`),
      unlanded: this.db.prepare(`SELECT tx_hash, received_at FROM raw_txs WHERE landed_batch IS NULL ORDER BY received_at, tx_hash LIMIT ?`),
      unlandedCount: this.db.prepare(`SELECT COUNT(*) AS n FROM raw_txs WHERE landed_batch IS NULL`),
      landRaw: this.db.prepare(`UPDATE raw_txs SET landed_batch = ? WHERE tx_hash = ?`),
      land: this.db.prepare(`INSERT OR IGNORE INTO landed (tx_hash, batch_number) VALUES (?, ?)`),
      landedIn: this.db.prepare(`SELECT batch_number FROM landed WHERE tx_hash = ?`),
      getMeta: this.db.prepare(`SELECT value FROM meta WHERE key = ?`),
      setMeta: this.db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
      insertBatch: this.db.prepare(`INSERT OR IGNORE INTO batches (batch_number, batch_hash, tx_root, round, leader, forced_only, forced_from, forced_to, slots, l1_tx, block_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      batch: this.db.prepare(`SELECT * FROM batches WHERE batch_number = ?`),
      batches: this.db.prepare(`SELECT * FROM batches WHERE batch_number < ? ORDER BY batch_number DESC LIMIT ?`),
      setReceipt: this.db.prepare(`UPDATE batches SET gas_used = ?, block_time = ? WHERE batch_number = ?`),
      arrivals: this.db.prepare(`SELECT received_at FROM raw_txs WHERE landed_batch = ? ORDER BY received_at`),
      signedAtOf: this.db.prepare(`SELECT signed_at FROM reports WHERE batch_number = ? AND round = ?`),
      record: this.db.prepare(`INSERT OR IGNORE INTO reports (batch_number, round, batch_hash, message, report, signed_at, tx_hashes) VALUES (?, ?, ?, ?, ?, ?, ?)`),
    };
  }

  /**
   * Records each transaction not seen before with its bytes and receive time;
   * returns the hashes that were new. With `limits`, the request is refused
   * whole (MempoolFullError, nothing recorded, nothing evicted) if its new
   * transactions would take the pending count past `maxPending` or this
   * client's past `maxPerClient`.
   */
  receive(txs: readonly { txHash: bigint; raw: Uint8Array }[], at: number, limits?: PoolLimits): bigint[] {
    return this.db.transaction(() => {
      if (limits) {
        const fresh = new Set(txs.filter((t) => !this.stmt.known.get(t.txHash.toString())).map((t) => t.txHash)).size;
        if (fresh > 0) {
          const since = at - limits.pendingTtlMs;
          if ((this.stmt.pending.get(since) as { n: number }).n + fresh > limits.maxPending) throw new MempoolFullError("mempool", limits.maxPending);
          if ((this.stmt.pendingOf.get(since, limits.client) as { n: number }).n + fresh > limits.maxPerClient) throw new MempoolFullError("client", limits.maxPerClient);
        }
      }
      return txs.filter((t) => this.stmt.insertTx.run(t.txHash.toString(), Buffer.from(t.raw), at, limits?.client ?? null, t.txHash.toString()).changes === 1).map((t) => t.txHash);
    })();
  }

  /** Pending transactions: received after `since` (unix ms) and in no report this member signed. */
  pendingCount(since = 0): number {
    return (this.stmt.pending.get(since) as { n: number }).n;
  }

  /** Received transactions not yet in a finalized batch, by this member's receive time (oldest first). */
  unlandedTxs(limit: number): { txHash: bigint; receivedAt: number }[] {
    return (this.stmt.unlanded.all(limit) as { tx_hash: string; received_at: number }[]).map((r) => ({ txHash: BigInt(r.tx_hash), receivedAt: r.received_at }));
  }

  /** The earliest `limit` transactions not landed that it received at or after `sinceMs`. */
  unlandedSince(sinceMs: number, limit: number): { txHash: bigint; receivedAt: number }[] {
    return (this.stmt.unlandedSince.all(sinceMs, limit) as { tx_hash: string; received_at: number }[]).map((r) => ({ txHash: BigInt(r.tx_hash), receivedAt: r.received_at }));
  }

  /** The slots of the batch with this batchHash, if this member signed a report on it. */
  slotsSigned(batchHash: bigint): bigint[] | undefined {
    const r = this.stmt.slotsOf.get(batchHash.toString()) as { tx_hashes: string } | undefined;
    return r ? (JSON.parse(r.tx_hashes) as string[]).map(BigInt) : undefined;
  }

  unlandedCount(): number {
    return (this.stmt.unlandedCount.get() as { n: number }).n;
  }

  /**
   * Records the transactions of finalized batch `batchNumber` (read from L1)
   * and that this member followed the inbox up to it, in one transaction; a
   * landed transaction is never proposed again. Returns how many of them this
   * member had received.
   */
  markLanded(batchNumber: bigint, txHashes: readonly bigint[], batch?: Omit<LandedBatch, "batchNumber" | "gasUsed" | "blockTimeMs">): number {
    return this.db.transaction(() => {
      let mine = 0;
      if (batch) {
        const b = batch;
        this.stmt.insertBatch.run(u64Key(batchNumber), b.batchHash.toString(), b.txRoot.toString(), b.round === null ? null : b.round.toString(), b.leader, b.forcedOnly ? 1 : 0, b.forcedFrom.toString(), b.forcedTo.toString(), b.slots ? JSON.stringify(b.slots.map(String)) : null, b.l1TxHash, b.blockNumber.toString());
      }
      for (const h of txHashes) {
        this.stmt.land.run(h.toString(), u64Key(batchNumber));
        mine += this.stmt.landRaw.run(u64Key(batchNumber), h.toString()).changes;
        this.stmt.markReported.run(h.toString());
      }
      this.stmt.setMeta.run("followedTo", batchNumber.toString());
      return mine;
    })();
  }

  /** A followed batch by number. */
  batch(batchNumber: bigint): LandedBatch | undefined {
    return toBatch(this.stmt.batch.get(u64Key(batchNumber)) as BatchRow | undefined);
  }

  /** The `limit` latest followed batches below `before` (default: all), newest first. */
  batches(limit: number, before?: bigint): LandedBatch[] {
    return (this.stmt.batches.all(before === undefined ? "~" : u64Key(before), limit) as BatchRow[]).map((r) => toBatch(r)!);
  }

  /** Records a followed batch's gas and block time (read later than the batch itself). */
  setBatchReceipt(batchNumber: bigint, gasUsed: bigint, blockTimeMs: number): void {
    this.stmt.setReceipt.run(gasUsed.toString(), blockTimeMs, u64Key(batchNumber));
  }

  /** This member's receive times (unix ms, ascending) of the transactions of batch `batchNumber` it had received. */
  arrivalsIn(batchNumber: bigint): number[] {
    return (this.stmt.arrivals.all(u64Key(batchNumber)) as { received_at: number }[]).map((r) => r.received_at);
  }

  /** When this member signed its report on (batchNumber, round), unix ms, if it did. */
  signedAt(batchNumber: bigint, round: bigint): number | undefined {
    return (this.stmt.signedAtOf.get(u64Key(batchNumber), u64Key(round)) as { signed_at: number } | undefined)?.signed_at;
  }

  /** The last finalized batch number this member read from L1 (0n before the first). */
  followedTo(): bigint {
    const r = this.stmt.getMeta.get("followedTo") as { value: string } | undefined;
    return r ? BigInt(r.value) : 0n;
  }

  /** The finalized batch a transaction landed in, if this member saw it land. */
  landedIn(txHash: bigint): bigint | undefined {
    const r = this.stmt.landedIn.get(txHash.toString()) as { batch_number: string } | undefined;
    return r ? BigInt(r.batch_number) : undefined;
  }

  /** This member's receive time of each transaction, or undefined if it never saw it. */
  receivedAt(txHashes: readonly bigint[]): (number | undefined)[] {
    return txHashes.map((h) => (this.stmt.receivedAt.get(h.toString()) as { t: number } | undefined)?.t);
  }

  /** A received transaction's bytes and receive time. */
  tx(txHash: bigint): ReceivedTx | undefined {
    const r = this.stmt.raw.get(txHash.toString()) as { raw: Buffer; received_at: number } | undefined;
    return r && { txHash, raw: new Uint8Array(r.raw), receivedAt: r.received_at };
  }

  signed(batchNumber: bigint, round: bigint): SignedRecord | undefined {
    return toRecord(this.stmt.signed.get(u64Key(batchNumber), u64Key(round)) as Row | undefined);
  }

  /** The report of the highest (batchNumber, round) this member signed, if any. */
  lastSigned(): SignedRecord | undefined {
    return toRecord(this.stmt.last.get() as Row | undefined);
  }

  /** Every report this member signed, in (batchNumber, round) order. */
  allSigned(): SignedRecord[] {
    return (this.stmt.all.all() as Row[]).map((r) => toRecord(r)!);
  }

  /** Stores a signed report; false if a record for that (batchNumber, round) exists already (nothing written). */
  recordSigned(rec: SignedRecord, txHashes: readonly bigint[] = []): boolean {
    return this.db.transaction(() => {
      if (this.stmt.record.run(u64Key(rec.batchNumber), u64Key(rec.round), rec.batchHash.toString(), rec.message.toString(), rec.report, Date.now(), JSON.stringify(txHashes.map(String))).changes !== 1) return false;
      // a reported transaction no longer holds a pending slot
      for (const h of txHashes) this.stmt.markReported.run(h.toString());
      return true;
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

interface BatchRow {
  batch_number: string;
  batch_hash: string;
  tx_root: string;
  round: string | null;
  leader: number | null;
  forced_only: number;
  forced_from: string;
  forced_to: string;
  slots: string | null;
  l1_tx: string;
  block_number: string;
  gas_used: string | null;
  block_time: number | null;
}

function toBatch(r: BatchRow | undefined): LandedBatch | undefined {
  return (
    r && {
      batchNumber: BigInt(r.batch_number),
      batchHash: BigInt(r.batch_hash),
      txRoot: BigInt(r.tx_root),
      round: r.round === null ? null : BigInt(r.round),
      leader: r.leader,
      forcedOnly: r.forced_only === 1,
      forcedFrom: BigInt(r.forced_from),
      forcedTo: BigInt(r.forced_to),
      slots: r.slots === null ? null : (JSON.parse(r.slots) as string[]).map(BigInt),
      l1TxHash: r.l1_tx,
      blockNumber: BigInt(r.block_number),
      gasUsed: r.gas_used === null ? null : BigInt(r.gas_used),
      blockTimeMs: r.block_time,
    }
  );
}

interface Row {
  batch_number: string;
  round: string;
  batch_hash: string;
  message: string;
  report: string;
}

function toRecord(r: Row | undefined): SignedRecord | undefined {
  return r && { batchNumber: BigInt(r.batch_number), round: BigInt(r.round), batchHash: BigInt(r.batch_hash), message: BigInt(r.message), report: r.report };
}
