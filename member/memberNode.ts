import type { FastifyInstance } from "fastify";
import { pino, type Logger as PinoLogger } from "pino";
import { getBatchBuild } from "../src/builds.js";
import type { Committee } from "../src/committee.js";
import { NEVER_SEEN, TX_HASH_BITS, assertField, assertUint, toBigInt } from "../src/field.js";
import { batchHash, headerFromJSON } from "../src/header.js";
import type { MemberKey } from "../src/keys.js";
import { reportMessage, signReport, type SignedReport } from "../src/report.js";
import { reportFromJSON, reportToJSON } from "../src/batchFile.js";
import { BatchTooLargeError, ChainUnavailableError, InvalidArgumentError, InvalidCommitteeError, ReportConflictError, TransactionLandedError, ZkseqError } from "../src/errors.js";
import { createServiceApp, DEFAULT_MAX_TX_BYTES, rawTxsFromBody, requestBodyLimit, toHex, txHashesFromBody } from "../src/service.js";
import { MemberStore } from "./memberStore.js";
import { checkLeader, checkLeaderSignature, checkNoSkippedPending, checkProposal, type InboxSnapshot } from "./signingPolicy.js";
import { proposalAuthFromJSON, signIdentity } from "../src/proposal.js";
import { requestJson } from "../src/http.js";

/** Options of a member node. */
export interface MemberNodeOptions {
  key: MemberKey;
  /** The committees this member may sign for, by committeeHash (it signs only for the inbox's current one, and only if it is in it). */
  committees: (committeeHash: bigint) => Committee | undefined;
  build: string;
  /** Reads the inbox's state; the member checks every header against it before signing (member/inboxSnapshot.ts). */
  chain: () => Promise<InboxSnapshot>;
  /** Length of a round in ms of chain time (src/leaderSchedule.ts roundAt): it signs only the current round's leader's proposal. Every member must use the same value. */
  roundTimeoutMs: number;
  /** The other members' URLs: a transaction a client sends here is gossiped to them. */
  peers?: readonly string[];
  /** A header whose timeBase is this much later than its receive time of a pending transaction the batch leaves out is refused (default 5000 ms: room for gossip). */
  skipGraceMs?: number;
  /** More to show on `GET /healthz` (the proposer role's state). */
  health?: () => Record<string, unknown>;
  /** SQLite file for transactions and signed reports (":memory:" is not durable). */
  db: string;
  /** Largest raw transaction accepted (default 4096, the inbox's maxTxBytes). */
  maxTxBytes?: number;
  /** Raw transactions per `POST /txs` (default 256); the request body is bounded to fit them. */
  maxTxsPerRequest?: number;
  /** Pending transactions it holds (received, in no signed report, younger than `pendingTtlMs`; default 16384): past it `POST /txs` answers 503 MEMPOOL_FULL. */
  maxPendingTxs?: number;
  /** Pending transactions one client (source address) may have (default 8192, room for a busy peer's gossip): past it 429 MEMPOOL_FULL. */
  maxPendingPerClient?: number;
  /** A transaction stops counting as pending this long after it arrived (default 600000 ms). */
  pendingTtlMs?: number;
  /** Added to its receive time of every transaction whose txHash is odd (devnet scenario: a member whose times would reorder transactions if the median did not hold them). Default 0. */
  skewMs?: number;
  logger?: PinoLogger;
}

/** A member's receive times as report offsets: NEVER_SEEN for unseen, forced and padding slots, 0 for a stale one. checkProposal has refused a timeBase after any fresh one. */
export function memberReportTimes(forcedCount: number, receivedAt: readonly (number | undefined)[], timeBase: bigint, B: number): number[] {
  const times = new Array<number>(B).fill(NEVER_SEEN);
  for (let i = forcedCount; i < receivedAt.length; i++) {
    const at = receivedAt[i];
    // a stale transaction (received before the last batch's timeBase, checkProposal allowed it) is reported at offset 0
    if (at !== undefined) times[i] = Math.max(0, at - Number(timeBase));
  }
  return times;
}

