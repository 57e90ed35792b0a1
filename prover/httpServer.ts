import type { FastifyInstance } from "fastify";
import type { Logger as PinoLogger } from "pino";
import { UnauthorizedError, ZkseqError } from "../src/errors.js";
import { createServiceApp } from "../src/service.js";
import type { JobRequest } from "./jobRequest.js";
import type { ProverService } from "./proverService.js";
import type { ProverTokens } from "./proverTokens.js";

/** HTTP status of each zkseq error code the prover API can answer with (anything else from a request is 400). */
const STATUS: Record<string, number> = {
  JOB_NOT_FOUND: 404,
  JOB_NOT_DONE: 409,
  JOB_STOPPING: 409,
  UNAUTHORIZED: 401,
  NOT_JOB_OWNER: 403,
  QUEUE_FULL: 503,
  PROVER_CLOSED: 503,
};

export interface ProverServerOptions {
  logger?: PinoLogger;
  /** Largest request body (default 16 MiB). */
  bodyLimit?: number;
  /**
   * Clients and their tokens. When set, every route but `/healthz`,
   * `/metrics` and `/stats` needs `Authorization: Bearer <token>` (else 401 UNAUTHORIZED),
   * a job belongs to the client that submitted it, and only that client can
   * cancel it (else 403 NOT_JOB_OWNER).
   */
  tokens?: ProverTokens;
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
 * - `GET /healthz` -> `{ ok, builds, workers, backend, jobs }` (workers: proving threads, here or in the queue's live workers)
 * - `GET /stats` -> queue depth, in flight, proofs per minute, p50/p95 proof time, each queue worker (prover/proverStats.ts)
 * - `GET /metrics` -> Prometheus text
 *
 * With `tokens`: 401 without a valid bearer token, 403 cancelling another client's job.
 */
export function createProverServer(prover: ProverService, options: ProverServerOptions = {}): FastifyInstance {
  const app = createServiceApp({ ...(options.logger ? { logger: options.logger } : {}), bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024, status: STATUS });
  const clients = new WeakMap<object, string>();
  const tokens = options.tokens;
  if (tokens) {
    app.addHook("onRequest", async (req) => {
      const path = req.url.split("?")[0];
      if (path === "/healthz" || path === "/metrics" || path === "/stats") return;
      const m = /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? "");
      const client = m ? tokens.client(m[1]!) : undefined;
      if (!client) throw new UnauthorizedError();
      clients.set(req, client);
    });
  }
  const who = (req: object) => {
    const client = clients.get(req);
    return client === undefined ? {} : { client };
  };

  app.post("/jobs", async (req, reply) => {
    if (typeof req.body !== "object" || req.body === null) throw new ZkseqError("INVALID_ARGUMENT", "the body must be a JSON object { build, input } or { build, batch }");
    const { job, created } = await prover.submit(req.body as JobRequest, who(req));
    return reply.status(created ? 202 : 200).send({ job, created });
  });
  app.get<{ Params: { id: string } }>("/jobs/:id", async (req) => ({ job: await prover.get(req.params.id) }));
  app.get<{ Params: { id: string } }>("/jobs/:id/proof", async (req) => prover.proof(req.params.id));
  app.delete<{ Params: { id: string } }>("/jobs/:id", async (req) => ({ job: await prover.cancel(req.params.id, who(req)) }));
  app.get("/healthz", async () => ({ ok: true, ...(await prover.health()) }));
  app.get("/stats", async () => prover.stats());
  app.get("/metrics", async (_req, reply) => {
    void reply.header("content-type", prover.metrics.registry.contentType);
    return prover.metrics.registry.metrics();
  });
  return app;
}
