import type { Hash, Hex } from "viem";
import { requestJson } from "../http.js";
import { InvalidArgumentError, ServiceError, TransactionNotAcceptedError, TransactionNotLandedError, ZkseqError } from "../errors.js";
import { txHashOf } from "../txHash.js";
import { deriveBatches, type DeriveOptions } from "./deriveBatches.js";

/** What each endpoint said to a submitted transaction. */
export interface SubmitReport {
  txHash: bigint;
  /** Endpoints that took it (or already had it). */
  accepted: string[];
  /** Endpoints that refused it or did not answer, with the reason. */
  refused: Array<{ url: string; code: string; message: string }>;
}

/** Where a transaction landed: the finalized batch and slot, and the L1 transaction that finalized it. */
export interface Landing {
  txHash: bigint;
  batchNumber: bigint;
  slot: number;
  /** True when it landed through the forced queue (a forced slot of a committee batch, or an escape-hatch batch). */
  forced: boolean;
  l1TxHash: Hash;
  blockNumber: bigint;
}

/**
 * Sends a raw transaction to several zkseq endpoints at once (committee
 * members' or a gateway's `POST /txs`): one honest endpoint that takes it is
 * enough, so a crashed, slow or censoring endpoint does not lose it. Throws
 * TransactionNotAcceptedError (with every endpoint's answer) when none did.
 *
 * @example
 * const r = await submitTransaction(raw, { endpoints: ["http://m0:7400", "http://m1:7400", "http://m2:7400"] })
 * r.accepted // ["http://m0:7400", "http://m2:7400"]
 */
export async function submitTransaction(raw: Hex, opts: { endpoints: readonly string[]; timeoutMs?: number; signal?: AbortSignal }): Promise<SubmitReport> {
  if (opts.endpoints.length === 0) throw new InvalidArgumentError("submitTransaction needs at least one endpoint");
  const txHash = txHashOf(raw);
  const answers = await Promise.all(
    opts.endpoints.map(async (url) => {
      try {
        await requestJson<unknown>("endpoint", `${url.replace(/\/+$/, "")}/txs`, { body: { txs: [raw] }, timeoutMs: opts.timeoutMs ?? 5000, ...(opts.signal ? { signal: opts.signal } : {}), maxBytes: 64 * 1024 });
        return { url };
      } catch (e) {
        const code = e instanceof ZkseqError ? e.code : "SERVICE_ERROR";
        return { url, code, message: e instanceof ZkseqError ? e.shortMessage : String(e) };
      }
    }),
  );
  const report: SubmitReport = { txHash, accepted: [], refused: [] };
  for (const a of answers) {
    if ("code" in a) report.refused.push({ url: a.url, code: a.code!, message: a.message! });
    else report.accepted.push(a.url);
  }
  if (report.accepted.length === 0) throw new TransactionNotAcceptedError(txHash, report.refused);
  return report;
}

/**
 * Watches L1 until the transaction is in a finalized batch, deriving and
 * verifying every batch on the way (`deriveBatches`: proofs, data binding,
 * chain links), and says where it landed. It trusts no endpoint: only what the
 * inbox finalized counts. Throws TransactionNotLandedError when `signal`
 * aborts (e.g. `AbortSignal.timeout(ms)`) first.
 *
 * @example
 * const where = await waitForLanding(raw, { inbox, verificationKey: vkey, build: "dev", signal: AbortSignal.timeout(120_000) })
 * console.log(`batch ${where.batchNumber}, slot ${where.slot}, L1 tx ${where.l1TxHash}`)
 */
export async function waitForLanding(raw: Hex | bigint, opts: DeriveOptions & { fromBatch?: bigint; pollMs?: number; signal?: AbortSignal }): Promise<Landing> {
  const txHash = typeof raw === "bigint" ? raw : txHashOf(raw);
  const started = Date.now();
  try {
    for await (const b of deriveBatches({ ...opts, follow: true })) {
      const t = b.transactions.find((x) => x.txHash === txHash);
      if (t) return { txHash, batchNumber: b.batchNumber, slot: t.slot, forced: t.forcedIndex !== undefined, l1TxHash: b.l1TxHash, blockNumber: b.blockNumber };
    }
  } catch (e) {
    if (!(opts.signal?.aborted && e instanceof ServiceError)) throw e;
  }
  throw new TransactionNotLandedError(txHash, Date.now() - started);
}
