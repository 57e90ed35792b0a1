import type Database from "better-sqlite3";
import { openDurableDatabase, u64Key } from "../src/service.js";

/** A report this member signed (persisted before it is answered). */
export interface SignedRecord {
  batchNumber: bigint;
  batchHash: bigint;
  /** Poseidon(batchHash, tsCommit): what was signed. Two records for one batch number never differ in it. */
  message: bigint;
  report: string;
}

/**
 * A member's durable memory: its receive time of every transaction, and every
 * report it signed. SQLite, WAL, synchronous=FULL: a signature is on disk
 * before it leaves the node, so a restart can never make it equivocate.
 */
export class MemberStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = openDurableDatabase(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS txs (tx_hash TEXT PRIMARY KEY, received_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS signed (
        batch_number TEXT PRIMARY KEY,
        batch_hash TEXT NOT NULL,
        message TEXT NOT NULL,
        report TEXT NOT NULL,
        signed_at INTEGER NOT NULL
      );
    `);
  }

  /** Records the receive time of each transaction not seen before; returns how many were new. */
  receive(txHashes: readonly bigint[], at: number): number {
    const insert = this.db.prepare(`INSERT OR IGNORE INTO txs (tx_hash, received_at) VALUES (?, ?)`);
    return this.db.transaction(() => txHashes.reduce((n, h) => n + insert.run(h.toString(), at).changes, 0))();
  }

  /** This member's receive time of each transaction, or undefined if it never saw it. */
  receivedAt(txHashes: readonly bigint[]): (number | undefined)[] {
    const get = this.db.prepare(`SELECT received_at AS t FROM txs WHERE tx_hash = ?`);
    return txHashes.map((h) => (get.get(h.toString()) as { t: number } | undefined)?.t);
  }

  signed(batchNumber: bigint): SignedRecord | undefined {
    const r = this.db.prepare(`SELECT * FROM signed WHERE batch_number = ?`).get(u64Key(batchNumber)) as
      | { batch_number: string; batch_hash: string; message: string; report: string }
      | undefined;
    return r && { batchNumber: BigInt(r.batch_number), batchHash: BigInt(r.batch_hash), message: BigInt(r.message), report: r.report };
  }

  /** The highest batch number this member signed, if any. */
  lastSigned(): SignedRecord | undefined {
    const r = this.db.prepare(`SELECT batch_number FROM signed ORDER BY batch_number DESC LIMIT 1`).get() as { batch_number: string } | undefined;
    return r && this.signed(BigInt(r.batch_number));
  }

  /** Stores a signed report; false if a record for that batch number exists already (nothing written). */
  recordSigned(rec: SignedRecord): boolean {
    return (
      this.db
        .prepare(`INSERT OR IGNORE INTO signed (batch_number, batch_hash, message, report, signed_at) VALUES (?, ?, ?, ?, ?)`)
        .run(u64Key(rec.batchNumber), rec.batchHash.toString(), rec.message.toString(), rec.report, Date.now()).changes === 1
    );
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
