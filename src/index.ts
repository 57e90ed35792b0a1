/**
 * zkseq: validity-proven batches from a decentralized sequencer committee.
 * The protocol core (docs/protocol.md): hashing, keys, committee, fair
 * ordering, forced inclusion, headers, transaction trees, reports, batch
 * proposal, the circuit's witness input, and the circuit build pipeline.
 */
export * from "./errors.js";
export * from "./field.js";
export { poseidon } from "./poseidon.js";
export * from "./keys.js";
export * from "./txHash.js";
export * from "./merkle.js";
export * from "./committee.js";
export * from "./leaderSchedule.js";
export * from "./txTree.js";
export * from "./header.js";
export * from "./dataBinding.js";
export * from "./ordering.js";
export * from "./forced.js";
export * from "./report.js";
export * from "./builds.js";
export * from "./witness.js";
export * from "./batch.js";
export * from "./batchFile.js";
export * from "./equivocation.js";
export * from "./logger.js";
export * from "./build/buildCircuit.js";
export * from "./build/ptau.js";
export { releaseCurves, withSharedCurve } from "./build/curves.js";
