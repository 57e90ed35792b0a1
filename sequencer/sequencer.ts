import { EventEmitter } from "node:events";
import type { FastifyInstance } from "fastify";
import { pino, type Logger as PinoLogger } from "pino";
import { getBatchBuild } from "../src/builds.js";
import type { Committee } from "../src/committee.js";
import { proposeBatch } from "../src/batch.js";
import { batchFileFromJSON, batchFileToJSON } from "../src/batchFile.js";
import { toBigInt } from "../src/field.js";
import { batchHash, headerToJSON } from "../src/header.js";
import type { SignedReport } from "../src/report.js";
import { buildWitnessInput } from "../src/witness.js";
import { requestJson } from "../src/http.js";
import { InboxRevertError, MemberAnswerError, ZkseqError } from "../src/errors.js";
import { expectedNextCommittee, type ForcedEntryEvent, type InboxClient } from "../src/chain/inboxClient.js";
import type { ProverClient } from "../prover/proverClient.js";
import { createServiceApp, DEFAULT_MAX_TX_BYTES, rawTxsFromBody, requestBodyLimit, toHex } from "../src/service.js";
import { SequencerStore, type BatchRecord } from "./sequencerStore.js";
import { landableTimeBase, readChainClock } from "./chainClock.js";
import { AnswerFaults, chooseSigners, parseSignAnswer, parseTimesAnswer, type TimesAnswer } from "./memberAnswers.js";

/** Largest answer read from a member (a /times answer of 1,024 entries or a report is a few KiB). */
const MAX_MEMBER_ANSWER_BYTES = 256 * 1024;

/** A committee member as the sequencer reaches it. */
export interface MemberEndpoint {
  index: number;
  url: string;
}

/** Options of the sequencer. */
export interface SequencerOptions {
  build: string;
  /** Resolves a committee by hash: the inbox's current one signs, and a scheduled one is handed over to (member/inboxSnapshot.ts CommitteeDirectory). */
  committees: { get(hash: bigint): Promise<Committee | undefined> };
  members: MemberEndpoint[];
  inbox: InboxClient;
  prover: ProverClient;
  /** SQLite file for the mempool and batches. */
  db: string;
  /** Cut a batch once the oldest pending transaction waited this long (default 2000 ms), or when it is full. */
  maxBatchWaitMs?: number;
  /** Per-request timeout towards members (default 2000 ms). */
  memberTimeoutMs?: number;
  /** Idle poll interval (default 250 ms). */
  pollMs?: number;
  /** Transactions it drops instead of sequencing (devnet scenario: a censoring committee). */
  censor?: Iterable<bigint>;
  /** Largest raw transaction accepted (default 4096; the inbox's maxTxBytes is the real limit). */
  maxTxBytes?: number;
  /** Raw transactions per `POST /txs` (default 256); the request body is bounded to fit them. */
  maxTxsPerRequest?: number;
  /** Pending transactions the mempool holds (default 8192); past it `POST /txs` answers 503 MEMPOOL_FULL. */
  maxPendingTxs?: number;
  /** Pending transactions one client (source address) may have (default 256); past it `POST /txs` answers 429 MEMPOOL_FULL. */
  maxPendingPerClient?: number;
  /** Attempts at collecting Q reports for one round before re-proposing the number in the next round (default 3). */
  roundAttempts?: number;
  /** "eager" (default): every unconsumed forced entry goes first in the next batch; "when-overdue": only once the inbox would refuse a batch without it (what a censoring sequencer does). */
  forcedPolicy?: "eager" | "when-overdue";
  /** With "when-overdue": seconds a batch may take from cut to landing (default 60); entries overdue by then are included. */
  overdueMarginS?: number;
  logger?: PinoLogger;
}

/** What the sequencer reports about each batch as it moves. */
export interface BatchProgress {
  batchNumber: bigint;
  stage: "cut" | "signed" | "proven" | "finalized" | "abandoned" | "stalled" | "new-round";
  round: bigint;
  txCount: number;
  forcedCount: number;
  signers?: number[];
  /** ms since the batch was cut. */
  elapsedMs: number;
  detail?: string;
}

