import type { Registry } from "prom-client";
import type { JobState } from "./jobStore.js";
import type { JobRequest } from "./jobRequest.js";
import type { JobProof, JobView } from "./prover.js";

type Awaitable<T> = T | Promise<T>;

/**
 * What the HTTP API needs of a prover, whichever queue holds its jobs: the
 * embedded SQLite `Prover` (answers at once) or the BullMQ `QueueProver`
 * (answers after a Redis round trip). Await every answer.
 */
export interface ProverService {
  readonly buildIds: string[];
  readonly metrics: { readonly registry: Registry };
  submit(request: JobRequest): Promise<{ job: JobView; created: boolean }>;
  get(id: string): Awaitable<JobView>;
  proof(id: string): Awaitable<JobProof>;
  cancel(id: string): Awaitable<JobView>;
  waitFor(id: string, signal?: AbortSignal): Promise<JobView>;
  counts(): Awaitable<Record<JobState, number>>;
  health(): Awaitable<{ builds: string[]; workers: number; jobs: Record<JobState, number> }>;
  close(): Promise<void>;
}
