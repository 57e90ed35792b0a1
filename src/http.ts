import { ServiceError } from "./errors.js";

/**
 * POSTs or GETs JSON to a zkseq service with a timeout. A JSON error answer
 * `{ error, message }` becomes ServiceError carrying its code and status.
 */
export async function requestJson<T>(service: string, url: string, opts: { method?: "GET" | "POST" | "DELETE"; body?: unknown; timeoutMs?: number; signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<T> {
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
  const text = await res.text();
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
