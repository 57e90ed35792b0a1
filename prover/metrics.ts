import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { JobStore } from "./jobStore.js";

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128];

/** The prover's Prometheus metrics, in their own registry (several provers can live in one process). */
export class ProverMetrics {
  readonly registry = new Registry();
  readonly submitted: Counter<"build">;
  readonly done: Counter<"build">;
  readonly failed: Counter<"build" | "code">;
  readonly witnessSeconds: Histogram<"build">;
  readonly proveSeconds: Histogram<"build">;

  constructor(store: JobStore, inFlight: () => number, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: "zkseq_prover_process_" });
    new Gauge({
      name: "zkseq_prover_queue_depth",
      help: "Jobs accepted and waiting for a worker",
      registers,
      collect() {
        this.set(store.count("queued"));
      },
    });
    new Gauge({
      name: "zkseq_prover_in_flight",
      help: "Jobs being proven now",
      registers,
      collect() {
        this.set(inFlight());
      },
    });
    this.submitted = new Counter({ name: "zkseq_prover_jobs_submitted_total", help: "Jobs accepted (new or re-queued)", labelNames: ["build"], registers });
    this.done = new Counter({ name: "zkseq_prover_proofs_done_total", help: "Proofs made and verified", labelNames: ["build"], registers });
    this.failed = new Counter({ name: "zkseq_prover_proofs_failed_total", help: "Jobs that failed, by error code", labelNames: ["build", "code"], registers });
    this.witnessSeconds = new Histogram({ name: "zkseq_prover_witness_seconds", help: "Witness generation time", labelNames: ["build"], buckets: SECONDS, registers });
    this.proveSeconds = new Histogram({ name: "zkseq_prover_prove_seconds", help: "Groth16 proving time", labelNames: ["build"], buckets: SECONDS, registers });
  }
}