/**
 * A committee member's HTTP service (protocol v2). It records its own receive
 * time of every raw transaction it is sent (and gossips the ones a client
 * sent to the other members), and signs a report on a proposed batch only if
 * it comes from the current round's leader (`checkLeader`), the inbox would
 * accept the header now and the report states what it saw
 * (member/signingPolicy.ts), and only one header per (batchNumber, round),
 * persisted before it answers. Its proposer role (proposer/proposer.ts)
 * leads when its turn comes.
 *
 * - `POST /txs` `{ txs: ["0x…"] }` -> `{ received }` (how many were new; `gossip: true` from another member: not forwarded again)
 * - `GET /txs/:hash` -> `{ txHash, raw, receivedAt, batchNumber }` (batchNumber: the finalized batch it landed in, or null)
 * - `POST /identity` `{ nonce }` -> `{ publicKey, signature }` (its key's signature on the nonce: how a leader knows which member answers at a URL)
 * - `POST /times` `{ txHashes }` -> `{ times }` (unix ms, or null if unseen)
 * - `POST /sign` `{ header, txHashes, proposal: { leader, signature } }` -> `{ report }`
 * - `GET /reports` -> every (batchNumber, round, batchHash) it signed
 * - `GET /healthz` -> `{ publicKey, lastSigned }`
 */
