import type { FastifyInstance } from "fastify";
import type { Logger as PinoLogger } from "pino";
import { ZkseqError } from "../src/errors.js";
import { createServiceApp } from "../src/service.js";
import type { Prover, JobRequest } from "./prover.js";

/** HTTP status of each zkseq error code the prover API can answer with (anything else from a request is 400). */
const STATUS: Record<string, number> = {
  JOB_NOT_FOUND: 404,
  JOB_NOT_DONE: 409,
  QUEUE_FULL: 503,
  PROVER_CLOSED: 503,
};

export interface ProverServerOptions {
  logger?: PinoLogger;
  /** Largest request body (default 16 MiB). */
  bodyLimit?: number;
}

/**
 * The prover's HTTP API (fastify). Every error is JSON `{ error, message }`
 * with `error` a stable code: 400 for bad input (malformed JSON, unknown
 * build, a batch or input the circuit rejects), 404 unknown job, 409 no proof
 * yet, 503 queue full.
 *
 * - `POST /jobs` `{ build, input }` or `{ build, batch }` -> 202 (new) or 200 (same job already there) `{ job, created }`
 * - `GET /jobs/:id` -> `{ job }`
 * - `GET /jobs/:id/proof` -> `{ proof, publicSignals, batchHash, header, ... }`
 * - `DELETE /jobs/:id` -> `{ job }` (cancelled, or as it was if already final)
 * - `GET /healthz` -> `{ ok, builds, workers, backend, jobs }`
 * - `GET /metrics` -> Prometheus text
 */
export function createProverServer(prover: Prover, options: ProverServerOptions = {}): FastifyInstance {
  const app = createServiceApp({ ...(options.logger ? { logger: options.logger } : {}), bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024, status: STATUS });

  app.post("/jobs", async (req, reply) => {
    if (typeof req.body !== "object" || req.body === null) throw new ZkseqError("INVALID_ARGUMENT", "the body must be a JSON object { build, input } or { build, batch }");
    const { job, created } = await prover.submit(req.body as JobRequest);
    return reply.status(created ? 202 : 200).send({ job, created });
  });
  app.get<{ Params: { id: string } }>("/jobs/:id", async (req) => ({ job: prover.get(req.params.id) }));
  app.get<{ Params: { id: string } }>("/jobs/:id/proof", async (req) => prover.proof(req.params.id));
  app.delete<{ Params: { id: string } }>("/jobs/:id", async (req) => ({ job: prover.cancel(req.params.id) }));
  app.get("/healthz", async () => ({ ok: true, builds: prover.buildIds, workers: prover.pool.size, backend: prover.pool.backend, jobs: prover.counts() }));
  app.get("/metrics", async (_req, reply) => {
    void reply.header("content-type", prover.metrics.registry.contentType);
    return prover.metrics.registry.metrics();
  });
  return app;
}
