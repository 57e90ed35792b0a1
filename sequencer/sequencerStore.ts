import type Database from "better-sqlite3";
import { openDurableDatabase, u64Key } from "../src/service.js";
import type { BatchFileJson } from "../src/batchFile.js";
import { MempoolFullError } from "../src/errors.js";

/** How much of the mempool one request may take: the whole (`maxPending`) and one client's share (`maxPerClient`) of pending transactions. */
export interface MempoolLimits {
  /** Who sent them (the HTTP client's address). */
  client: string;
  maxPending: number;
  maxPerClient: number;
}

/** Where a batch is: proposed (header fixed, reports being collected), signed, proven, finalized, or abandoned (the chain moved past it). */
export type BatchState = "proposed" | "signed" | "proven" | "finalized" | "abandoned";

export interface BatchRecord {
  batchNumber: bigint;
  state: BatchState;
  /** The batch file (reports empty while proposed). */
  batch: BatchFileJson;
  /** The proof's JSON once proven: { proof, publicSignals }. */
  proof?: { proof: unknown; publicSignals: string[] };
  jobId?: string;
  cutAt: number;
  finalizedAt?: number;
  l1TxHash?: string;
}

/**
 * The sequencer's durable state: its mempool and every batch it cut. SQLite
 * (WAL, synchronous=FULL), so a restart resumes a batch where it stopped and
 * never proposes a second header for a batch number the members signed.
 */
