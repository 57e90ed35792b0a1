import type { FastifyInstance } from "fastify";
import type { Logger as PinoLogger } from "pino";
import { requestJson } from "../src/http.js";
import { assertUint, TX_HASH_BITS, toBigInt } from "../src/field.js";
import { createServiceApp, DEFAULT_MAX_TX_BYTES, rawTxsFromBody, requestBodyLimit, toHex } from "../src/service.js";
import { TransactionNotAcceptedError, ZkseqError } from "../src/errors.js";

/** Options of the gateway. */
export interface GatewayOptions {
  /** The committee members' URLs (`zkseq member`). */
  members: readonly string[];
  /** Per-request timeout towards members (default 5000 ms). */
  memberTimeoutMs?: number;
  /** Largest raw transaction (default 4096) and transactions per request (default 256). */
  maxTxBytes?: number;
  maxTxsPerRequest?: number;
  logger?: PinoLogger;
}

/**
 * A stateless gateway for clients that want one URL: it forwards raw
 * transactions to every member (accepted when at least one member took them;
 * each member gossips them on and records its own receive time) and answers
 * where a transaction landed by asking the members. It holds nothing, orders
 * nothing and signs nothing, so running several, or none, changes nothing:
 * wallets can talk to the members directly (SDK `submitTransaction`).
 *
 * HTTP: `POST /txs { txs: ["0x…"] }` -> `{ accepted, members }`,
 * `GET /txs/:hash` -> `{ txHash, batchNumber }` (null until a member saw it land), `GET /healthz`.
 */
export function createGateway(opts: GatewayOptions): FastifyInstance {
  const maxTxBytes = opts.maxTxBytes ?? DEFAULT_MAX_TX_BYTES;
  const maxTxs = opts.maxTxsPerRequest ?? 256;
  const timeoutMs = opts.memberTimeoutMs ?? 5000;
  const members = opts.members.map((u) => u.replace(/\/+$/, ""));
  const app = createServiceApp({ ...(opts.logger ? { logger: opts.logger } : {}), bodyLimit: requestBodyLimit(maxTxs, maxTxBytes), status: { TX_NOT_ACCEPTED: 503 } });
  app.post("/txs", async (req) => {
    const txs = rawTxsFromBody(req.body, { maxTxBytes, maxTxs });
    const answers = await Promise.all(
      members.map((url) =>
        requestJson<{ received: number }>("member", `${url}/txs`, { body: { txs: txs.map((t) => toHex(t.raw)) }, timeoutMs })
          .then(() => ({ url }))
          .catch((e: unknown) => ({ url, code: e instanceof ZkseqError ? e.code : "SERVICE_ERROR", message: e instanceof ZkseqError ? e.shortMessage : String(e) })),
      ),
    );
    const refused = answers.filter((a): a is { url: string; code: string; message: string } => "code" in a);
    if (refused.length === members.length) throw new TransactionNotAcceptedError(txs[0]?.txHash ?? 0n, refused);
    return { accepted: txs.length, members: members.length - refused.length };
  });
  app.get<{ Params: { hash: string } }>("/txs/:hash", async (req) => {
    const h = assertUint(toBigInt(req.params.hash, "txHash"), TX_HASH_BITS, "txHash");
    const hex = "0x" + h.toString(16);
    const answers = await Promise.all(
      members.map((url) => requestJson<{ batchNumber: string | null }>("member", `${url}/txs/${hex}`, { timeoutMs }).catch(() => ({ batchNumber: null }))),
    );
    const landed = answers.find((a) => a.batchNumber !== null);
    return { txHash: hex, batchNumber: landed?.batchNumber ?? null };
  });
  app.get("/healthz", async () => {
    const up = await Promise.all(members.map((url) => requestJson("member", `${url}/healthz`, { timeoutMs }).then(() => true, () => false)));
    return { ok: up.some(Boolean), members: members.map((url, i) => ({ url, up: up[i] })) };
  });
  return app;
}
