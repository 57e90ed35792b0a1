import { EventEmitter } from "node:events";
import { pino, type Logger as PinoLogger } from "pino";
import { getBatchBuild } from "../src/builds.js";
import type { Committee } from "../src/committee.js";
import { proposeBatch } from "../src/batch.js";
import { batchFileFromJSON, batchFileToJSON, reportToJSON } from "../src/batchFile.js";
import { batchHash, headerToJSON, unpackHeaderWords } from "../src/header.js";
import type { SignedReport } from "../src/report.js";
import type { MemberKey } from "../src/keys.js";
import { buildWitnessInput } from "../src/witness.js";
import { requestJson } from "../src/http.js";
import { txHashOf } from "../src/txHash.js";
import { leaderOf, roundAt, roundTimeLeft } from "../src/leaderSchedule.js";
import { proposalAuthToJSON, signProposal, type ProposalAuthJson } from "../src/proposal.js";
import { InboxRevertError, MemberAnswerError, ServiceError, ZkseqError } from "../src/errors.js";
import { expectedNextCommittee, type ForcedEntryEvent, type InboxClient, type InboxState } from "../src/chain/inboxClient.js";
import type { ProverClient } from "../prover/proverClient.js";
import type { ProverService } from "../prover/proverService.js";
import type { ProverStats } from "../prover/proverStats.js";
import type { JobProof } from "../prover/prover.js";
import type { JobRequest } from "../prover/jobRequest.js";
import type { MemberStore } from "../member/memberStore.js";
import type { SignRequest } from "../member/memberNode.js";
import { provenPeerKey } from "../member/peerIdentity.js";
import { ProposerStore, type ProposalRecord } from "./proposerStore.js";
import { landableTimeBase, readChainClock, type ChainClock } from "./chainClock.js";
import { AnswerFaults, chooseSigners, parseSignAnswer, parseTimesAnswer, type TimesAnswer } from "./memberAnswers.js";

/** Largest answer read from a member (a /times answer of 1,024 entries or a report is a few KiB). */
const MAX_MEMBER_ANSWER_BYTES = 256 * 1024;

/** Batches for which a member whose report contradicted its stated times is not chosen to order (this leader's memory; each leader learns it at most once). */
const DISTRUST_BATCHES = 16n;

/** Options of a member's proposer role. */
export interface ProposerOptions {
  build: string;
  /** This member's key: it signs its proposals with it (src/proposal.ts). */
  key: MemberKey;
  /** Resolves a committee by hash (member/inboxSnapshot.ts CommitteeDirectory). */
  committees: { get(hash: bigint): Promise<Committee | undefined> };
  /** The other members' URLs, in any order: each is matched to its leaf by the public key its `GET /healthz` states. */
  peers: readonly string[];
  /** This member's own node: its mempool and its signing policy (a leader signs its own proposal like any member). */
  local: { store: MemberStore; sign(req: SignRequest): Promise<SignedReport> };
  /** The inbox, with a wallet: the leader submits its batch itself. */
  inbox: InboxClient;
  /** A proving service or queue (zkseq prover serve). */
  prover?: ProverClient;
  /** This member's own proving pool, made on first need: used when no prover is configured or it does not answer. */
  localProver?: () => Promise<ProverService>;
  /** Where proposals are kept (the member's own SQLite file). */
  db: string;
  /** Length of a round (ms of chain time); every member of the committee must use the same value. */
  roundTimeoutMs: number;
  /** A leader starts a proposal only with at least this much of its round left (default a third of the round). */
  minRoundLeftMs?: number;
  /** Cut once the oldest pending transaction waited this long (default 1500 ms), or when the batch is full. */
  maxBatchWaitMs?: number;
  /** Per-request timeout towards other members (default 2000 ms). */
  memberTimeoutMs?: number;
  /** Idle poll interval (default 250 ms). */
  pollMs?: number;
  /** Devnet scenario: transactions this member leaves out when it leads. */
  censor?: Iterable<bigint>;
  /** Devnet scenario: this member leads, collects a quorum, and then never proves or submits. */
  withhold?: boolean;
  logger?: PinoLogger;
}

