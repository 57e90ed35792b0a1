import { ServiceError } from "./errors.js";

/**
 * POSTs or GETs JSON to a zkseq service with a timeout. A JSON error answer
 * `{ error, message }` becomes ServiceError carrying its code and status. An
 * answer longer than `maxBytes` (default 16 MiB) is cut off and refused
 * (`ANSWER_TOO_LARGE`): a faulty service cannot make its client buffer without end.
 */
export async function requestJson<T>(
  service: string,
  url: string,
  opts: { method?: "GET" | "POST" | "DELETE"; body?: unknown; timeoutMs?: number; signal?: AbortSignal; headers?: Record<string, string>; maxBytes?: number } = {},
): Promise<T> {
  const signals = [AbortSignal.timeout(opts.timeoutMs ?? 10_000), ...(opts.signal ? [opts.signal] : [])];
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? (opts.body === undefined ? "GET" : "POST"),
      headers: { ...opts.headers, ...(opts.body === undefined ? {} : { "content-type": "application/json" }) },
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) }),
      signal: AbortSignal.any(signals),
    });
  } catch (e) {
    throw new ServiceError(service, `${url} unreachable (${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)})`, undefined, "SERVICE_UNREACHABLE");
  }
  const text = await readBounded(service, url, res, opts.maxBytes ?? 16 * 1024 * 1024);
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ServiceError(service, `${url} answered ${res.status} with non-JSON`, res.status);
  }
  if (!res.ok) {
    const err = json as { error?: string; message?: string } | undefined;
    throw new ServiceError(service, err?.message ?? `HTTP ${res.status}`, res.status, err?.error ?? "SERVICE_ERROR");
  }
  return json as T;
}

/** The answer's body as text, refusing (and cancelling) one over `maxBytes`. */
async function readBounded(service: string, url: string, res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new ServiceError(service, `${url} answered ${declared} bytes, over the ${maxBytes}-byte limit`, res.status, "ANSWER_TOO_LARGE");
  }
  if (!res.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new ServiceError(service, `${url} answered more than ${maxBytes} bytes`, res.status, "ANSWER_TOO_LARGE");
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    throw new ServiceError(service, `${url} broke off its answer (${e instanceof Error ? e.message : String(e)})`, res.status, "SERVICE_UNREACHABLE");
  }
  return Buffer.concat(chunks).toString("utf8");
}
