/**
 * What zkseq's HTTP services share: a fastify app whose errors are JSON
 * `{ error: CODE, message }` (4xx for bad requests, 5xx only for zkseq's own
 * faults), a durable SQLite database, and request-body helpers.
 */
import Database from "better-sqlite3";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { Logger as PinoLogger } from "pino";
import { TX_HASH_BITS, assertUint, toBigInt } from "./field.js";
import { InvalidArgumentError, InvalidTransactionError, ZkseqError } from "./errors.js";
import { txHashOf } from "./txHash.js";

/**
 * A fastify app with zkseq's error answers. `status` maps error codes to HTTP
 * statuses (default 400; `REPORT_CONFLICT` 409); a 503 carries `Retry-After`.
 */
export function createServiceApp(opts: { logger?: PinoLogger; bodyLimit?: number; status?: Record<string, number> } = {}): FastifyInstance {
  const app = Fastify({ loggerInstance: opts.logger, bodyLimit: opts.bodyLimit ?? 4 * 1024 * 1024 } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  const status: Record<string, number> = { REPORT_CONFLICT: 409, ...opts.status };
  app.setErrorHandler((err: FastifyError | ZkseqError | Error, _req, reply) => {
    if (err instanceof ZkseqError) {
      const own = (err as { httpStatus?: unknown }).httpStatus;
      const code = status[err.code] ?? (typeof own === "number" ? own : 400);
      if (code === 503) void reply.header("retry-after", "5");
      return reply.status(code).send({ error: err.code, message: err.shortMessage });
    }
    const fe = err as FastifyError;
    if (fe.statusCode && fe.statusCode < 500) {
      const code =
        fe.code?.startsWith("FST_ERR_CTP_INVALID_JSON") || err instanceof SyntaxError ? "MALFORMED_JSON" : fe.code === "FST_ERR_CTP_BODY_TOO_LARGE" ? "BODY_TOO_LARGE" : "BAD_REQUEST";
      return reply.status(fe.statusCode).send({ error: code, message: err.message });
    }
    app.log.error({ err }, "internal error");
    return reply.status(500).send({ error: "INTERNAL", message: "internal error" });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: "NOT_FOUND", message: `no route ${req.method} ${req.url}` }));
  return app;
}

/**
 * Opens a SQLite database for state that must survive `kill -9`: WAL journal,
 * `synchronous = FULL` (a committed write is on disk), a busy timeout.
 */
export function openDurableDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  return db;
}

/** A u64 as a SQLite text key that sorts numerically (zero-padded to 20 digits). */
export function u64Key(n: bigint): string {
  return n.toString().padStart(20, "0");
}

/** `{ txHashes: [...] }` from a request body: 248-bit transaction hashes, at most `max`. */
export function txHashesFromBody(body: unknown, max = 10_000): bigint[] {
  const list = (body as { txHashes?: unknown } | null)?.txHashes;
  if (!Array.isArray(list)) throw new InvalidArgumentError("the body must be { txHashes: [...] }");
  if (list.length > max) throw new InvalidArgumentError(`at most ${max} transactions per request`);
  return list.map((h, i) => assertUint(toBigInt(h, `txHashes[${i}]`), TX_HASH_BITS, `txHashes[${i}]`));
}

/** Default bound on one raw transaction's size (bytes); the inbox's `maxTxBytes` is the real limit. */
export const DEFAULT_MAX_TX_BYTES = 4096;

/** A request body limit that fits `maxTxs` raw transactions of `maxTxBytes` as 0x-hex JSON strings, and no more (about 2 MiB for 256 of 4096 bytes). */
export function requestBodyLimit(maxTxs: number, maxTxBytes: number): number {
  return maxTxs * (2 * maxTxBytes + 6) + 4096;
}

/**
 * `{ txs: ["0x…", …] }` from a request body: raw transactions as 0x-hex, each
 * 1 to `maxTxBytes` bytes, at most `maxTxs` of them; with their hashes.
 */
export function rawTxsFromBody(body: unknown, opts: { maxTxs?: number; maxTxBytes?: number } = {}): { txHash: bigint; raw: Uint8Array }[] {
  const list = (body as { txs?: unknown } | null)?.txs;
  if (!Array.isArray(list)) throw new InvalidArgumentError('the body must be { txs: ["0x…"] } (raw transactions as hex)');
  const maxTxs = opts.maxTxs ?? 256;
  const maxTxBytes = opts.maxTxBytes ?? DEFAULT_MAX_TX_BYTES;
  if (list.length > maxTxs) throw new InvalidArgumentError(`at most ${maxTxs} transactions per request`);
  return list.map((hex, i) => {
    const raw = rawTxFromHex(hex, `txs[${i}]`, maxTxBytes);
    return { txHash: txHashOf(raw), raw };
  });
}

/** A raw transaction from 0x-hex: 1 to `maxTxBytes` whole bytes, else InvalidTransactionError. */
export function rawTxFromHex(hex: unknown, what: string, maxTxBytes = DEFAULT_MAX_TX_BYTES): Uint8Array {
  if (typeof hex !== "string" || !/^0x([0-9a-fA-F]{2})+$/.test(hex)) throw new InvalidTransactionError(`${what} must be a non-empty 0x-hex string of whole bytes`);
  const bytes = (hex.length - 2) / 2;
  if (bytes > maxTxBytes) throw new InvalidTransactionError(`${what} is ${bytes} bytes, over the ${maxTxBytes}-byte limit`);
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}

/** 0x-hex of bytes. */
export function toHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}