/**
 * The sequencer: a mempool fed over HTTP (and forwarded to every member), cut
 * into batches on size or time, with overdue-first forced transactions read
 * from the inbox, signed by at least Q members (slow or dead ones skipped),
 * proven by the prover and submitted with viem. It persists every step: a
 * restart resumes the batch in flight and never re-proves (the prover's jobs
 * are idempotent) or re-submits a finalized batch.
 *
 * A header that can no longer land (a forced entry fell due, the committee was
 * scheduled to hand over, members refuse it) is re-proposed for the same
 * number in the next round; the inbox takes the first round that lands.
 *
 * HTTP: `POST /txs { txs: ["0x…"] }` (raw transactions), `GET /txs/:hash`, `GET /batches/:n`, `GET /healthz`.
 */
export class Sequencer extends EventEmitter<{ batch: [BatchProgress] }> {
  readonly app: FastifyInstance;
  readonly store: SequencerStore;
  private readonly censor: Set<bigint>;
  private readonly log: PinoLogger;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly build;
  private readonly stop = new AbortController();
  private chainId: bigint | undefined;
  /** Failed attempts at collecting reports, per `${batchNumber}:${round}`. */
  private readonly attempts = new Map<string, number>();
  private forcedSeen: ForcedEntryEvent[] = [];
  /** Answers dropped, per member and kind (GET /healthz). */
  readonly faults: AnswerFaults;
  /** Members whose report contradicted the times they stated, for one batch number: not chosen to order it again. */
  private distrusted = { batchNumber: -1n, members: new Set<number>() };
  /** The times each ordering signer of the current proposal stated (offsets from timeBase), by `${batchNumber}:${round}`. */
  private stated: { key: string; times: Map<number, number[]> } | undefined;

  constructor(private readonly opts: SequencerOptions) {
    super();
    this.build = getBatchBuild(opts.build);
    this.store = new SequencerStore(opts.db);
    this.censor = new Set(opts.censor ?? []);
    this.log = opts.logger ?? pino({ enabled: false });
    this.faults = new AnswerFaults(this.log);
    const maxTxBytes = opts.maxTxBytes ?? DEFAULT_MAX_TX_BYTES;
    const maxTxs = opts.maxTxsPerRequest ?? 256;
    this.app = createServiceApp({ ...(opts.logger ? { logger: opts.logger } : {}), bodyLimit: requestBodyLimit(maxTxs, maxTxBytes), status: { NOT_FOUND: 404 } });
    this.app.post("/txs", async (req) => ({ accepted: await this.receive(rawTxsFromBody(req.body, { maxTxBytes, maxTxs }), req.ip) }));
    this.app.get<{ Params: { hash: string } }>("/txs/:hash", async (req) => {
      const h = toBigInt(req.params.hash, "txHash");
      const n = this.store.txBatch(h);
      return { txHash: "0x" + h.toString(16), batchNumber: n === undefined ? null : n.toString() };
    });
    this.app.get<{ Params: { n: string } }>("/batches/:n", async (req) => {
      const b = this.store.batch(toBigInt(req.params.n, "batch number"));
      if (!b) throw new ZkseqError("NOT_FOUND", `no batch ${req.params.n}`);
      return { batchNumber: b.batchNumber.toString(), state: b.state, batch: b.batch, proof: b.proof ?? null, l1TxHash: b.l1TxHash ?? null };
    });
    this.app.get("/healthz", async () => ({ ok: true, running: this.running, pending: this.store.pendingCount(), memberFaults: this.faults.toJSON() }));
    this.app.addHook("onClose", async () => {
      await this.close();
    });
  }

