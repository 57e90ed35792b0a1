import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { JobStore } from "./jobStore.js";

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128];

/** What both prover backends export: a registry (optionally with process metrics), queue depth, in-flight jobs, and jobs submitted. */
export function commonProverMetrics(
  source: { queued(): number | Promise<number>; inFlight(): number | Promise<number> },
  options: { defaultMetrics?: boolean; inFlightHelp?: string } = {},
): { registry: Registry; submitted: Counter<"build"> } {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: "zkseq_prover_process_" });
  new Gauge({
    name: "zkseq_prover_queue_depth",
    help: "Jobs accepted and waiting for a worker",
    registers,
    async collect() {
      this.set(await source.queued());
    },
  });
  new Gauge({
    name: "zkseq_prover_in_flight",
    help: options.inFlightHelp ?? "Jobs being proven now",
    registers,
    async collect() {
      this.set(await source.inFlight());
    },
  });
  const submitted = new Counter({ name: "zkseq_prover_jobs_submitted_total", help: "Jobs accepted (new or re-queued)", labelNames: ["build"], registers });
  return { registry, submitted };
}

/** The prover's Prometheus metrics, in their own registry (several provers can live in one process). */
export class ProverMetrics {
  readonly registry: Registry;
  readonly submitted: Counter<"build">;
  readonly done: Counter<"build">;
  readonly failed: Counter<"build" | "code">;
  readonly witnessSeconds: Histogram<"build">;
  readonly proveSeconds: Histogram<"build">;

  constructor(store: JobStore, inFlight: () => number, options: { defaultMetrics?: boolean } = {}) {
    ({ registry: this.registry, submitted: this.submitted } = commonProverMetrics({ queued: () => store.count("queued"), inFlight }, options));
    const registers = [this.registry];
    this.done = new Counter({ name: "zkseq_prover_proofs_done_total", help: "Proofs made and verified", labelNames: ["build"], registers });
    this.failed = new Counter({ name: "zkseq_prover_proofs_failed_total", help: "Jobs that failed, by error code", labelNames: ["build", "code"], registers });
    this.witnessSeconds = new Histogram({ name: "zkseq_prover_witness_seconds", help: "Witness generation time", labelNames: ["build"], buckets: SECONDS, registers });
    this.proveSeconds = new Histogram({ name: "zkseq_prover_prove_seconds", help: "Groth16 proving time", labelNames: ["build"], buckets: SECONDS, registers });
  }
}