/** What the proposer reports about each proposal as it moves. */
export interface ProposerProgress {
  batchNumber: bigint;
  round: bigint;
  leader: number;
  stage: "cut" | "signed" | "proven" | "finalized" | "abandoned" | "stalled" | "withheld" | "round-change" | "local-prover";
  txCount: number;
  forcedCount: number;
  signers?: number[];
  /** ms since the proposal was cut. */
  elapsedMs: number;
  detail?: string;
}

/**
 * A member's proposer role (docs/network.md). Every member runs one; at any
 * moment only the leader of the next batch's current round acts:
 *
 * 1. it follows the inbox: every finalized batch's transactions are marked
 *    landed in its mempool, so none is proposed twice;
 * 2. when it leads (`leaderOf(committee, n, roundAt(...))`) and there is
 *    work, it cuts: overdue-first forced entries, then candidates from its
 *    durable mempool; it asks every member for its receive times, picks the
 *    Q signers and timeBase from validated answers only, signs the header
 *    with its member key and asks every member to sign;
 * 3. with Q reports that order the batch it has it proven (the configured
 *    prover, or its own pool when none answers) and submits it.
 *
 * One proposal per (batchNumber, round), persisted before anyone sees it. A
 * round whose proposal did not gather Q reports in time is left to the next
 * round's leader; a signed one is still proven and submitted (the inbox takes
 * the first round of a number that lands).
 */
export class Proposer extends EventEmitter<{ progress: [ProposerProgress] }> {
  readonly store: ProposerStore;
  readonly faults: AnswerFaults;
  private readonly build;
  private readonly log: PinoLogger;
  private readonly censor: Set<bigint>;
  private readonly stop = new AbortController();
  private running = false;
  private loop: Promise<void> | undefined;
  private chainId: bigint | undefined;
  private forcedSeen: ForcedEntryEvent[] = [];
  private followFromBlock: bigint | undefined;
  /** Peer URL -> the public key it states (resolved lazily, kept once known). */
  private readonly peerKeys = new Map<string, string>();
  /** Members whose report contradicted the times they stated: not chosen to order batches before `until`. */
  private readonly distrusted = new Map<number, bigint>();
  /** The times each ordering signer of the current proposal stated, by `${batchNumber}:${round}`. */
  private stated: { key: string; times: Map<number, number[]> } | undefined;
  private localProving: Promise<ProverService> | undefined;
  /** The last (batchNumber, round) whose round change was reported. */
  private announced = "";

  constructor(private readonly opts: ProposerOptions) {
    super();
    this.build = getBatchBuild(opts.build);
    this.store = new ProposerStore(opts.db);
    this.log = opts.logger ?? pino({ enabled: false });
    this.faults = new AnswerFaults(this.log);
    this.censor = new Set(opts.censor ?? []);
  }

