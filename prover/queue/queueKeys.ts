/**
 * What the API (QueueProver) and the workers (QueueWorker) agree on: queue
 * names, job data, result shape, Redis keys, and how errors cross Redis.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { InvalidArgumentError, ZkseqError } from "../../src/errors.js";
import type { BuildFiles, Groth16Proof } from "../provingPool.js";

/** A BullMQ job's data: everything a worker needs, nothing it must look up. */
export interface ProveJobData {
  build: string;
  /** Decimal u64. */
  batchNumber: string;
  /** The circuit input, JSON. */
  input: string;
  /** The proof's time limit on each attempt. */
  timeoutMs: number;
  /** The authenticated client that submitted it, if the API has tokens. */
  client?: string;
}

/** A finished job's return value, as BullMQ stores it. */
export interface ProveJobResult {
  proof: Groth16Proof;
  publicSignals: string[];
  timings: { loadMs: number; witnessMs: number; proveMs: number; verifyMs: number };
  /** The QueueWorker that proved it. */
  worker: string;
}

/** What a worker announces about itself (HSET <prefix>:workers <id> <json>, refreshed every heartbeat). */
export interface WorkerAnnouncement {
  id: string;
  host: string;
  pid: number;
  cores: number;
  threads: number;
  builds: string[];
  backend: string;
  startedAt: number;
  lastSeen: number;
  proven: number;
  failed: number;
  inFlight: number;
}

/**
 * The queue of one build: its id and the sha256 of its verification key. A
 * worker whose build files differ from the API's (another zkey, another
 * verification key) listens on another queue, so it can never take, let
 * alone complete, the API's jobs.
 */
export async function buildQueueName(files: BuildFiles): Promise<string> {
  const vkey = await readFile(files.verificationKey);
  return `prove-${files.id}-${createHash("sha256").update(vkey).digest("hex").slice(0, 16)}`;
}

/** The BullMQ connection options of a `redis://host:port[/db]` (or `rediss://`) URL. */
export function redisConnection(url: string): { url: string; maxRetriesPerRequest: null } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidArgumentError(`--queue must be a redis://host:port URL, got '${url}'`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new InvalidArgumentError(`--queue must be a redis://host:port URL, got '${url}'`);
  return { url, maxRetriesPerRequest: null };
}

/** zkseq's own keys next to BullMQ's (same prefix). */
export function queueKeys(prefix: string) {
  return {
    /** HASH job id -> JSON JobView at cancel time: a cancel outlives the BullMQ job it removed. */
    cancelled: `${prefix}:zkseq:cancelled`,
    /** Pub/sub channel: job ids to stop wherever they run. */
    cancelChannel: `${prefix}:zkseq:cancel`,
    /** HASH worker id -> JSON WorkerAnnouncement. */
    workers: `${prefix}:zkseq:workers`,
    /** ZSET job id -> cancel time (ms): cancel records are trimmed like finished jobs. */
    cancelledAt: `${prefix}:zkseq:cancelled-at`,
    /** HASH per queue: client -> its last fair-share tag (see QueueProver.fairPriority). */
    fairTags: (queue: string) => `${prefix}:zkseq:fair-tags:${queue}`,
    /** ZSET per queue and client (lexicographic): "<batch number, 20 digits>:<job id>" of its waiting jobs. */
    clientJobs: (queue: string, client: string) => `${prefix}:zkseq:client-jobs:${queue}:${encodeURIComponent(client)}`,
  };
}

/** A zkseq error as a BullMQ failedReason (a string), and back. */
export function encodeFailure(e: unknown): string {
  if (e instanceof ZkseqError) return JSON.stringify({ code: e.code, message: e.shortMessage });
  return JSON.stringify({ code: "INTERNAL", message: e instanceof Error ? e.message : String(e) });
}

export function decodeFailure(reason: string | undefined): { code: string; message: string } {
  if (!reason) return { code: "INTERNAL", message: "failed without a reason" };
  try {
    const v = JSON.parse(reason) as { code?: unknown; message?: unknown };
    if (typeof v.code === "string" && typeof v.message === "string") return { code: v.code, message: v.message };
  } catch {
    // BullMQ's own reasons are plain text
  }
  if (/stalled more than/i.test(reason)) return { code: "WORKER_CRASHED", message: `the job's workers stopped too many times while proving it (${reason})` };
  return { code: "INTERNAL", message: reason };
}
