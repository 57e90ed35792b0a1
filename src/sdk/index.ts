/** zkseq's integrator SDK: verify batches off-chain, follow the inbox as a light client, prove and check inclusion. */
export * from "./verifyBatch.js";
export * from "./lightClient.js";
export * from "./inclusion.js";
export * from "./deriveBatches.js";
export * from "./submitTransaction.js";