  /**
   * Adds raw transactions from `client` to the mempool (censored ones are
   * dropped) and forwards the new ones to every member. Throws
   * MempoolFullError, adding none, if the mempool or the client's quota is full.
   */
  async receive(txs: { txHash: bigint; raw: Uint8Array }[], client = "local"): Promise<number> {
    const fresh = this.store.addTxs(
      txs.filter((t) => !this.censor.has(t.txHash)),
      Date.now(),
      { client, maxPending: this.opts.maxPendingTxs ?? 8192, maxPerClient: this.opts.maxPendingPerClient ?? 256 },
    );
    if (fresh.length) {
      await Promise.all(
        this.opts.members.map((m) =>
          requestJson("member", `${m.url}/txs`, { body: { txs: fresh.map((t) => toHex(t.raw)) }, timeoutMs: this.opts.memberTimeoutMs ?? 2000 }).catch((e: unknown) =>
            this.log.warn({ member: m.index, err: (e as Error).message }, "member did not take transactions"),
          ),
        ),
      );
    }
    return fresh.length;
  }

  /** Starts cutting, signing, proving and submitting batches. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          const worked = await this.step();
          if (!worked) await this.sleep(this.opts.pollMs ?? 250);
        } catch (e) {
          if (!this.running) break;
          this.log.error({ err: e instanceof ZkseqError ? e.shortMessage : (e as Error).message }, "sequencer step failed; retrying");
          await this.sleep(1000);
        }
      }
    })();
  }

  /** Stops after the current step. */
  async close(): Promise<void> {
    if (!this.running) {
      this.store.close();
      return;
    }
    this.running = false;
    this.stop.abort();
    await this.loop;
    this.store.close();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(t);
        resolve();
      };
      // removed when the timer fires: an idle loop must not pile up listeners on the signal
      const t = setTimeout(() => {
        this.stop.signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      this.stop.signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  private progress(b: BatchRecord, stage: BatchProgress["stage"], extra: Partial<BatchProgress> = {}): void {
    const forcedCount = Number(BigInt(b.batch.header.forcedTo) - BigInt(b.batch.header.forcedFrom));
    const round = BigInt(b.batch.header.round);
    this.emit("batch", { batchNumber: b.batchNumber, round, stage, txCount: b.batch.txHashes.length, forcedCount, elapsedMs: Date.now() - b.cutAt, ...extra });
  }

  /** One unit of work; false when there was nothing to do. */
  private async step(): Promise<boolean> {
    const state = await this.opts.inbox.state();
    const open = this.store.unfinished();
    if (open) {
      if (state.nextBatchNumber > open.batchNumber) {
        // it landed (before a restart), or the escape hatch took its number
        const landed = (await this.opts.inbox.finalizedBatches()).find((f) => f.batchNumber === open.batchNumber);
        if (landed && !landed.forcedOnly && landed.batchHash === batchHash(batchFileFromJSON(open.batch).header)) {
          this.store.finalize(open.batchNumber, open.batch.txHashes.map(BigInt), landed.transactionHash);
          this.progress(open, "finalized");
        } else {
          this.store.saveBatch({ ...open, state: "abandoned" });
          this.progress(open, "abandoned", { detail: "the chain moved past it (escape hatch?)" });
        }
        return true;
      }
      if (open.state === "proposed") await this.collectReports(open);
      else await this.proveAndSubmit(open);
      return true;
    }
    // a number whose last round was given up (and whose new round could not be cut then) goes on in the round after it, never an earlier one
    const given = this.store.batch(state.nextBatchNumber);
    return this.cut(state, given?.state === "abandoned" ? BigInt(given.batch.header.round) + 1n : 0n);
  }

  /** Gives up a round whose header can no longer land and proposes the same number in the next round, from the chain's state now. */
  private async nextRound(record: BatchRecord, reason: string): Promise<void> {
    const round = BigInt(record.batch.header.round) + 1n;
    this.progress(record, "new-round", { detail: `round ${round}: ${reason}` });
    this.log.warn({ batchNumber: record.batchNumber.toString(), round: round.toString(), reason }, "re-proposing in a new round");
    this.store.saveBatch({ ...record, state: "abandoned" });
    const state = await this.opts.inbox.state();
    if (state.nextBatchNumber !== record.batchNumber) return; // the chain moved: the next step settles it
    await this.cut(state, round);
  }

  private async cut(state: Awaited<ReturnType<InboxClient["state"]>>, round: bigint): Promise<boolean> {
    const { Q, B, F } = this.build.params;
    // the queue only grows: read its events again only when it has entries this sequencer has not seen
    if (BigInt(this.forcedSeen.length) < state.forcedQueueLength) this.forcedSeen = await this.opts.inbox.forcedEntries();
    let forced = this.forcedSeen.filter((e) => e.index >= state.forcedConsumed).slice(0, F);
    if (this.opts.forcedPolicy === "when-overdue" && forced.length > 0) {
      const [delay, block] = await Promise.all([this.opts.inbox.forceDelay(), this.opts.inbox.client.getBlock()]);
      // entries that will be overdue before this batch can land count as overdue: a signed batch must stay valid
      const margin = BigInt(this.opts.overdueMarginS ?? 60);
      const overdueUntil = forced.findIndex((f) => f.queuedAt + delay > block.timestamp + margin);
      forced = overdueUntil < 0 ? forced : forced.slice(0, overdueUntil);
    }
    // at most 1024 candidates (the members' /times bound), oldest first
    const pending = this.store.pendingTxs(1024);
    if (pending.length === 0 && forced.length === 0 && round === 0n) return false;
    const full = pending.length >= B - forced.length;
    const overdue = pending.length > 0 && Date.now() - pending[0]!.receivedAt >= (this.opts.maxBatchWaitMs ?? 2000);
    if (!full && !overdue && forced.length === 0 && round === 0n) return false;

    const committee = await this.opts.committees.get(state.committeeHash);
    if (!committee) throw new ZkseqError("UNKNOWN_COMMITTEE", `the inbox's committee ${state.committeeHash} is not one this sequencer can resolve`);
    const candidates = pending.map((p) => p.txHash);
    const timeout = this.opts.memberTimeoutMs ?? 2000;
    const context = { batchNumber: state.nextBatchNumber.toString(), round: round.toString() };
    // every answer checked on its own: a malformed one drops its member for this round, never the round
    const answers = await Promise.all(
      this.opts.members.map(async (m): Promise<TimesAnswer | undefined> => {
        try {
          const body = await requestJson<unknown>("member", `${m.url}/times`, { body: { txHashes: candidates }, timeoutMs: timeout, maxBytes: MAX_MEMBER_ANSWER_BYTES });
          return parseTimesAnswer(m.index, body, candidates.length);
        } catch (e) {
          if (e instanceof MemberAnswerError) this.faults.record(m.index, e.kind, e.shortMessage, context);
          else this.faults.record(m.index, "unreachable", e instanceof ZkseqError ? e.shortMessage : String(e), context);
          return undefined;
        }
      }),
    );
    const valid = answers.filter((a): a is TimesAnswer => a !== undefined);
    if (this.distrusted.batchNumber !== state.nextBatchNumber) this.distrusted = { batchNumber: state.nextBatchNumber, members: new Set() };
    // signers and timeBase from the validated times only: an outlier is left out, never pins timeBase
    const clock = await readChainClock(this.opts.inbox, state.maxTimeDriftMs);
    const choice = chooseSigners(valid, Q, { lastTimeBase: state.lastTimeBase, nowMs: Number(clock.nowMs), maxAheadMs: Number(state.maxTimeDriftMs) }, this.distrusted.members);
    for (const s of choice?.skipped ?? []) this.faults.record(s.member, "implausible", s.reason, context);
    if (!choice) {
      this.log.warn({ answered: valid.map((a) => a.member), needed: Q }, "not enough members answered with times that order a batch; waiting");
      return false;
    }
    const { signers } = choice;
    // the inbox takes time from its block: never a timeBase the latest block would refuse (chooseSigners judged against the same clock)
    const timeBase = landableTimeBase(choice.timeBase, clock, state.lastTimeBase);
    const proposal = proposeBatch({
      build: this.build,
      chainId: (this.chainId ??= BigInt(await this.opts.inbox.client.getChainId())),
      inbox: BigInt(this.opts.inbox.address),
      batchNumber: state.nextBatchNumber,
      round,
      prevBatchHash: state.headBatchHash,
      committee,
      nextCommitteeHash: expectedNextCommittee(state, state.nextBatchNumber),
      forced: { from: state.forcedConsumed, accFrom: await this.opts.inbox.forcedAccAt(state.forcedConsumed), txHashes: forced.map((f) => f.txHash) },
      candidates,
      receivedAt: signers.map((s) => new Map(candidates.flatMap((h, i) => (s.times[i] === null ? [] : [[h, s.times[i]!] as const])))),
      signers: signers.map((s) => s.member),
      timeBase,
    });
    const record: BatchRecord = {
      batchNumber: proposal.header.batchNumber,
      state: "proposed",
      batch: batchFileToJSON({ build: this.build.id, header: proposal.header, committee, txHashes: proposal.txHashes, reports: [] }),
      cutAt: Date.now(),
    };
    // Persisted before any member sees it: after a restart the same header is proposed again, never a different one.
    this.store.saveBatch(record);
    this.stated = { key: `${record.batchNumber}:${round}`, times: new Map(signers.map((s, j) => [s.member, proposal.times[j]!])) };
    this.progress(record, "cut");
    this.log.info({ batchNumber: record.batchNumber.toString(), txCount: proposal.txHashes.length, forced: proposal.forcedCount }, "batch cut");
    await this.collectReports(record);
    return true;
  }

  /** Asks every member to sign the proposal; keeps a Q-subset of valid reports that orders the batch. */
  private async collectReports(record: BatchRecord): Promise<void> {
    const { Q } = this.build.params;
    const file = batchFileFromJSON(record.batch);
    const hash = batchHash(file.header);
    const forcedCount = Number(file.header.forcedTo - file.header.forcedFrom);
    const timeout = this.opts.memberTimeoutMs ?? 2000;
    const key = `${record.batchNumber}:${file.header.round}`;
    // after a restart the stated times are gone: reports are still checked, and the subset that orders the batch is searched
    const stated = this.stated?.key === key ? this.stated.times : new Map<number, number[]>();
    const context = { batchNumber: record.batchNumber.toString(), round: file.header.round.toString() };
    let contradicted = false;
    const got = await Promise.all(
      this.opts.members.map(async (m): Promise<SignedReport | undefined> => {
        try {
          const body = await requestJson<unknown>("member", `${m.url}/sign`, {
            body: { header: headerToJSON(file.header), txHashes: record.batch.txHashes, forcedCount },
            timeoutMs: timeout,
            maxBytes: MAX_MEMBER_ANSWER_BYTES,
          });
          const expectedTimes = stated.get(m.index);
          return parseSignAnswer(m.index, body, {
            committee: file.committee,
            batchHash: hash,
            txCount: file.txHashes.length,
            forcedCount,
            B: this.build.params.B,
            ...(expectedTimes ? { expectedTimes } : {}),
          });
        } catch (e) {
          if (e instanceof MemberAnswerError) {
            this.faults.record(m.index, e.kind, e.shortMessage, context);
            if (stated.has(m.index)) {
              // an ordering signer that does not stand by its times: never chosen to order this number again
              this.distrusted.members.add(m.index);
              contradicted = true;
            }
          } else this.faults.record(m.index, "unreachable", e instanceof ZkseqError ? e.shortMessage : String(e), context);
          return undefined;
        }
      }),
    );
    const valid = got.filter((r): r is SignedReport => r !== undefined);
    const chosen = chooseReports(valid, Q, [...stated.keys()], (reports) => {
      try {
        buildWitnessInput({ build: this.build, header: file.header, committee: file.committee, txHashes: file.txHashes, reports });
        return true;
      } catch {
        return false;
      }
    });
    if (!chosen) {
      const attempts = (this.attempts.get(key) ?? 0) + 1;
      this.attempts.set(key, attempts);
      if (contradicted) {
        this.attempts.delete(key);
        await this.nextRound(record, "an ordering signer's report contradicted its stated times; re-proposing without it");
        return;
      }
      if (attempts >= (this.opts.roundAttempts ?? 3)) {
        this.attempts.delete(key);
        await this.nextRound(record, `${valid.length} valid reports after ${attempts} attempts, fewer than ${Q} that order the batch`);
        return;
      }
      this.progress(record, "stalled", { detail: `${valid.length} valid reports, no ${Q} of them order the batch; retrying` });
      await this.sleep(1000);
      return;
    }
    const signed: BatchRecord = { ...record, state: "signed", batch: batchFileToJSON({ ...file, reports: chosen }) };
    this.store.saveBatch(signed);
    this.progress(signed, "signed", { signers: chosen.map((r) => r.memberIndex) });
    await this.proveAndSubmit(signed);
  }

  private async proveAndSubmit(record: BatchRecord): Promise<void> {
    let current = record;
    if (current.state === "signed") {
      const { job } = await this.opts.prover.submit({ build: this.build.id, batch: current.batch });
      current = { ...current, jobId: job.id };
      this.store.saveBatch(current);
      const p = await this.opts.prover.waitForProof(job.id, { signal: this.stop.signal });
      current = { ...current, state: "proven", proof: { proof: p.proof, publicSignals: p.publicSignals } };
      this.store.saveBatch(current);
      this.progress(current, "proven");
    }
    if (current.state === "proven" && current.proof) {
      try {
        const posted = this.postedRawTxs(current);
        const sent = await this.opts.inbox.submitBatch(current.proof.proof as never, current.proof.publicSignals, posted);
        this.store.finalize(current.batchNumber, current.batch.txHashes.map(BigInt), sent.hash);
        this.progress(current, "finalized", { detail: `block ${sent.receipt.blockNumber}, ${sent.gasUsed} gas` });
        this.log.info({ batchNumber: current.batchNumber.toString(), gas: sent.gasUsed.toString(), ms: Date.now() - current.cutAt }, "batch finalized");
      } catch (e) {
        if (e instanceof InboxRevertError && (e.errorName === "BatchInbox__WrongBatchNumber" || e.errorName === "BatchInbox__WrongPrevBatchHash")) {
          return; // the next step sees the chain moved and settles the batch
        }
        if (e instanceof InboxRevertError && UNLANDABLE.has(e.errorName)) {
          await this.nextRound(current, `the inbox refused round ${current.batch.header.round}: ${e.errorName}`);
          return;
        }
        throw e;
      }
    }
  }

  /** The raw bytes of the batch's fair-ordered slots, from the mempool, in slot order. */
  private postedRawTxs(record: BatchRecord): Uint8Array[] {
    const file = batchFileFromJSON(record.batch);
    const k = Number(file.header.forcedTo - file.header.forcedFrom);
    const posted = file.txHashes.slice(k);
    return this.store.rawTxs(posted).map((raw, i) => {
      if (!raw) throw new ZkseqError("MISSING_TX_DATA", `the mempool has no bytes for transaction 0x${posted[i]!.toString(16)} of batch ${record.batchNumber}`);
      return raw;
    });
  }
}

/** Inbox refusals after which a round's header can never land: the number is re-proposed in the next round. */
const UNLANDABLE = new Set([
  "BatchInbox__OverdueForcedEntryOmitted",
  "BatchInbox__TimeBaseWentBack",
  "BatchInbox__WrongCommittee",
  "BatchInbox__WrongNextCommittee",
  "BatchInbox__ForcedRangeMismatch",
  "BatchInbox__ForcedAccumulatorMismatch",
]);

/** The first Q-subset of reports that `orders` accepts, trying the `preferred` members (the proposal's ordering signers) first, then by member index. */
export function chooseReports(reports: SignedReport[], Q: number, preferred: readonly number[], orders: (r: SignedReport[]) => boolean): SignedReport[] | undefined {
  const rank = (r: SignedReport) => (preferred.includes(r.memberIndex) ? -1 : 0);
  const sorted = [...reports].sort((a, b) => rank(a) - rank(b) || a.memberIndex - b.memberIndex);
  const pick = (start: number, acc: SignedReport[]): SignedReport[] | undefined => {
    if (acc.length === Q) {
      const byIndex = [...acc].sort((a, b) => a.memberIndex - b.memberIndex);
      return orders(byIndex) ? byIndex : undefined;
    }
    for (let i = start; i <= sorted.length - (Q - acc.length); i++) {
      const found = pick(i + 1, [...acc, sorted[i]!]);
      if (found) return found;
    }
    return undefined;
  };
  return pick(0, []);
}

