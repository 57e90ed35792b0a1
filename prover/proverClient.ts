import { requestJson } from "../src/http.js";
import { ServiceError } from "../src/errors.js";
import type { JobProof, JobRequest, JobView } from "./prover.js";
import type { ProverStats } from "./proverStats.js";

/**
 * A client of the prover's HTTP API (`zkseq prover serve`).
 *
 * @example
 * const prover = new ProverClient("http://127.0.0.1:7300")
 * const { job } = await prover.submit({ build: "dev", batch })
 * const proof = await prover.waitForProof(job.id)
 */
export class ProverClient {
  private readonly headers: Record<string, string>;

  /** @param options.token the client's token, for a prover started with tokens (`--tokens`). */
  constructor(
    readonly url: string,
    options: { token?: string } = {},
  ) {
    this.headers = options.token ? { authorization: `Bearer ${options.token}` } : {};
  }

  submit(request: JobRequest): Promise<{ job: JobView; created: boolean }> {
    return requestJson("prover", `${this.url}/jobs`, { body: request, timeoutMs: 30_000, headers: this.headers });
  }

  async get(id: string): Promise<JobView> {
    return (await requestJson<{ job: JobView }>("prover", `${this.url}/jobs/${id}`, { headers: this.headers })).job;
  }

  proof(id: string): Promise<JobProof> {
    return requestJson("prover", `${this.url}/jobs/${id}/proof`, { headers: this.headers });
  }

  /** Queue depth, in flight, proofs per minute, proof time percentiles and queue workers (`GET /stats`). */
  stats(opts: { timeoutMs?: number } = {}): Promise<ProverStats> {
    return requestJson("prover", `${this.url}/stats`, { headers: this.headers, timeoutMs: opts.timeoutMs ?? 5000 });
  }

  async cancel(id: string): Promise<JobView> {
    return (await requestJson<{ job: JobView }>("prover", `${this.url}/jobs/${id}`, { method: "DELETE", headers: this.headers })).job;
  }

  /** Polls until the job is done and returns its proof; a failed or cancelled job is a ServiceError. */
  async waitForProof(id: string, opts: { pollMs?: number; signal?: AbortSignal } = {}): Promise<JobProof> {
    for (;;) {
      opts.signal?.throwIfAborted();
      const job = await this.get(id);
      if (job.state === "done") return this.proof(id);
      if (job.state === "failed" || job.state === "cancelled") throw new ServiceError("prover", `job ${id} ${job.state}${job.error ? `: ${job.error.message}` : ""}`, undefined, job.error?.code ?? "JOB_FAILED");
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
    }
  }
}
