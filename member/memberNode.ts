import type { FastifyInstance } from "fastify";
import { pino, type Logger as PinoLogger } from "pino";
import { getBatchBuild } from "../src/builds.js";
import type { Committee } from "../src/committee.js";
import { NEVER_SEEN, TX_HASH_BITS, assertUint, toBigInt } from "../src/field.js";
import { batchHash, headerFromJSON, type BatchHeader } from "../src/header.js";
import type { MemberKey } from "../src/keys.js";
import { reportMessage, signReport, type SignedReport } from "../src/report.js";
import { reportToJSON } from "../src/batchFile.js";
import { txRoot } from "../src/txTree.js";
import type { InboxClient } from "../src/chain/inboxClient.js";
import {
  BatchTooLargeError,
  DuplicateTransactionError,
  HeaderMismatchError,
  InvalidArgumentError,
  InvalidCommitteeError,
  NotExtendingError,
  ReportConflictError,
} from "../src/errors.js";
import { createServiceApp, txHashesFromBody } from "../src/service.js";
import { MemberStore } from "./memberStore.js";

/** Options of a member node. */
export interface MemberNodeOptions {
  key: MemberKey;
  /** The member's leaf index in `committee`. */
  memberIndex: number;
  committee: Committee;
  build: string;
  chainId: bigint;
  inbox: bigint;
  /** What batch 1 extends (the inbox's genesisBatchHash). */
  genesisBatchHash: bigint;
  /** SQLite file for receive times and signed reports (":memory:" is not durable). */
  db: string;
  /** Reads the inbox's head, to accept a header that extends a batch this member did not sign. */
  chain?: InboxClient;
  /** Added to every receive time it records (devnet scenario: a skewed clock). Default 0. */
  skewMs?: number;
  logger?: PinoLogger;
}

/** A member's receive times as report offsets: NEVER_SEEN for unseen, forced and padding slots; a time before timeBase counts as timeBase. */
export function memberReportTimes(slots: readonly bigint[], forcedCount: number, receivedAt: readonly (number | undefined)[], timeBase: bigint, B: number): number[] {
  const times = new Array<number>(B).fill(NEVER_SEEN);
  for (let i = forcedCount; i < slots.length; i++) {
    const at = receivedAt[i];
    if (at === undefined) continue;
    const offset = Math.max(0, at - Number(timeBase));
    if (offset < NEVER_SEEN) times[i] = offset;
  }
  return times;
}

/**
 * A committee member's HTTP service. It records its own receive time of every
 * transaction it is sent, and signs a report on a proposed batch only after
 * checking it: the header is for its chain, inbox and committee, extends the
 * last batch it signed (or the inbox's head), its transactions are distinct
 * and match txRoot; and it has never signed a different report for that batch
 * number. The signature is persisted before it is answered.
 *
 * - `POST /txs` `{ txHashes }` -> `{ received }` (new ones)
 * - `POST /times` `{ txHashes }` -> `{ times }` (unix ms, or null if unseen)
 * - `POST /sign` `{ header, txHashes, forcedCount }` -> `{ report }`
 * - `GET /healthz` -> `{ memberIndex, publicKey, lastSigned }`
 */
