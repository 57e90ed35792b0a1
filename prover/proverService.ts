import type { Registry } from "prom-client";
import type { JobState } from "./jobStore.js";
import type { JobRequest } from "./jobRequest.js";
import type { JobProof, JobView } from "./prover.js";
import type { ProverStats } from "./proverStats.js";

type Awaitable<T> = T | Promise<T>;

/**
 * What the HTTP API needs of a prover, whichever queue holds its jobs: the
 * embedded SQLite `Prover` (answers at once) or the BullMQ `QueueProver`
 * (answers after a Redis round trip). Await every answer.
 */
export interface ProverService {
  readonly buildIds: string[];
  readonly metrics: { readonly registry: Registry };
  /** `client`: who submits (the HTTP API's authenticated client); the job is theirs unless it already existed. */
  submit(request: JobRequest, by?: { client?: string }): Promise<{ job: JobView; created: boolean }>;
  get(id: string): Awaitable<JobView>;
  proof(id: string): Awaitable<JobProof>;
  /** With `client`, only the job's owner may cancel it (NotJobOwnerError). */
  cancel(id: string, by?: { client?: string }): Awaitable<JobView>;
  waitFor(id: string, signal?: AbortSignal): Promise<JobView>;
  counts(): Awaitable<Record<JobState, number>>;
  /** `backend`: the proving backend here, or the live queue workers' backends (comma-separated). */
  health(): Awaitable<{ builds: string[]; workers: number; backend: string; jobs: Record<JobState, number> }>;
  /** Queue depth, in flight, proofs per minute, proof time percentiles, queue workers (`GET /stats`). */
  stats(): Awaitable<ProverStats>;
  close(): Promise<void>;
}
