/** zkseq's prover: a Piscina pool of Groth16 workers, a durable job queue, and its HTTP API. */
export { ProvingPool, buildFiles, type ProvingPoolOptions, type ProveOptions, type PoolProof, type BuildFiles, type Groth16Proof, type ProverBackend } from "./provingPool.js";
export { NativeProver } from "./nativeProver.js";
export { loadNativeAddon } from "./nativeAddon.js";
export { JobStore, type JobRecord, type JobState } from "./jobStore.js";
export { ProverMetrics } from "./metrics.js";
export { Prover, createProver, jobId, type ProverOptions, type JobRequest, type JobView, type JobProof } from "./prover.js";
export type { ProverService } from "./proverService.js";
export { QueueProver, type QueueProverOptions } from "./queue/queueProver.js";
export { QueueWorker, type QueueWorkerOptions } from "./queue/queueWorker.js";
export { createProverServer, type ProverServerOptions } from "./httpServer.js";
export { ProverClient } from "./proverClient.js";
export { ProverTokens } from "./proverTokens.js";
