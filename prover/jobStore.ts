import type Database from "better-sqlite3";
import { openDurableDatabase, u64Key } from "../src/service.js";
import { QueueFullError } from "../src/errors.js";

/** Where a job is in its life. `done`, `failed` and `cancelled` are final. */
export type JobState = "queued" | "running" | "done" | "failed" | "cancelled";

export const FINAL_STATES: readonly JobState[] = ["done", "failed", "cancelled"];

/** A job as the store keeps it. */
export interface JobRecord {
  id: string;
  build: string;
  batchNumber: bigint;
  state: JobState;
  /** How many times the job was handed to the pool (a restart mid-proof counts). */
  attempts: number;
  /** The circuit input, JSON. */
  input: string;
  error?: { code: string; message: string };
  /** The finished proof: { proof, publicSignals }, JSON. */
  result?: string;
  /** Step timings of the proof that finished, JSON. */
  timings?: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** The authenticated client that submitted it (HTTP API with tokens), if any. */
  client?: string;
}

interface Row {
  seq: number;
  id: string;
  build: string;
  batch_number: string;
  state: JobState;
  attempts: number;
  input: string;
  error_code: string | null;
  error_message: string | null;
  result: string | null;
  timings: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  client: string | null;
}


function fromRow(r: Row): JobRecord {
  return {
    id: r.id,
    build: r.build,
    batchNumber: BigInt(r.batch_number),
    state: r.state,
    attempts: r.attempts,
    input: r.input,
    ...(r.error_code ? { error: { code: r.error_code, message: r.error_message ?? "" } } : {}),
    ...(r.result ? { result: r.result } : {}),
    ...(r.timings ? { timings: r.timings } : {}),
    createdAt: r.created_at,
    ...(r.started_at ? { startedAt: r.started_at } : {}),
    ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
    ...(r.client ? { client: r.client } : {}),
  };
}

/**
 * The prover's durable job store: one SQLite file (WAL, synchronous=FULL), so
 * an accepted job and a finished proof survive `kill -9`. Every state change
 * is one guarded UPDATE: a job moves to `done` at most once.
 */
export class JobStore {
  private readonly db: Database.Database;