export class SequencerStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = openDurableDatabase(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS txs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        tx_hash TEXT NOT NULL UNIQUE,
        raw BLOB,
        received_at INTEGER NOT NULL,
        batch_number TEXT
      );
      CREATE TABLE IF NOT EXISTS batches (
        batch_number TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        batch TEXT NOT NULL,
        proof TEXT,
        job_id TEXT,
        cut_at INTEGER NOT NULL,
        finalized_at INTEGER,
        l1_tx_hash TEXT
      );
    `);
    // the sender of each pending transaction (added after the first release: older files gain the column)
    if (!(this.db.prepare(`PRAGMA table_info(txs)`).all() as { name: string }[]).some((c) => c.name === "client")) this.db.exec(`ALTER TABLE txs ADD COLUMN client TEXT`);
    this.db.exec(`CREATE INDEX IF NOT EXISTS txs_pending ON txs (batch_number, client)`);
  }

  /**
   * Adds raw transactions to the mempool; returns the ones not seen before.
   * With `limits`, the request is refused whole (MempoolFullError, nothing
   * added, nothing evicted) if its new transactions would take the pending
   * count past `maxPending` or this client's past `maxPerClient`.
   */
  addTxs(txs: readonly { txHash: bigint; raw: Uint8Array }[], at: number, limits?: MempoolLimits): { txHash: bigint; raw: Uint8Array }[] {
    const known = this.db.prepare(`SELECT 1 FROM txs WHERE tx_hash = ?`);
    const insert = this.db.prepare(`INSERT OR IGNORE INTO txs (tx_hash, raw, received_at, client) VALUES (?, ?, ?, ?)`);
    return this.db.transaction(() => {
      if (limits) {
        const fresh = new Set(txs.filter((t) => !known.get(t.txHash.toString())).map((t) => t.txHash)).size;
        if (fresh > 0) {
          if (this.pendingCount() + fresh > limits.maxPending) throw new MempoolFullError("mempool", limits.maxPending);
          if (this.pendingCount(limits.client) + fresh > limits.maxPerClient) throw new MempoolFullError("client", limits.maxPerClient);
        }
      }
      return txs.filter((t) => insert.run(t.txHash.toString(), Buffer.from(t.raw), at, limits?.client ?? null).changes === 1);
    })();
  }

  /** Transactions not in a finalized batch (of one client, if given). */
  pendingCount(client?: string): number {
    const r =
      client === undefined
        ? this.db.prepare(`SELECT COUNT(*) AS n FROM txs WHERE batch_number IS NULL`).get()
        : this.db.prepare(`SELECT COUNT(*) AS n FROM txs WHERE batch_number IS NULL AND client = ?`).get(client);
    return (r as { n: number }).n;
  }

  /** The raw bytes of each transaction (undefined for one this sequencer never received, e.g. a forced one). */
  rawTxs(txHashes: readonly bigint[]): (Uint8Array | undefined)[] {
    const get = this.db.prepare(`SELECT raw FROM txs WHERE tx_hash = ?`);
    return txHashes.map((h) => {
      const r = get.get(h.toString()) as { raw: Buffer | null } | undefined;
      return r?.raw ? new Uint8Array(r.raw) : undefined;
    });
  }

  /** Transactions not in a finalized batch, oldest first. */
  pendingTxs(limit = 10_000): { txHash: bigint; receivedAt: number }[] {
    return (this.db.prepare(`SELECT tx_hash, received_at FROM txs WHERE batch_number IS NULL ORDER BY seq LIMIT ?`).all(limit) as { tx_hash: string; received_at: number }[]).map((r) => ({
      txHash: BigInt(r.tx_hash),
      receivedAt: r.received_at,
    }));
  }

  /** The batch a transaction landed in, if any. */
  txBatch(txHash: bigint): bigint | undefined {
    const r = this.db.prepare(`SELECT batch_number FROM txs WHERE tx_hash = ?`).get(txHash.toString()) as { batch_number: string | null } | undefined;
    return r?.batch_number ? BigInt(r.batch_number) : undefined;
  }

  saveBatch(b: BatchRecord): void {
    this.db
      .prepare(
        `INSERT INTO batches (batch_number, state, batch, proof, job_id, cut_at, finalized_at, l1_tx_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (batch_number) DO UPDATE SET state = excluded.state, batch = excluded.batch, proof = excluded.proof, job_id = excluded.job_id,
           finalized_at = excluded.finalized_at, l1_tx_hash = excluded.l1_tx_hash`,
      )
      .run(u64Key(b.batchNumber), b.state, JSON.stringify(b.batch), b.proof ? JSON.stringify(b.proof) : null, b.jobId ?? null, b.cutAt, b.finalizedAt ?? null, b.l1TxHash ?? null);
  }

  /** Marks a batch finalized and its transactions included, in one transaction. */
  finalize(batchNumber: bigint, txHashes: readonly bigint[], l1TxHash: string | undefined): void {
    this.db.transaction(() => {
      this.db.prepare(`UPDATE batches SET state = 'finalized', finalized_at = ?, l1_tx_hash = ? WHERE batch_number = ?`).run(Date.now(), l1TxHash ?? null, u64Key(batchNumber));
      const add = this.db.prepare(`INSERT OR IGNORE INTO txs (tx_hash, received_at) VALUES (?, ?)`); // forced ones may never have been sent here
      const mark = this.db.prepare(`UPDATE txs SET batch_number = ? WHERE tx_hash = ?`);
      for (const h of txHashes) {
        add.run(h.toString(), Date.now());
        mark.run(u64Key(batchNumber), h.toString());
      }
    })();
  }

  batch(batchNumber: bigint): BatchRecord | undefined {
    const r = this.db.prepare(`SELECT * FROM batches WHERE batch_number = ?`).get(u64Key(batchNumber)) as Row | undefined;
    return r && fromRow(r);
  }

  /** The newest batch not finalized or abandoned, if any. */
  unfinished(): BatchRecord | undefined {
    const r = this.db.prepare(`SELECT * FROM batches WHERE state NOT IN ('finalized', 'abandoned') ORDER BY batch_number DESC LIMIT 1`).get() as Row | undefined;
    return r && fromRow(r);
  }

  batches(): BatchRecord[] {
    return (this.db.prepare(`SELECT * FROM batches ORDER BY batch_number`).all() as Row[]).map(fromRow);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

interface Row {
  batch_number: string;
  state: BatchState;
  batch: string;
  proof: string | null;
  job_id: string | null;
  cut_at: number;
  finalized_at: number | null;
  l1_tx_hash: string | null;
}


function fromRow(r: Row): BatchRecord {
  return {
    batchNumber: BigInt(r.batch_number),
    state: r.state,
    batch: JSON.parse(r.batch) as BatchFileJson,
    ...(r.proof ? { proof: JSON.parse(r.proof) as BatchRecord["proof"] & object } : {}),
    ...(r.job_id ? { jobId: r.job_id } : {}),
    cutAt: r.cut_at,
    ...(r.finalized_at ? { finalizedAt: r.finalized_at } : {}),
    ...(r.l1_tx_hash ? { l1TxHash: r.l1_tx_hash } : {}),
  };
}
