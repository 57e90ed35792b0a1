/**
 * What a prover tells its operators at a glance (`GET /stats`, the network
 * page's prover panel): queue depth, jobs in flight, proofs per minute, the
 * p50/p95 time of a proof (witness + Groth16, as the worker timed it), and,
 * for the distributed queue, each worker.
 */

/** One announced queue worker, as the page shows it. */
export interface ProverWorkerStats {
  id: string;
  host: string;
  backend: string;
  threads: number;
  inFlight: number;
  proven: number;
  failed: number;
  /** Seconds since its last heartbeat. */
  lastSeenS: number;
}

export interface ProverStats {
  /** The proving backend(s): "native", "snarkjs", or the queue workers' (comma-separated). */
  backend: string;
  /** Proving threads (here, or over the live queue workers). */
  threads: number;
  queued: number;
  inFlight: number;
  done: number;
  failed: number;
  /** Proofs finished in the last five minutes, per minute (over the uptime when shorter). */
  proofsPerMinute: number;
  /** Over the last `sample` proofs (at most 200): witness + prove, ms; null before the first. */
  p50ProofMs: number | null;
  p95ProofMs: number | null;
  sample: number;
  /** Each live worker of the distributed queue (empty for the embedded prover: its workers are threads of this process). */
  workers: ProverWorkerStats[];
}

const WINDOW_MS = 5 * 60_000;
const SAMPLE = 200;

/** The recent proofs' finish times and durations (in memory: a restart starts the window again). */
export class RecentProofs {
  private readonly finished: { at: number; ms: number }[] = [];
  private readonly since = Date.now();

  record(at: number, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.finished.push({ at, ms });
    if (this.finished.length > 4 * SAMPLE) this.finished.splice(0, this.finished.length - 2 * SAMPLE);
  }

  summary(now = Date.now()): Pick<ProverStats, "proofsPerMinute" | "p50ProofMs" | "p95ProofMs" | "sample"> {
    const window = Math.max(60_000, Math.min(WINDOW_MS, now - this.since));
    const recent = this.finished.filter((f) => f.at > now - window).length;
    const last = this.finished.slice(-SAMPLE).map((f) => f.ms).sort((a, b) => a - b);
    const pick = (p: number) => (last.length === 0 ? null : Math.round(last[Math.min(last.length - 1, Math.ceil((p / 100) * last.length) - 1)]!));
    return { proofsPerMinute: Math.round((recent / (window / 60_000)) * 10) / 10, p50ProofMs: pick(50), p95ProofMs: pick(95), sample: last.length };
  }
}