export function createMemberNode(opts: MemberNodeOptions): { app: FastifyInstance; store: MemberStore; sign(req: SignRequest): Promise<SignedReport> } {
  const build = getBatchBuild(opts.build);
  const { B } = build.params;
  const store = new MemberStore(opts.db);
  const log = opts.logger ?? pino({ enabled: false });
  const skew = opts.skewMs ?? 0;
  const maxTxBytes = opts.maxTxBytes ?? DEFAULT_MAX_TX_BYTES;

  /** This member's leaf index in the committee, or InvalidCommitteeError. */
  function indexIn(committeeHash: bigint): { committee: Committee; index: number } {
    const committee = opts.committees(committeeHash);
    const index = committee?.has(opts.key.publicKey) ? committee.indexOf(opts.key.publicKey) : -1;
    if (!committee || index < 0) throw new InvalidCommitteeError(`this member is not in committee ${committeeHash}`);
    return { committee, index };
  }

  async function sign(req: SignRequest): Promise<SignedReport> {
    if (typeof req !== "object" || req === null) throw new InvalidArgumentError("the body must be { header, txHashes, proposal }");
    const header = headerFromJSON(req.header);
    const auth = proposalAuthFromJSON(req.proposal);
    if (!Array.isArray(req.txHashes)) throw new InvalidArgumentError("txHashes must be an array");
    if (req.txHashes.length > B) throw new BatchTooLargeError("transactions", req.txHashes.length, B, build.id);
    const slots = req.txHashes.map((h, i) => assertUint(toBigInt(h, `txHashes[${i}]`), TX_HASH_BITS, `txHashes[${i}]`));
    const hash = batchHash(header);

    // one header per (batchNumber, round), ever: the same one again is answered from disk
    const earlier = store.signed(header.batchNumber, header.round);
    if (earlier) {
      if (earlier.batchHash !== hash) throw new ReportConflictError(header.batchNumber, header.round);
      return reportFromJSON(JSON.parse(earlier.report));
    }

    // a known committee: the leader's signature is checked before anything costs a chain read
    const known = opts.committees(header.committeeHash);
    if (known) checkLeaderSignature(known, header, hash, auth);
    // read first: it also learns committees scheduled since the last read; no chain, no signature
    const chain = await opts.chain().catch((e: unknown) => {
      throw e instanceof ZkseqError ? e : new ChainUnavailableError(e);
    });
    const { committee, index } = indexIn(header.committeeHash);
    checkLeader(committee, header, hash, auth, chain, opts.roundTimeoutMs);
    const receivedAt = store.receivedAt(slots);
    const forcedCount = checkProposal(build, { committeeHash: header.committeeHash }, chain, { header, txHashes: slots }, receivedAt);
    // never a transaction it saw land (a leader re-proposing one would land it twice)
    for (let i = forcedCount; i < slots.length; i++) {
      const landed = store.landedIn(slots[i]!);
      if (landed !== undefined) throw new TransactionLandedError(slots[i]!, landed);
    }
    // never a timeBase that makes a pending transaction it holds stale (only once it followed the inbox to the head: else "pending" may have landed)
    if (store.followedTo() >= header.batchNumber - 1n) {
      const inBatch = new Set(slots);
      const skipped = store.unlandedSince(Number(chain.lastTimeBase), slots.length + 1).find((p) => !inBatch.has(p.txHash));
      checkNoSkippedPending(header, skipped, opts.skipGraceMs ?? 5000);
    }
    const times = memberReportTimes(forcedCount, receivedAt, header.timeBase, B);
    const report = signReport(opts.key, index, hash, times);
    // On disk before it leaves: a restart can never produce a second, different report for this round.
    if (!store.recordSigned({ batchNumber: header.batchNumber, round: header.round, batchHash: hash, message: reportMessage(hash, times), report: JSON.stringify(reportToJSON(report)) }, slots)) {
      const now = store.signed(header.batchNumber, header.round)!;
      if (now.batchHash !== hash) throw new ReportConflictError(header.batchNumber, header.round);
      return reportFromJSON(JSON.parse(now.report));
    }
    log.info({ batchNumber: header.batchNumber.toString(), round: header.round.toString(), txCount: slots.length }, "signed report");
    return report;
  }

  const maxTxs = opts.maxTxsPerRequest ?? 256;
  const app = createServiceApp({ ...(opts.logger ? { logger: opts.logger } : {}), bodyLimit: requestBodyLimit(maxTxs, maxTxBytes), status: { NOT_FOUND: 404, CHAIN_UNAVAILABLE: 503 } });
  const limits = { maxPending: opts.maxPendingTxs ?? 16_384, maxPerClient: opts.maxPendingPerClient ?? 8192, pendingTtlMs: opts.pendingTtlMs ?? 600_000 };
  /** Forwards transactions a client sent here to every other member, without waiting (a member that misses them reports them unseen; another leader proposes them). */
  const gossip = (fresh: readonly { raw: Uint8Array }[]) => {
    if (!opts.peers?.length || fresh.length === 0) return;
    const txs = fresh.map((t) => toHex(t.raw));
    for (const peer of opts.peers) {
      void requestJson("member", `${peer.replace(/\/+$/, "")}/txs`, { body: { txs, gossip: true }, timeoutMs: 5000 }).catch((e: unknown) =>
        log.warn({ peer, err: e instanceof ZkseqError ? e.shortMessage : String(e) }, "gossip to a member failed"),
      );
    }
  };
  app.post("/txs", async (req) => {
    const txs = rawTxsFromBody(req.body, { maxTxBytes, maxTxs });
    const fromMember = (req.body as { gossip?: unknown }).gossip === true;
    const now = Date.now();
    const client = { ...limits, client: req.ip };
    let fresh: bigint[];
    if (skew === 0) fresh = store.receive(txs, now, client);
    else {
      // devnet scenario: the transactions with an odd txHash are recorded skewMs late (a constant offset could not change any order)
      const late = txs.filter((t) => (t.txHash & 1n) === 1n);
      fresh = [...store.receive(txs.filter((t) => (t.txHash & 1n) === 0n), now, client), ...store.receive(late, now + skew, client)];
    }
    // the bytes it just stored, not read back
    if (!fromMember) gossip(txs.filter((t) => fresh.includes(t.txHash)));
    return { received: fresh.length };
  });
  app.get<{ Params: { hash: string } }>("/txs/:hash", async (req) => {
    const h = assertUint(toBigInt(req.params.hash, "txHash"), TX_HASH_BITS, "txHash");
    const tx = store.tx(h);
    if (!tx) throw new ZkseqError("NOT_FOUND", `this member never received transaction 0x${h.toString(16)}`);
    const landed = store.landedIn(h);
    return { txHash: "0x" + h.toString(16).padStart(62, "0"), raw: toHex(tx.raw), receivedAt: tx.receivedAt, batchNumber: landed === undefined ? null : landed.toString() };
  });
  app.post("/identity", async (req) => {
    const nonce = assertField(toBigInt((req.body as { nonce?: unknown } | null)?.nonce, "nonce"), "nonce");
    const sig = signIdentity(opts.key, nonce);
    return { publicKey: opts.key.publicKey.map(String), signature: { R8: sig.R8.map(String), S: sig.S.toString() } };
  });
  app.post("/times", async (req) => ({ times: store.receivedAt(txHashesFromBody(req.body, 1024)).map((t) => t ?? null) }));
  app.post("/sign", async (req) => ({ report: reportToJSON(await sign(req.body as SignRequest)) }));
  app.get("/reports", async () => ({
    reports: store.allSigned().map((r) => ({ batchNumber: r.batchNumber.toString(), round: r.round.toString(), batchHash: r.batchHash.toString() })),
  }));
  app.get("/healthz", async () => {
    const last = store.lastSigned();
    return {
      ok: true,
      publicKey: opts.key.publicKey.map(String),
      lastSigned: last ? { batchNumber: last.batchNumber.toString(), round: last.round.toString(), batchHash: last.batchHash.toString() } : null,
      pending: store.unlandedCount(),
      followedTo: store.followedTo().toString(),
      ...(opts.health?.() ?? {}),
    };
  });
  app.addHook("onClose", async () => store.close());
  return { app, store, sign };
}

/** What a leader sends a member to sign: the header, its slots, and the leader's signature on it. */
export interface SignRequest {
  header: unknown;
  txHashes: (string | bigint)[];
  proposal: unknown;
}
