import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { InvalidArgumentError, ZkseqError } from "../src/errors.js";
import { PACKAGE_ROOT } from "../src/packageRoot.js";
import type { NetworkView } from "./networkView.js";

/** The page's files, built by `npm run build:web` (scripts/build-web.mjs) into web/dist/. Nothing else is served. */
const ASSETS: Record<string, string> = {
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
  "uPlot.min.css": "text/css; charset=utf-8",
};

/** Open event streams one node serves at most (each costs a socket and a JSON write per refresh). */
const MAX_STREAMS = 32;

/** The folder the built page lives in: web/dist/ at the package root (from the sources or a compiled copy). */
export function webDistDir(): string {
  return join(PACKAGE_ROOT, "web", "dist");
}

/**
 * The network page on a member's HTTP service (docs/network-page.md):
 *
 * - `GET /` -> the page (HTML; its script and styles from `/assets/…`; no CDN, nothing from elsewhere)
 * - `GET /api/network` -> the node's NetworkSnapshot (member/networkView.ts)
 * - `GET /api/events` -> server-sent events: `snapshot` with the same JSON at each refresh (about once a second)
 * - `GET /api/batches?limit=N&before=M` -> `{ batches }`, newest first (limit 1..200, default 50)
 * - `GET /api/tx/:hash` -> where a transaction landed, with its inclusion proof (404 NOT_FOUND if this member never heard of it)
 *
 * Bad input is a 400 `{ error, message }`; too many open streams a 503.
 */
export function registerNetworkPage(app: FastifyInstance, view: NetworkView, opts: { dir?: string } = {}): void {
  const dir = opts.dir ?? webDistDir();
  const file = (name: string): Buffer => {
    try {
      return readFileSync(join(dir, name));
    } catch {
      throw Object.assign(new ZkseqError("PAGE_NOT_BUILT", `the network page is not built (${join(dir, name)} is missing): run npm run build:web`), { httpStatus: 503 });
    }
  };
  const security = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "cache-control": "no-cache",
  };

  app.get("/", async (_req, reply) => reply.headers({ ...security, "content-type": "text/html; charset=utf-8" }).send(file("index.html")));
  app.get<{ Params: { name: string } }>("/assets/:name", async (req, reply) => {
    const type = ASSETS[req.params.name];
    if (!type) throw notFound(`no asset ${req.params.name}`);
    return reply.headers({ ...security, "content-type": type }).send(file(req.params.name));
  });
  app.get("/api/network", async () => view.snapshot());
  app.get<{ Querystring: Record<string, unknown> }>("/api/batches", async (req) => {
    const limit = intParam(req.query.limit, "limit", 1, 200) ?? 50;
    const before = intParam(req.query.before, "before", 1, Number.MAX_SAFE_INTEGER);
    return { batches: await view.batches(limit, before === undefined ? undefined : BigInt(before)) };
  });
  app.get<{ Params: { hash: string } }>("/api/tx/:hash", async (req) => {
    const found = view.findTx(req.params.hash);
    if (!found) throw notFound(`this member never received transaction ${req.params.hash} nor saw it land`);
    return found;
  });
  app.get("/api/events", async (req, reply) => {
    if (view.watchers >= MAX_STREAMS) throw Object.assign(new ZkseqError("TOO_MANY_STREAMS", `this node serves at most ${MAX_STREAMS} open event streams; poll GET /api/network instead`), { httpStatus: 503 });
    // the first snapshot before the stream opens: a node that cannot read the chain answers 503, not an empty stream
    const first = await view.snapshot();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { ...security, "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive", "x-accel-buffering": "no" });
    const send = (s: unknown) => res.write(`event: snapshot\ndata: ${JSON.stringify(s)}\n\n`);
    send(first);
    const release = view.watch(res);
    view.on("snapshot", send);
    const ping = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
    const close = () => {
      clearInterval(ping);
      view.off("snapshot", send);
      release();
    };
    req.raw.on("close", close);
    res.on("error", close);
  });
}

/** A 404 on any zkseq service app (the member's maps NOT_FOUND to 404 too). */
function notFound(message: string): ZkseqError {
  return Object.assign(new ZkseqError("NOT_FOUND", message), { httpStatus: 404 });
}

/** An integer query parameter in [min, max], or undefined when absent; InvalidArgumentError otherwise. */
function intParam(v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^[0-9]{1,16}$/.test(v) || Number(v) < min || Number(v) > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v).slice(0, 40)}`);
  return Number(v);
}
