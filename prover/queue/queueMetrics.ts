import { Counter, Gauge, type Registry } from "prom-client";
import { commonProverMetrics } from "../metrics.js";
import type { WorkerAnnouncement } from "./queueKeys.js";

/** What the metrics read from Redis at scrape time. */
export interface QueueMetricsSource {
  counts(): Promise<{ queued: number; running: number }>;
  workers(): Promise<WorkerAnnouncement[]>;
}

/**
 * The BullMQ-backed prover's Prometheus metrics: the same queue gauges as the
 * embedded prover, plus one series per announced worker (proofs made, in
 * flight, threads, seconds since its last heartbeat) and the stalls the API
 * saw (a job whose worker stopped renewing its lock and that went back to the queue).
 */
export class QueueMetrics {
  readonly registry: Registry;
  readonly submitted: Counter<"build">;
  readonly stalled: Counter<"build">;
  readonly completed: Counter<"build">;
  readonly failed: Counter<"build">;

  constructor(source: QueueMetricsSource, options: { defaultMetrics?: boolean } = {}) {
    ({ registry: this.registry, submitted: this.submitted } = commonProverMetrics(
      { queued: async () => (await source.counts()).queued, inFlight: async () => (await source.counts()).running },
      { ...options, inFlightHelp: "Jobs being proven now (on any worker)" },
    ));
    const registers = [this.registry];
    const perWorker = (name: string, help: string, pick: (w: WorkerAnnouncement, now: number) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ["worker", "host", "backend"],
        registers,
        async collect() {
          this.reset();
          const now = Date.now();
          for (const w of await source.workers()) this.set({ worker: w.id, host: w.host, backend: w.backend }, pick(w, now));
        },
      });
    perWorker("zkseq_prover_worker_proofs_total", "Proofs a worker made and stored (rate() of it is its throughput)", (w) => w.proven);
    perWorker("zkseq_prover_worker_failed_total", "Jobs that failed on a worker", (w) => w.failed);
    perWorker("zkseq_prover_worker_in_flight", "Jobs a worker is proving now", (w) => w.inFlight);
    perWorker("zkseq_prover_worker_threads", "A worker's proving threads", (w) => w.threads);
    perWorker("zkseq_prover_worker_last_seen_seconds", "Seconds since a worker's last heartbeat", (w, now) => (now - w.lastSeen) / 1000);
    this.completed = new Counter({ name: "zkseq_prover_proofs_done_total", help: "Proofs stored, as seen by this API", labelNames: ["build"], registers });
    this.failed = new Counter({ name: "zkseq_prover_proofs_failed_total", help: "Jobs failed, as seen by this API", labelNames: ["build"], registers });
    this.stalled = new Counter({ name: "zkseq_prover_stalls_total", help: "Jobs whose worker stopped renewing its lock; they went back to the queue (a retry)", labelNames: ["build"], registers });
  }
}