  /** @param path a file, or ":memory:" (not durable; for tools and tests). */
  constructor(path: string) {
    this.db = openDurableDatabase(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        build TEXT NOT NULL,
        batch_number TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        input TEXT NOT NULL,
        error_code TEXT,
        error_message TEXT,
        result TEXT,
        timings TEXT,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER
      );
      CREATE INDEX IF NOT EXISTS jobs_by_queue ON jobs (state, batch_number, seq);
    `);
    // stores made before clients existed
    if (!(this.db.prepare(`PRAGMA table_info(jobs)`).all() as { name: string }[]).some((c) => c.name === "client")) this.db.exec(`ALTER TABLE jobs ADD COLUMN client TEXT`);
    this.db.exec(`CREATE INDEX IF NOT EXISTS jobs_by_client_state ON jobs (client, state); CREATE INDEX IF NOT EXISTS jobs_by_client_start ON jobs (client, started_at);`);
  }

  /**
   * Adds a job, or returns the one with the same id. A `failed` or `cancelled`
   * job submitted again is queued again. Throws QueueFullError when `maxQueued`
   * jobs are already waiting.
   */
  submit(job: { id: string; build: string; batchNumber: bigint; input: string; client?: string }, maxQueued: number): { job: JobRecord; created: boolean } {
    return this.db.transaction(() => {
      const existing = this.get(job.id);
      if (existing && existing.state !== "failed" && existing.state !== "cancelled") return { job: existing, created: false };
      if (this.count("queued") >= maxQueued) throw new QueueFullError(maxQueued);
      if (existing) {
        this.db
          .prepare(`UPDATE jobs SET state = 'queued', attempts = 0, error_code = NULL, error_message = NULL, started_at = NULL, finished_at = NULL, client = ? WHERE id = ?`)
          .run(job.client ?? null, job.id);
      } else {
        this.db
          .prepare(`INSERT INTO jobs (id, build, batch_number, state, input, created_at, client) VALUES (?, ?, ?, 'queued', ?, ?, ?)`)
          .run(job.id, job.build, u64Key(job.batchNumber), job.input, Date.now(), job.client ?? null);
      }
      return { job: this.get(job.id)!, created: true };
    })();
  }

  get(id: string): JobRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM jobs WHERE id = ?`).get(id) as Row | undefined;
    return row && fromRow(row);
  }

  /**
   * The next job to prove: fair share first (a job of the client with the
   * fewest jobs running, then of the one served longest ago: round robin),
   * then, within that client's jobs, the lowest batch number, then the
   * oldest. So a client's low batch numbers outrank only its own jobs.
   * Without clients (no tokens), this is the lowest batch number first.
   */
  nextQueued(): JobRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT j.* FROM jobs j WHERE j.state = 'queued'
         ORDER BY (SELECT COUNT(*) FROM jobs r WHERE r.state = 'running' AND r.client IS j.client),
                  COALESCE((SELECT MAX(s.started_at) FROM jobs s WHERE s.client IS j.client), 0),
                  j.batch_number, j.seq LIMIT 1`,
      )
      .get() as Row | undefined;
    return row && fromRow(row);
  }

  /** queued -> running; false if the job is not queued any more. */
  markRunning(id: string): boolean {
    return this.db.prepare(`UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ? WHERE id = ? AND state = 'queued'`).run(Date.now(), id).changes === 1;
  }

  /** running -> done with its proof; false (and nothing written) if the job is not running (cancelled meanwhile). */
  complete(id: string, result: string, timings: string): boolean {
    return (
      this.db
        .prepare(`UPDATE jobs SET state = 'done', result = ?, timings = ?, finished_at = ? WHERE id = ? AND state = 'running'`)
        .run(result, timings, Date.now(), id).changes === 1
    );
  }

  /** running -> failed; false if the job is not running. */
  fail(id: string, code: string, message: string): boolean {
    return (
      this.db
        .prepare(`UPDATE jobs SET state = 'failed', error_code = ?, error_message = ?, finished_at = ? WHERE id = ? AND state = 'running'`)
        .run(code, message, Date.now(), id).changes === 1
    );
  }

  /** running -> queued (its proof was interrupted by a shutdown). */
  requeue(id: string): boolean {
    return this.db.prepare(`UPDATE jobs SET state = 'queued', started_at = NULL WHERE id = ? AND state = 'running'`).run(id).changes === 1;
  }

  /** Drops finished jobs (done, failed, cancelled) that finished before `before` (ms); returns how many. */
  prune(before: number): number {
    return this.db.prepare(`DELETE FROM jobs WHERE state IN ('done', 'failed', 'cancelled') AND finished_at < ?`).run(before).changes;
  }

  /** queued or running -> cancelled; returns the state it had, or undefined if it was already final. */
  cancel(id: string): JobState | undefined {
    return this.db.transaction(() => {
      const job = this.get(id);
      if (!job || FINAL_STATES.includes(job.state)) return undefined;
      this.db
        .prepare(`UPDATE jobs SET state = 'cancelled', error_code = 'JOB_CANCELLED', error_message = 'cancelled by request', finished_at = ? WHERE id = ?`)
        .run(Date.now(), id);
      return job.state;
    })();
  }

  /**
   * After a crash: jobs left `running` go back to the queue, except those that
   * were already in flight `maxAttempts` times, which fail (a job that keeps
   * taking the process down must not loop forever). Returns both lists.
   */
  recover(maxAttempts: number): { requeued: string[]; failed: string[] } {
    return this.db.transaction(() => {
      const rows = this.db.prepare(`SELECT * FROM jobs WHERE state = 'running'`).all() as Row[];
      const requeued: string[] = [];
      const failed: string[] = [];
      for (const r of rows) {
        if (r.attempts >= maxAttempts) {
          this.fail(r.id, "WORKER_CRASHED", `the prover stopped ${r.attempts} times while proving this job`);
          failed.push(r.id);
        } else {
          this.requeue(r.id);
          requeued.push(r.id);
        }
      }
      return { requeued, failed };
    })();
  }

  count(state: JobState): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE state = ?`).get(state) as { n: number }).n;
  }

  counts(): Record<JobState, number> {
    const out: Record<JobState, number> = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
    for (const r of this.db.prepare(`SELECT state, COUNT(*) AS n FROM jobs GROUP BY state`).all() as { state: JobState; n: number }[]) out[r.state] = r.n;
    return out;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