export function createMemberNode(opts: MemberNodeOptions): { app: FastifyInstance; store: MemberStore; sign(req: SignRequest): Promise<SignedReport> } {
  const build = getBatchBuild(opts.build);
  const { B } = build.params;
  const member = opts.committee.member(opts.memberIndex);
  if (member.publicKey[0] !== opts.key.publicKey[0] || member.publicKey[1] !== opts.key.publicKey[1]) {
    throw new InvalidCommitteeError(`the key is not member ${opts.memberIndex} of the committee`);
  }
  const store = new MemberStore(opts.db);
  const log = opts.logger ?? pino({ enabled: false });
  const skew = opts.skewMs ?? 0;

  async function extendsChain(h: BatchHeader): Promise<void> {
    const last = store.lastSigned();
    if (last && h.batchNumber === last.batchNumber + 1n && h.prevBatchHash === last.batchHash) return;
    if (!last && h.batchNumber === 1n && h.prevBatchHash === opts.genesisBatchHash) return;
    if (opts.chain) {
      const state = await opts.chain.state();
      if (h.batchNumber === state.nextBatchNumber && h.prevBatchHash === state.headBatchHash) return;
    }
    throw new NotExtendingError(
      `batch ${h.batchNumber} with prevBatchHash ${h.prevBatchHash} extends neither the last batch this member signed (${last ? last.batchNumber : "none"}) nor the inbox's head`,
    );
  }

  async function sign(req: SignRequest): Promise<SignedReport> {
    const header = headerFromJSON(req.header);
    if (header.chainId !== opts.chainId || header.inbox !== opts.inbox) throw new InvalidArgumentError("the header is for another chain or inbox");
    if (header.committeeHash !== opts.committee.hash) throw new InvalidCommitteeError("the header names another committee");
    if (!Array.isArray(req.txHashes)) throw new InvalidArgumentError("txHashes must be an array");
    const slots = req.txHashes.map((h, i) => assertUint(toBigInt(h, `txHashes[${i}]`), TX_HASH_BITS, `txHashes[${i}]`));
    if (slots.length > B) throw new BatchTooLargeError("transactions", slots.length, B, build.id);
    if (BigInt(slots.length) !== header.txCount) throw new HeaderMismatchError("txCount", slots.length, header.txCount);
    const seen = new Set<bigint>();
    slots.forEach((h, i) => {
      if (seen.has(h)) throw new DuplicateTransactionError(h, i);
      seen.add(h);
    });
    const root = txRoot(slots, B);
    if (root !== header.txRoot) throw new HeaderMismatchError("txRoot", root, header.txRoot);
    const forcedCount = Number(header.forcedTo - header.forcedFrom);
    if (req.forcedCount !== forcedCount) throw new InvalidArgumentError(`forcedCount ${String(req.forcedCount)} does not match the header's forced range (${forcedCount})`);

    const hash = batchHash(header);
    const times = memberReportTimes(slots, forcedCount, store.receivedAt(slots), header.timeBase, B);
    const message = reportMessage(hash, times);
    const earlier = store.signed(header.batchNumber);
    if (earlier) {
      if (earlier.message !== message) throw new ReportConflictError(header.batchNumber);
      return reportFromStore(earlier.report);
    }
    await extendsChain(header);
    const report = signReport(opts.key, opts.memberIndex, hash, times);
    // On disk before it leaves: a restart can never produce a second, different report.
    if (!store.recordSigned({ batchNumber: header.batchNumber, batchHash: hash, message, report: JSON.stringify(reportToJSON(report)) })) {
      const now = store.signed(header.batchNumber)!;
      if (now.message !== message) throw new ReportConflictError(header.batchNumber);
    }
    log.info({ batchNumber: header.batchNumber.toString(), txCount: slots.length }, "signed report");
    return report;
  }

  const app = createServiceApp(opts.logger ? { logger: opts.logger } : {});
  app.post("/txs", async (req) => {
    const now = Date.now() + skew;
    return { received: store.receive(txHashesFromBody(req.body), now) };
  });
  app.post("/times", async (req) => ({ times: store.receivedAt(txHashesFromBody(req.body)).map((t) => t ?? null) }));
  app.post("/sign", async (req) => {
    if (typeof req.body !== "object" || req.body === null) throw new InvalidArgumentError("the body must be { header, txHashes, forcedCount }");
    return { report: reportToJSON(await sign(req.body as SignRequest)) };
  });
  app.get("/healthz", async () => {
    const last = store.lastSigned();
    return {
      ok: true,
      memberIndex: opts.memberIndex,
      publicKey: opts.key.publicKey.map(String),
      lastSigned: last ? { batchNumber: last.batchNumber.toString(), batchHash: last.batchHash.toString() } : null,
    };
  });
  app.addHook("onClose", async () => store.close());
  return { app, store, sign };
}

/** What a sequencer sends a member to sign. */
export interface SignRequest {
  header: unknown;
  txHashes: (string | bigint)[];
  forcedCount: number;
}

function reportFromStore(json: string): SignedReport {
  const r = JSON.parse(json) as { memberIndex: number; times: number[]; signature: { R8: [string, string]; S: string } };
  return { memberIndex: r.memberIndex, times: r.times, signature: { R8: [BigInt(r.signature.R8[0]), BigInt(r.signature.R8[1])], S: BigInt(r.signature.S) } };
}
