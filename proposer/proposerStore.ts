import type Database from "better-sqlite3";
import { openDurableDatabase, u64Key } from "../src/service.js";
import type { BatchFileJson } from "../src/batchFile.js";

/**
 * Where a proposal is: proposed (header fixed, reports being collected),
 * signed, proven, finalized, abandoned (its round ended, the inbox refused it,
 * or the chain moved past it), or withheld (devnet scenario: signed, never submitted).
 */
export type ProposalState = "proposed" | "signed" | "proven" | "finalized" | "abandoned" | "withheld";

export interface ProposalRecord {
  batchNumber: bigint;
  round: bigint;
  /** The leaf index of the member that proposed it (this one). */
  leader: number;
  state: ProposalState;
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
 * A leader's durable record of its own proposals, one per (batchNumber,
 * round): in the member's own SQLite file (WAL, synchronous=FULL), written
 * before any member sees the header, so a restarted leader resumes the same
 * header and never proposes a second one for a round it led.
 */
export class ProposerStore {
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(path: string) {
    this.db = openDurableDatabase(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS proposals (
        batch_number TEXT NOT NULL,
        round TEXT NOT NULL,
        leader INTEGER NOT NULL,
        state TEXT NOT NULL,
        batch TEXT NOT NULL,
        proof TEXT,
        job_id TEXT,
        cut_at INTEGER NOT NULL,
        finalized_at INTEGER,
        l1_tx_hash TEXT,
        PRIMARY KEY (batch_number, round)
      );
    `);
    this.stmt = {
      save: this.db.prepare(
        `INSERT INTO proposals (batch_number, round, leader, state, batch, proof, job_id, cut_at, finalized_at, l1_tx_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (batch_number, round) DO UPDATE SET state = excluded.state, batch = excluded.batch, proof = excluded.proof, job_id = excluded.job_id,
           finalized_at = excluded.finalized_at, l1_tx_hash = excluded.l1_tx_hash`,
      ),
      get: this.db.prepare(`SELECT * FROM proposals WHERE batch_number = ? AND round = ?`),
      unfinished: this.db.prepare(`SELECT * FROM proposals WHERE state IN ('proposed', 'signed', 'proven') ORDER BY batch_number DESC, round DESC LIMIT 1`),
      all: this.db.prepare(`SELECT * FROM proposals ORDER BY batch_number, round`),
      count: this.db.prepare(`SELECT COUNT(*) AS n FROM proposals`),
      latest: this.db.prepare(`SELECT * FROM proposals WHERE batch_number = ? AND state IN ('signed', 'proven', 'finalized', 'withheld') ORDER BY round DESC LIMIT 1`),
    };
  }

  /** Inserts or updates a proposal (its header never changes: the caller saves the record it proposed). */
  save(p: ProposalRecord): void {
    this.stmt.save.run(u64Key(p.batchNumber), u64Key(p.round), p.leader, p.state, JSON.stringify(p.batch), p.proof ? JSON.stringify(p.proof) : null, p.jobId ?? null, p.cutAt, p.finalizedAt ?? null, p.l1TxHash ?? null);
  }

  get(batchNumber: bigint, round: bigint): ProposalRecord | undefined {
    const r = this.stmt.get.get(u64Key(batchNumber), u64Key(round)) as Row | undefined;
    return r && fromRow(r);
  }

  /** The newest proposal still being signed, proven or submitted, if any. */
  unfinished(): ProposalRecord | undefined {
    const r = this.stmt.unfinished.get() as Row | undefined;
    return r && fromRow(r);
  }

  /** The latest round of `batchNumber` this leader collected a quorum for (what `zkseq batch export` reads). */
  quorumOf(batchNumber: bigint): ProposalRecord | undefined {
    const r = this.stmt.latest.get(u64Key(batchNumber)) as Row | undefined;
    return r && fromRow(r);
  }

  count(): number {
    return (this.stmt.count.get() as { n: number }).n;
  }

  all(): ProposalRecord[] {
    return (this.stmt.all.all() as Row[]).map(fromRow);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

interface Row {
  batch_number: string;
  round: string;
  leader: number;
  state: ProposalState;
  batch: string;
  proof: string | null;
  job_id: string | null;
  cut_at: number;
  finalized_at: number | null;
  l1_tx_hash: string | null;
}

function fromRow(r: Row): ProposalRecord {
  return {
    batchNumber: BigInt(r.batch_number),
    round: BigInt(r.round),
    leader: r.leader,
    state: r.state,
    batch: JSON.parse(r.batch) as BatchFileJson,
    ...(r.proof ? { proof: JSON.parse(r.proof) as ProposalRecord["proof"] & object } : {}),
    ...(r.job_id ? { jobId: r.job_id } : {}),
    cutAt: r.cut_at,
    ...(r.finalized_at ? { finalizedAt: r.finalized_at } : {}),
    ...(r.l1_tx_hash ? { l1TxHash: r.l1_tx_hash } : {}),
  };
}