  /** Starts following the inbox and leading when it is this member's turn. */
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
          this.log.error({ err: e instanceof ZkseqError ? e.shortMessage : (e as Error).message }, "proposer step failed; retrying");
          await this.sleep(1000);
        }
      }
    })();
  }

  /** Stops after the current step (a proof being waited for is given up; the prover's job is idempotent). */
  async close(): Promise<void> {
    if (this.running) {
      this.running = false;
      this.stop.abort();
      await this.loop;
    }
    this.store.close();
    if (this.localProving) await (await this.localProving.catch(() => undefined))?.close();
  }

  /** What /healthz shows of the role. */
  health(): { proposals: number; open: { batchNumber: string; round: string; state: string } | null; memberFaults: Record<string, Record<string, number>> } {
    const open = this.store.unfinished();
    return {
      proposals: this.store.count(),
      open: open ? { batchNumber: open.batchNumber.toString(), round: open.round.toString(), state: open.state } : null,
      memberFaults: this.faults.toJSON(),
    };
  }

  /** The figures of this member's own proving pool, once it was made (undefined before its first need). */
  async localProverStats(): Promise<ProverStats | undefined> {
    if (!this.localProving) return undefined;
    const local = await this.localProving.catch(() => undefined);
    return local ? await local.stats() : undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(() => {
        this.stop.signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      this.stop.signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  private progress(p: ProposalRecord, stage: ProposerProgress["stage"], extra: Partial<ProposerProgress> = {}): void {
    const h = p.batch.header;
    this.emit("progress", {
      batchNumber: p.batchNumber,
      round: p.round,
      leader: p.leader,
      stage,
      txCount: p.batch.txHashes.length,
      forcedCount: Number(BigInt(h.forcedTo) - BigInt(h.forcedFrom)),
      elapsedMs: Date.now() - p.cutAt,
      ...extra,
    });
  }

  /** One unit of work; false when there was nothing to do. */
  private async step(): Promise<boolean> {
    const state = await this.opts.inbox.state();
    await this.follow(state);
    const open = this.store.unfinished();
    if (open) return this.resume(open, state);

    const committee = await this.opts.committees.get(state.committeeHash);
    if (!committee?.has(this.opts.key.publicKey)) return false;
    const me = committee.indexOf(this.opts.key.publicKey);
    const clock = await readChainClock(this.opts.inbox, state.maxTimeDriftMs);
    const round = roundAt(state.lastCommitteeBatchAt, clock.nowMs, this.opts.roundTimeoutMs);
    if (leaderOf(committee, state.nextBatchNumber, round) !== me) return false;
    if (this.store.get(state.nextBatchNumber, round)) return false; // one proposal per round it leads, ever
    if (this.opts.local.store.followedTo() < state.nextBatchNumber - 1n) return false; // not caught up: it could re-propose a landed transaction
    const left = roundTimeLeft(state.lastCommitteeBatchAt, clock.nowMs, this.opts.roundTimeoutMs, round);
    if (left < (this.opts.minRoundLeftMs ?? Math.floor(this.opts.roundTimeoutMs / 3))) return false;
    return this.cut(state, committee, me, round, clock);
  }

  /** Carries an open proposal on, or settles it once the chain moved past its number. */
  private async resume(open: ProposalRecord, state: InboxState): Promise<boolean> {
    if (state.nextBatchNumber > open.batchNumber) {
      const landed = (await this.opts.inbox.finalizedBatches()).find((f) => f.batchNumber === open.batchNumber);
      if (landed && !landed.forcedOnly && landed.batchHash === batchHash(batchFileFromJSON(open.batch).header)) {
        this.store.save({ ...open, state: "finalized", finalizedAt: Date.now(), l1TxHash: landed.transactionHash });
        this.progress(open, "finalized", { detail: "landed" });
      } else {
        this.store.save({ ...open, state: "abandoned" });
        this.progress(open, "abandoned", { detail: "another round (or the escape hatch) landed this number first" });
      }
      return true;
    }
    if (open.state === "proposed") {
      const clock = await readChainClock(this.opts.inbox, state.maxTimeDriftMs);
      const current = roundAt(state.lastCommitteeBatchAt, clock.nowMs, this.opts.roundTimeoutMs);
      if (current !== open.round) {
        this.store.save({ ...open, state: "abandoned" });
        this.progress(open, "abandoned", { detail: `round ${open.round} ended before ${this.build.params.Q} members signed; round ${current}'s leader proposes next` });
        return true;
      }
      await this.collectReports(open);
      return true;
    }
    if (this.opts.withhold && open.state === "signed") {
      this.store.save({ ...open, state: "withheld" });
      this.progress(open, "withheld", { detail: "scenario --withhold: signed by a quorum, never submitted" });
      return true;
    }
    await this.proveAndSubmit(open);
    return true;
  }

  /** Marks every transaction of the batches finalized since it last looked as landed in its mempool. */
  private async follow(state: InboxState): Promise<void> {
    const mempool = this.opts.local.store;
    const target = state.nextBatchNumber - 1n;
    if (mempool.followedTo() >= target) return;
    const events = (await this.opts.inbox.finalizedBatches(this.followFromBlock)).filter((e) => e.batchNumber > mempool.followedTo()).sort((a, b) => (a.batchNumber < b.batchNumber ? -1 : 1));
    for (const e of events) {
      if (e.batchNumber !== mempool.followedTo() + 1n) break; // a gap: read again next step
      const hashes: bigint[] = [];
      if (e.forcedTo > e.forcedFrom) {
        if (BigInt(this.forcedSeen.length) < e.forcedTo) this.forcedSeen = await this.opts.inbox.forcedEntries();
        for (const f of this.forcedSeen) if (f.index >= e.forcedFrom && f.index < e.forcedTo) hashes.push(f.txHash);
      }
      /** Every slot in order, and the round that landed, when this member can tell (the network page shows them). */
      let slots: bigint[] | null = e.forcedOnly ? [...hashes] : null;
      let round: bigint | null = null;
      let leader: number | null = null;
      if (!e.forcedOnly) {
        try {
          const posted = await this.opts.inbox.submittedBatch(e.transactionHash);
          for (const raw of posted.txs) hashes.push(txHashOf(raw));
          slots = [...hashes];
          round = unpackHeaderWords(posted.header).round;
          const committee = await this.opts.committees.get(posted.header.committeeHash);
          if (committee) leader = leaderOf(committee, e.batchNumber, round);
        } catch (err) {
          // not a direct submitBatch call (a contract wallet, a multicall): the slots of the report it signed on that header, if it did
          const signed = this.opts.local.store.slotsSigned(e.batchHash);
          if (signed) {
            hashes.push(...signed.slice(hashes.length));
            slots = signed;
            round = this.opts.local.store.allSigned().find((r) => r.batchHash === e.batchHash)?.round ?? null;
          } else this.log.error({ batchNumber: e.batchNumber.toString(), err: err instanceof ZkseqError ? err.shortMessage : String(err) }, "cannot read a finalized batch's transactions and did not sign it; its transactions stay pending here (members that signed it refuse them)");
        }
      }
      if (slots && slots.length !== Number(e.txCount)) slots = null; // not what the inbox counted: never shown as the batch's slots
      mempool.markLanded(e.batchNumber, hashes, { batchHash: e.batchHash, txRoot: e.txRoot, round, leader, forcedOnly: e.forcedOnly, forcedFrom: e.forcedFrom, forcedTo: e.forcedTo, slots, l1TxHash: e.transactionHash, blockNumber: e.blockNumber });
      this.followFromBlock = e.blockNumber;
    }
  }

  /**
   * Every other member this leader can reach, by leaf index, one URL each. A
   * URL is matched to its leaf only by proving it holds that member's key
   * (`POST /identity`, a signature on a fresh nonce), so an endpoint cannot
   * answer in another member's name.
   */
  private async endpoints(committee: Committee, me: number): Promise<{ index: number; url: string }[]> {
    await Promise.all(
      this.opts.peers.map(async (raw) => {
        const url = raw.replace(/\/+$/, "");
        if (this.peerKeys.has(url)) return;
        // unreachable or not a member now: tried again at the next cut
        const key = await provenPeerKey(url, this.opts.memberTimeoutMs ?? 2000);
        if (key) this.peerKeys.set(url, key);
      }),
    );
    const byIndex = new Map<number, string>();
    for (const raw of this.opts.peers) {
      const url = raw.replace(/\/+$/, "");
      const key = this.peerKeys.get(url);
      const index = key === undefined ? -1 : committee.members.findIndex((m) => m.publicKey.map(String).join(",") === key);
      if (index >= 0 && index !== me && !byIndex.has(index)) byIndex.set(index, url);
    }
    return [...byIndex].map(([index, url]) => ({ index, url })).sort((a, b) => a.index - b.index);
  }

  private async cut(state: InboxState, committee: Committee, me: number, round: bigint, clock: ChainClock): Promise<boolean> {
    const { Q, B, F } = this.build.params;
    if (BigInt(this.forcedSeen.length) < state.forcedQueueLength) this.forcedSeen = await this.opts.inbox.forcedEntries();
    const forced = this.forcedSeen.filter((e) => e.index >= state.forcedConsumed).slice(0, F);
    const forcedHashes = new Set(forced.map((f) => f.txHash));
    // at most 1024 candidates (the members' /times bound), oldest first; a censoring leader leaves some out
    const pending = this.opts.local.store.unlandedTxs(1024 + this.censor.size).filter((p) => !this.censor.has(p.txHash) && !forcedHashes.has(p.txHash)).slice(0, 1024);
    if (pending.length === 0 && forced.length === 0) return false;
    const full = pending.length >= B - forced.length;
    const waited = pending.length > 0 && Date.now() - pending[0]!.receivedAt >= (this.opts.maxBatchWaitMs ?? 1500);
    if (!full && !waited && forced.length === 0) return false;

    const n = state.nextBatchNumber;
    if (round > 0n) {
      // a round change worth reporting: an earlier round of this number was signed and did not land, or its leader proposed nothing while transactions waited
      const signedEarlier = this.opts.local.store.allSigned().filter((r) => r.batchNumber === n && r.round < round);
      const last = signedEarlier.at(-1);
      const previousStart = Number(state.lastCommitteeBatchAt * 1000n) + Number(round - 1n) * this.opts.roundTimeoutMs;
      const keptWaiting = pending.length > 0 && pending[0]!.receivedAt + (this.opts.maxBatchWaitMs ?? 1500) < previousStart + this.opts.roundTimeoutMs / 2;
      const detail = last
        ? `round ${last.round}'s leader (member ${leaderOf(committee, n, last.round)}) had a quorum's signatures but batch ${n} was not finalized within its round; member ${me} leads round ${round}`
        : keptWaiting
          ? `round ${round - 1n}'s leader (member ${leaderOf(committee, n, round - 1n)}) proposed nothing while transactions waited; member ${me} leads round ${round}`
          : undefined;
      if (detail && this.announced !== `${n}:${round}`) {
        this.announced = `${n}:${round}`;
        this.emit("progress", { batchNumber: n, round, leader: me, stage: "round-change", txCount: 0, forcedCount: 0, elapsedMs: 0, detail });
      }
    }

    const peers = await this.endpoints(committee, me);
    const candidates = pending.map((p) => p.txHash);
    const timeout = this.opts.memberTimeoutMs ?? 2000;
    const context = { batchNumber: n.toString(), round: round.toString() };
    const own = parseTimesAnswer(me, { times: this.opts.local.store.receivedAt(candidates).map((t) => t ?? null) }, candidates.length);
    // every answer checked on its own: a malformed one drops its member for this round, never the round
    const answers = await Promise.all(
      peers.map(async (m): Promise<TimesAnswer | undefined> => {
        try {
          const body = await requestJson<unknown>("member", `${m.url}/times`, { body: { txHashes: candidates }, timeoutMs: timeout, maxBytes: MAX_MEMBER_ANSWER_BYTES });
          return parseTimesAnswer(m.index, body, candidates.length);
        } catch (e) {
          this.recordFault(m.index, e, context);
          return undefined;
        }
      }),
    );
    const valid = [own, ...answers.filter((a): a is TimesAnswer => a !== undefined)];
    const distrusted = new Set([...this.distrusted].filter(([, until]) => until > n).map(([m]) => m));
    const choice = chooseSigners(valid, Q, { lastTimeBase: state.lastTimeBase, nowMs: Number(clock.nowMs), maxAheadMs: Number(state.maxTimeDriftMs) }, distrusted);
    for (const s of choice?.skipped ?? []) this.faults.record(s.member, "implausible", s.reason, context);
    if (!choice) {
      this.log.warn({ answered: valid.map((a) => a.member), needed: Q, ...context }, "not enough members answered with times that order a batch; waiting");
      return false;
    }
    const { signers } = choice;
    const timeBase = landableTimeBase(choice.timeBase, clock, state.lastTimeBase);
    const proposal = proposeBatch({
      build: this.build,
      chainId: (this.chainId ??= BigInt(await this.opts.inbox.client.getChainId())),
      inbox: BigInt(this.opts.inbox.address),
      batchNumber: n,
      round,
      prevBatchHash: state.headBatchHash,
      committee,
      nextCommitteeHash: expectedNextCommittee(state, n),
      forced: { from: state.forcedConsumed, accFrom: await this.opts.inbox.forcedAccAt(state.forcedConsumed), txHashes: forced.map((f) => f.txHash) },
      candidates,
      // a stale time (before the last batch's timeBase, which is then this timeBase) is offset 0, as every member reports it
      receivedAt: signers.map((s) => new Map(candidates.flatMap((h, i) => (s.times[i] === null ? [] : [[h, Math.max(s.times[i]!, Number(timeBase))] as const])))),
      signers: signers.map((s) => s.member),
      timeBase,
    });
    const record: ProposalRecord = {
      batchNumber: n,
      round,
      leader: me,
      state: "proposed",
      batch: batchFileToJSON({ build: this.build.id, header: proposal.header, committee, txHashes: proposal.txHashes, reports: [] }),
      cutAt: Date.now(),
    };
    // Persisted before any member sees it: after a restart the same header is proposed again, never a different one.
    this.store.save(record);
    this.stated = { key: `${n}:${round}`, times: new Map(signers.map((s, j) => [s.member, proposal.times[j]!])) };
    this.progress(record, "cut", { detail: `${peers.length + 1} members reachable` });
    this.log.info({ ...context, leader: me, txCount: proposal.txHashes.length, forced: proposal.forcedCount }, "batch cut");
    await this.collectReports(record);
    return true;
  }

  private recordFault(member: number, e: unknown, context: Record<string, unknown>): void {
    if (e instanceof MemberAnswerError) this.faults.record(member, e.kind, e.shortMessage, context);
    else this.faults.record(member, "unreachable", e instanceof ZkseqError ? e.shortMessage : String(e), context);
  }

  /** Asks every member (itself included) to sign the proposal; keeps a Q-subset of valid reports that orders the batch. */
  private async collectReports(record: ProposalRecord): Promise<void> {
    const { Q, B } = this.build.params;
    const file = batchFileFromJSON(record.batch);
    const hash = batchHash(file.header);
    const forcedCount = Number(file.header.forcedTo - file.header.forcedFrom);
    const me = record.leader;
    const auth: ProposalAuthJson = proposalAuthToJSON({ leader: me, signature: signProposal(this.opts.key, hash) });
    const key = `${record.batchNumber}:${record.round}`;
    // after a restart the stated times are gone: reports are still checked, and the subset that orders the batch is searched
    const stated = this.stated?.key === key ? this.stated.times : new Map<number, number[]>();
    const context = { batchNumber: record.batchNumber.toString(), round: record.round.toString() };
    const request = { header: headerToJSON(file.header), txHashes: record.batch.txHashes, forcedCount, proposal: auth };
    const check = (member: number, body: unknown): SignedReport => {
      const expectedTimes = stated.get(member);
      return parseSignAnswer(member, body, { committee: file.committee, batchHash: hash, txCount: file.txHashes.length, forcedCount, B, ...(expectedTimes ? { expectedTimes } : {}) });
    };
    const peers = await this.endpoints(file.committee, me);
    const got = await Promise.all([
      (async () => {
        try {
          return check(me, { report: reportToJSON(await this.opts.local.sign(request)) });
        } catch (e) {
          this.log.warn({ ...context, err: e instanceof ZkseqError ? e.shortMessage : String(e) }, "this member does not sign its own proposal");
          return undefined;
        }
      })(),
      ...peers.map(async (m): Promise<SignedReport | undefined> => {
        try {
          const body = await requestJson<unknown>("member", `${m.url}/sign`, { body: request, timeoutMs: this.opts.memberTimeoutMs ?? 2000, maxBytes: MAX_MEMBER_ANSWER_BYTES });
          return check(m.index, body);
        } catch (e) {
          this.recordFault(m.index, e, context);
          // an ordering signer whose report is not on the times it stated lied about what it saw: not chosen to order for a while
          // (only on a report it signed itself: a bad signature may be anyone's at its address)
          if (e instanceof MemberAnswerError && e.signed && stated.has(m.index)) this.distrusted.set(m.index, record.batchNumber + DISTRUST_BATCHES);
          return undefined;
        }
      }),
    ]);
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
      this.progress(record, "stalled", { detail: `${valid.length} valid reports, no ${Q} of them order the batch; asking again while round ${record.round} lasts` });
      await this.sleep(1000);
      return;
    }
    const signed: ProposalRecord = { ...record, state: "signed", batch: batchFileToJSON({ ...file, reports: chosen }) };
    this.store.save(signed);
    this.progress(signed, "signed", { signers: chosen.map((r) => r.memberIndex) });
    this.log.info({ ...context, signers: chosen.map((r) => r.memberIndex) }, "batch signed by a quorum");
  }

  /** Proves with the configured prover; with none, or when it does not answer, with this member's own pool. */
  private async prove(request: JobRequest, record: ProposalRecord): Promise<JobProof> {
    // a proof stops mattering once the chain moved past the number (another round landed it): stop waiting then
    const moved = new AbortController();
    const onStop = () => moved.abort(this.stop.signal.reason);
    this.stop.signal.addEventListener("abort", onStop, { once: true });
    const signal = moved.signal;
    const watch = setInterval(() => {
      void this.opts.inbox.state().then(
        (s) => {
          if (s.nextBatchNumber > record.batchNumber) moved.abort(new ZkseqError("CHAIN_MOVED", `batch ${record.batchNumber} landed meanwhile`));
        },
        () => undefined,
      );
    }, 2000);
    try {
      if (this.opts.prover) {
        try {
          const { job } = await this.opts.prover.submit(request);
          this.store.save({ ...record, jobId: job.id });
          return await this.opts.prover.waitForProof(job.id, { signal });
        } catch (e) {
          signal.throwIfAborted();
          // unreachable, 5xx, or the job failed there: this member's own pool
          if (!(e instanceof ServiceError) || !this.opts.localProver) throw e;
          this.progress(record, "local-prover", { detail: `the prover did not prove it (${e.shortMessage}); proving with this member's own pool` });
        }
      }
      if (!this.opts.localProver) throw new ZkseqError("NO_PROVER", "no prover configured and no local proving pool");
      const local = await (this.localProving ??= this.opts.localProver());
      const { job } = await local.submit(request);
      const done = await local.waitFor(job.id, signal);
      if (done.state !== "done") throw new ZkseqError("PROOF_FAILED", `local proof of batch ${record.batchNumber} ${done.state}`);
      return await local.proof(job.id);
    } finally {
      clearInterval(watch);
      this.stop.signal.removeEventListener("abort", onStop);
    }
  }

  private async proveAndSubmit(record: ProposalRecord): Promise<void> {
    let current = record;
    if (current.state === "signed") {
      let p: JobProof;
      try {
        p = await this.prove({ build: this.build.id, batch: batchFileToJSON(batchFileFromJSON(current.batch)) }, current);
      } catch (e) {
        if (e instanceof ZkseqError && e.code === "CHAIN_MOVED") return; // another round landed it: the next step settles the proposal
        throw e;
      }
      current = { ...current, state: "proven", proof: { proof: p.proof, publicSignals: p.publicSignals } };
      this.store.save(current);
      this.progress(current, "proven");
    }
    if (current.state === "proven" && current.proof) {
      try {
        const sent = await this.opts.inbox.submitBatch(current.proof.proof as never, current.proof.publicSignals, this.postedRawTxs(current));
        this.store.save({ ...current, state: "finalized", finalizedAt: Date.now(), l1TxHash: sent.hash });
        this.progress(current, "finalized", { detail: `block ${sent.receipt.blockNumber}, ${sent.gasUsed} gas` });
        this.log.info({ batchNumber: current.batchNumber.toString(), round: current.round.toString(), gas: sent.gasUsed.toString(), ms: Date.now() - current.cutAt }, "batch finalized");
      } catch (e) {
        if (e instanceof InboxRevertError && (e.errorName === "BatchInbox__WrongBatchNumber" || e.errorName === "BatchInbox__WrongPrevBatchHash")) return; // another round landed it: the next step settles it
        if (e instanceof InboxRevertError && UNLANDABLE.has(e.errorName)) {
          this.store.save({ ...current, state: "abandoned" });
          this.progress(current, "abandoned", { detail: `the inbox refused round ${current.round}: ${e.errorName}; a later round's leader proposes again` });
          return;
        }
        throw e;
      }
    }
  }

  /** The raw bytes of the batch's fair-ordered slots, from this member's mempool, in slot order. */
  private postedRawTxs(record: ProposalRecord): Uint8Array[] {
    const file = batchFileFromJSON(record.batch);
    const k = Number(file.header.forcedTo - file.header.forcedFrom);
    return file.txHashes.slice(k).map((h) => {
      const tx = this.opts.local.store.tx(h);
      if (!tx) throw new ZkseqError("MISSING_TX_DATA", `the mempool has no bytes for transaction 0x${h.toString(16)} of batch ${record.batchNumber}`);
      return tx.raw;
    });
  }
}

/** Inbox refusals after which a round's header can never land: a later round's leader proposes the number again. */
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
