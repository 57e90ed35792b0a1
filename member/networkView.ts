import { EventEmitter } from "node:events";
import type { Logger as PinoLogger } from "pino";
import { getBatchBuild } from "../src/builds.js";
import type { Committee } from "../src/committee.js";
import { TX_HASH_BITS, assertUint, toBigInt } from "../src/field.js";
import type { MemberKey, PublicKey } from "../src/keys.js";
import { leaderOf, roundAt, roundTimeLeft } from "../src/leaderSchedule.js";
import { requestJson } from "../src/http.js";
import { toHex } from "../src/service.js";
import { txInclusionProof } from "../src/txTree.js";
import { InvalidArgumentError, ZkseqError } from "../src/errors.js";
import type { ForcedEntryEvent, InboxClient, InboxState } from "../src/chain/inboxClient.js";
import type { ProverStats } from "../prover/proverStats.js";
import type { ProposerProgress } from "../proposer/proposer.js";
import type { LandedBatch, MemberStore } from "./memberStore.js";
import { provenPeerKey } from "./peerIdentity.js";

/** A source of prover figures the page shows (a prover's `GET /stats`, or the member's own pool). */
export interface ProverSource {
  name: string;
  /** undefined: not running (the member's own pool before its first need). */
  stats(): Promise<ProverStats | undefined>;
}

/** Options of a member's network view. */
export interface NetworkViewOptions {
  inbox: InboxClient;
  store: MemberStore;
  committees: { get(hash: bigint): Promise<Committee | undefined> };
  key: MemberKey;
  build: string;
  /** The other members' URLs (each matched to its leaf by a signed identity, as the proposer does). */
  peers: readonly string[];
  roundTimeoutMs: number;
  provers?: readonly ProverSource[];
  /** Refresh period while someone watches (default 1000 ms). */
  refreshMs?: number;
  /** The view stops reading the chain this long after the last request or watcher (default 30 s): nobody looking costs nothing. */
  idleMs?: number;
  logger?: PinoLogger;
}

/** One batch as the page lists it. Numbers that can pass 2^53 are decimal strings. */
export interface BatchView {
  batchNumber: string;
  round: string | null;
  leader: number | null;
  txCount: number;
  forcedCount: number;
  forcedOnly: boolean;
  txRoot: string;
  l1TxHash: string;
  blockNumber: string;
  /** Unix ms of the L1 block (null until read). */
  finalAt: number | null;
  gasUsed: string | null;
  /** From this member's signature on the header (its cut, give or take a round trip) to the L1 block; null if it did not sign it. */
  cutToFinalMs: number | null;
  /** From this member's receipt of each transaction it had to the L1 block (ms). */
  arrivalToFinal: { n: number; p50Ms: number | null; maxMs: number | null };
}

export interface MemberView {
  index: number;
  publicKey: [string, string];
  weight: string;
  self: boolean;
  url: string | null;
  /** As this node sees it: true (answers), false (does not), null (no URL of it is known). */
  up: boolean | null;
  /** Unix ms of its last answer. */
  lastSeen: number | null;
  /** The last batch it followed, and its unlanded transactions, as it states on /healthz. */
  followedTo: string | null;
  pending: number | null;
  leads: boolean;
}

export interface RoundChangeView {
  /** round-change: `round` started because the one before it ended without its batch; abandoned/withheld: this member's own round `round`, as its proposer role reported it. */
  kind: "round-change" | "abandoned" | "withheld";
  batchNumber: string;
  round: string;
  /** The leader of the round that ended, and of the one that took over. */
  from: number | null;
  to: number | null;
  reason: string;
  /** Unix ms when it was seen (null: read back from L1 later). */
  at: number | null;
}

export interface ForcedView {
  index: string;
  txHash: string;
  queuedAt: number;
  dueAt: number;
  /** ms of chain time before it is overdue (negative: overdue). */
  msLeft: number;
}

export interface ProverView {
  name: string;
  ok: boolean;
  error?: string;
  stats?: ProverStats;
}

/** What `/api/network` answers and `/api/events` pushes. */
export interface NetworkSnapshot {
  /** Unix ms (this node's clock) when it was read; `chain.timeMs` is the latest block's. */
  at: number;
  node: { member: number | null; publicKey: [string, string]; build: string; slots: number; quorum: number; roundTimeoutMs: number; followedTo: string; pending: number };
  chain: {
    chainId: string;
    inbox: string;
    blockNumber: string;
    timeMs: number;
    nextBatchNumber: string;
    headBatchHash: string;
    epoch: string;
    escape: { open: boolean; opensAt: number; maxStallS: number; msLeft: number };
  };
  leader: { batchNumber: string; round: string; member: number | null; msLeft: number };
  batches: BatchView[];
  /** Per batch, oldest first: [finalAt, p50 arrival-to-final s, max s] and [finalAt, tx/s over the last 30 s]. */
  series: { latency: [number, number | null, number | null][]; throughput: [number, number][] };
  committee: { epoch: string; hash: string; threshold: string; members: MemberView[]; next: { epoch: string; hash: string; handoverAt: string; members: { index: number; publicKey: [string, string]; weight: string }[] } | null };
  roundChanges: RoundChangeView[];
  forced: { delayS: number; consumed: string; length: string; pending: ForcedView[]; landed: { index: string; txHash: string; batchNumber: string }[] };
  provers: ProverView[];
}

/** Where a transaction is, as `/api/tx/:hash` answers (the page checks `proof` against `batch.txRoot`). */
export interface TxLookup {
  txHash: string;
  /** landed: in a finalized batch this member followed; pending: received here, not landed yet. */
  status: "landed" | "pending";
  receivedAt: number | null;
  raw: string | null;
  batch: { batchNumber: string; round: string | null; txRoot: string; l1TxHash: string; blockNumber: string } | null;
  slot: number | null;
  forced: boolean;
  proof: { size: number; siblings: string[][] } | null;
}

const SHOWN_BATCHES = 50;
const SERIES_BATCHES = 200;
const THROUGHPUT_WINDOW_MS = 30_000;

/**
 * A member's own view of the network and the chain, for its page (`GET /`):
 * the last batches (from the batches it followed, member/memberStore.ts), the
 * committee with each member up or down as this node reaches it, the current
 * leader, round changes, the forced queue, and the provers. It reads the
 * chain only while someone looks (an API request or an open event stream in
 * the last `idleMs`), once per `refreshMs`.
 */
export class NetworkView extends EventEmitter<{ snapshot: [NetworkSnapshot] }> {
  private readonly build;
  private current: NetworkSnapshot | undefined;
  private lastWanted = 0;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private closed = false;
  private forced: ForcedEntryEvent[] = [];
  /** Peer URL -> the public key it proved it holds (`POST /identity`). */
  private readonly peerKeys = new Map<string, string>();
  private readonly peerState = new Map<string, { up: boolean; lastSeen: number | null; followedTo: string | null; pending: number | null }>();
  private lastPeerPoll = 0;
  private proverViews: ProverView[] = [];
  private lastProverPoll = 0;
  private readonly progressChanges: RoundChangeView[] = [];
  private readonly openStreams = new Set<unknown>();

  constructor(private readonly opts: NetworkViewOptions) {
    super();
    this.build = getBatchBuild(opts.build);
    this.setMaxListeners(0); // one per open event stream (bounded by the page routes)
  }

  /** The latest snapshot, reading the chain first if there is none yet or it is older than a refresh period. */
  async snapshot(): Promise<NetworkSnapshot> {
    this.want();
    if (!this.current || Date.now() - this.current.at > 2 * (this.opts.refreshMs ?? 1000)) await this.refresh();
    return this.current!;
  }

  /** The `limit` latest followed batches below `before`, newest first. */
  async batches(limit: number, before?: bigint): Promise<BatchView[]> {
    this.want();
    return this.opts.store.batches(limit, before).map((b) => this.batchView(b));
  }

  /** An open event stream keeps the view refreshing; `release` when it closes. */
  watch(stream: unknown): () => void {
    this.openStreams.add(stream);
    this.want();
    return () => this.openStreams.delete(stream);
  }

  get watchers(): number {
    return this.openStreams.size;
  }

  /** The proposer role's round changes and abandoned rounds, with its reasons. */
  noteProgress(p: ProposerProgress): void {
    if (p.stage !== "round-change" && p.stage !== "abandoned" && p.stage !== "withheld") return;
    const from = p.stage === "round-change" ? null : p.leader;
    this.progressChanges.push({ kind: p.stage, batchNumber: p.batchNumber.toString(), round: p.round.toString(), from, to: p.stage === "round-change" ? p.leader : null, reason: p.detail ?? p.stage, at: Date.now() });
    if (this.progressChanges.length > 50) this.progressChanges.splice(0, this.progressChanges.length - 50);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /**
   * Where a transaction landed, with its inclusion proof, from the batches this
   * member followed (null if it never heard of it). InvalidArgumentError for a
   * hash that is not 248-bit hex or decimal.
   */
  findTx(hash: string): TxLookup | null {
    if (typeof hash !== "string" || !/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(hash)) throw new InvalidArgumentError("a transaction hash is 0x-hex (or decimal) of at most 248 bits");
    const txHash = assertUint(toBigInt(hash, "txHash"), TX_HASH_BITS, "txHash");
    const store = this.opts.store;
    const received = store.tx(txHash);
    const landedIn = store.landedIn(txHash);
    if (!received && landedIn === undefined) return null;
    const out: TxLookup = {
      txHash: "0x" + txHash.toString(16).padStart(62, "0"),
      status: landedIn === undefined ? "pending" : "landed",
      receivedAt: received?.receivedAt ?? null,
      raw: received ? toHex(received.raw) : null,
      batch: null,
      slot: null,
      forced: false,
      proof: null,
    };
    if (landedIn === undefined) return out;
    const b = store.batch(landedIn);
    if (!b) return out;
    out.batch = { batchNumber: b.batchNumber.toString(), round: b.round?.toString() ?? null, txRoot: b.txRoot.toString(), l1TxHash: b.l1TxHash, blockNumber: b.blockNumber.toString() };
    const slot = b.slots?.indexOf(txHash) ?? -1;
    if (b.slots && slot >= 0) {
      const proof = txInclusionProof(b.slots, this.build.params.B, slot);
      out.slot = slot;
      out.forced = slot < Number(b.forcedTo - b.forcedFrom);
      out.proof = { size: proof.size, siblings: proof.siblings.map((level) => level.map(String)) };
    }
    return out;
  }

  private want(): void {
    this.lastWanted = Date.now();
    if (!this.timer && !this.closed) this.schedule(0);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed) return;
      const idle = this.openStreams.size === 0 && Date.now() - this.lastWanted > (this.opts.idleMs ?? 30_000);
      if (idle) return; // nobody looks: stop reading the chain until somebody does
      void this.refresh().finally(() => {
        if (!this.closed && !this.timer) this.schedule(this.opts.refreshMs ?? 1000);
      });
    }, ms);
    this.timer.unref();
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.read()
      .then(
        (s) => {
          this.current = s;
          this.emit("snapshot", s);
        },
        (e: unknown) => {
          this.opts.logger?.warn({ err: e instanceof ZkseqError ? e.shortMessage : String(e) }, "network view: reading the chain failed");
          if (!this.current) throw e;
        },
      )
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async read(): Promise<NetworkSnapshot> {
    const { inbox, store } = this.opts;
    const [state, block, chainId] = await Promise.all([inbox.state(), inbox.client.getBlock(), inbox.client.getChainId()]);
    const timeMs = Number(block.timestamp) * 1000;
    const now = Date.now();
    const committee = await this.opts.committees.get(state.committeeHash);
    if (BigInt(this.forced.length) < state.forcedQueueLength) this.forced = await inbox.forcedEntries();
    const shown = store.batches(SERIES_BATCHES);
    await Promise.all([this.pollPeers(committee, now), this.pollProvers(now), this.readReceipts(shown)]);

    const me = committee?.has(this.opts.key.publicKey) ? committee.indexOf(this.opts.key.publicKey) : null;
    const round = roundAt(state.lastCommitteeBatchAt, BigInt(timeMs), this.opts.roundTimeoutMs);
    const leader = committee ? leaderOf(committee, state.nextBatchNumber, round) : null;
    const batchViews = shown.map((b) => this.batchView(b));
    const oldestFirst = [...batchViews].reverse().filter((b) => b.finalAt !== null);
    const series = {
      latency: oldestFirst.filter((b) => b.arrivalToFinal.n > 0).map((b): [number, number | null, number | null] => [b.finalAt!, seconds(b.arrivalToFinal.p50Ms), seconds(b.arrivalToFinal.maxMs)]),
      throughput: oldestFirst.map((b): [number, number] => {
        const txs = oldestFirst.filter((o) => o.finalAt! > b.finalAt! - THROUGHPUT_WINDOW_MS && o.finalAt! <= b.finalAt!).reduce((n, o) => n + o.txCount, 0);
        return [b.finalAt!, Math.round((txs / (THROUGHPUT_WINDOW_MS / 1000)) * 100) / 100];
      }),
    };
    const pending = this.forced
      .filter((f) => f.index >= state.forcedConsumed)
      .map((f) => {
        const dueAt = Number(f.queuedAt + state.forceDelay) * 1000;
        return { index: f.index.toString(), txHash: hex(f.txHash), queuedAt: Number(f.queuedAt) * 1000, dueAt, msLeft: dueAt - timeMs };
      });
    const landedForced = shown
      .flatMap((b) => this.forced.filter((f) => f.index >= b.forcedFrom && f.index < b.forcedTo).map((f) => ({ index: f.index.toString(), txHash: hex(f.txHash), batchNumber: b.batchNumber.toString() })))
      .slice(0, 20);
    const next = state.pendingCommitteeHash !== 0n ? await this.opts.committees.get(state.pendingCommitteeHash) : undefined;
    const escapeOpensAt = Number(state.escapeOpensAt) * 1000;
    return {
      at: now,
      node: {
        member: me,
        publicKey: pk(this.opts.key.publicKey),
        build: this.build.id,
        slots: this.build.params.B,
        quorum: this.build.params.Q,
        roundTimeoutMs: this.opts.roundTimeoutMs,
        followedTo: store.followedTo().toString(),
        pending: store.unlandedCount(),
      },
      chain: {
        chainId: String(chainId),
        inbox: inbox.address,
        blockNumber: block.number?.toString() ?? "0",
        timeMs,
        nextBatchNumber: state.nextBatchNumber.toString(),
        headBatchHash: state.headBatchHash.toString(),
        epoch: state.epoch.toString(),
        escape: { open: state.escapeOpen, opensAt: escapeOpensAt, maxStallS: Number(state.maxStall), msLeft: escapeOpensAt - timeMs },
      },
      leader: { batchNumber: state.nextBatchNumber.toString(), round: round.toString(), member: leader, msLeft: roundTimeLeft(state.lastCommitteeBatchAt, BigInt(timeMs), this.opts.roundTimeoutMs, round) },
      batches: batchViews.slice(0, SHOWN_BATCHES),
      series,
      committee: {
        epoch: (committee?.epoch ?? state.epoch).toString(),
        hash: state.committeeHash.toString(),
        threshold: (committee?.thresholdWeight ?? 0n).toString(),
        members: (committee?.members ?? []).map((m, index) => this.memberView(m.publicKey, m.weight, index, me, leader)),
        next:
          state.pendingCommitteeHash !== 0n
            ? {
                epoch: (next?.epoch ?? state.epoch + 1n).toString(),
                hash: state.pendingCommitteeHash.toString(),
                handoverAt: state.handoverAt.toString(),
                members: (next?.members ?? []).map((m, index) => ({ index, publicKey: pk(m.publicKey), weight: m.weight.toString() })),
              }
            : null,
      },
      roundChanges: [...new Map([...this.roundChangesFromChain(shown, committee), ...this.progressChanges].map((c) => [`${c.batchNumber}:${c.round}:${c.kind}`, c])).values()].sort((a, b) => (BigInt(b.batchNumber) === BigInt(a.batchNumber) ? Number(b.round) - Number(a.round) : BigInt(b.batchNumber) > BigInt(a.batchNumber) ? 1 : -1)).slice(0, 30),
      forced: { delayS: Number(state.forceDelay), consumed: state.forcedConsumed.toString(), length: state.forcedQueueLength.toString(), pending, landed: landedForced },
      provers: this.proverViews,
    };
  }

  private batchView(b: LandedBatch): BatchView {
    const finalAt = b.blockTimeMs;
    const arrivals = finalAt === null ? [] : this.opts.store.arrivalsIn(b.batchNumber).map((t) => Math.max(0, finalAt - t));
    const signedAt = b.round === null ? undefined : this.opts.store.signedAt(b.batchNumber, b.round);
    return {
      batchNumber: b.batchNumber.toString(),
      round: b.round?.toString() ?? null,
      leader: b.leader,
      txCount: b.slots?.length ?? 0,
      forcedCount: Number(b.forcedTo - b.forcedFrom),
      forcedOnly: b.forcedOnly,
      txRoot: b.txRoot.toString(),
      l1TxHash: b.l1TxHash,
      blockNumber: b.blockNumber.toString(),
      finalAt,
      gasUsed: b.gasUsed?.toString() ?? null,
      cutToFinalMs: finalAt !== null && signedAt !== undefined ? Math.max(0, finalAt - signedAt) : null,
      arrivalToFinal: { n: arrivals.length, p50Ms: arrivals.length ? arrivals[Math.floor((arrivals.length - 1) / 2)]! : null, maxMs: arrivals.length ? arrivals[0]! : null },
    };
  }

  /**
   * Rounds that ended without their batch, read back from the round that
   * landed, with the reason as far as this member can tell: it signed that
   * round's proposal (the leader had a quorum and did not land it), or it
   * held a transaction of the batch while the round ran and signed nothing (the
   * leader was down, cut off, or proposed what members refused). A round
   * with nothing to propose is not listed.
   */
  private roundChangesFromChain(batches: readonly LandedBatch[], committee: Committee | undefined): RoundChangeView[] {
    const out: RoundChangeView[] = [];
    const T = this.opts.roundTimeoutMs;
    batches.forEach((b, i) => {
      if (b.round === null || b.round === 0n) return;
      const prev = batches[i + 1];
      // round 0 of b started when the batch before it landed (an escape-hatch batch does not start rounds)
      const start = prev && prev.batchNumber === b.batchNumber - 1n && !prev.forcedOnly ? prev.blockTimeMs : null;
      const firstArrival = this.opts.store.arrivalsIn(b.batchNumber)[0];
      // leaders are named only when the current committee's schedule gives the leader that landed it (same epoch)
      const schedule = committee && b.leader !== null && safeLeader(committee, b.batchNumber, b.round) === b.leader ? committee : undefined;
      const lead = (r: bigint) => (schedule ? safeLeader(schedule, b.batchNumber, r) : null);
      for (let r = 0n; r < b.round && r < 16n; r++) {
        const signed = this.opts.store.signed(b.batchNumber, r);
        const roundEnd = start === null ? null : start + Number(r + 1n) * T;
        const waited = firstArrival !== undefined && roundEnd !== null && firstArrival < roundEnd - T / 3;
        if (!signed && !waited) continue;
        out.push({
          kind: "round-change",
          batchNumber: b.batchNumber.toString(),
          round: (r + 1n).toString(),
          from: lead(r),
          to: lead(r + 1n),
          reason: signed
            ? `round ${r}'s leader had this member's signature but batch ${b.batchNumber} did not land in its round (withheld, killed or too slow)`
            : `round ${r}'s leader proposed nothing this member signed while transactions waited (down, cut off, or its proposal was refused)`,
          at: null,
        });
      }
    });
    return out;
  }

  private memberView(publicKey: PublicKey, weight: bigint, index: number, me: number | null, leader: number | null): MemberView {
    const key = pk(publicKey);
    const self = index === me;
    const url = [...this.peerKeys].find(([, k]) => k === key.join(","))?.[0] ?? null;
    const st = url ? this.peerState.get(url) : undefined;
    return {
      index,
      publicKey: key,
      weight: weight.toString(),
      self,
      url,
      up: self ? true : st ? st.up : null,
      lastSeen: self ? Date.now() : (st?.lastSeen ?? null),
      followedTo: self ? this.opts.store.followedTo().toString() : (st?.followedTo ?? null),
      pending: self ? this.opts.store.unlandedCount() : (st?.pending ?? null),
      leads: index === leader,
    };
  }

  /** Every other member's `/healthz` (a URL is matched to a leaf once it proved its key), at most every 2 s. */
  private async pollPeers(committee: Committee | undefined, now: number): Promise<void> {
    if (now - this.lastPeerPoll < 2000 || !committee) return;
    this.lastPeerPoll = now;
    await Promise.all(
      this.opts.peers.map(async (raw) => {
        const url = raw.replace(/\/+$/, "");
        if (!this.peerKeys.has(url)) {
          const key = await provenPeerKey(url, 1500);
          if (!key) {
            this.peerState.set(url, { ...(this.peerState.get(url) ?? { lastSeen: null, followedTo: null, pending: null }), up: false });
            return;
          }
          this.peerKeys.set(url, key);
        }
        try {
          const h = await requestJson<{ followedTo?: unknown; pending?: unknown }>("member", `${url}/healthz`, { timeoutMs: 1500, maxBytes: 64 * 1024 });
          this.peerState.set(url, { up: true, lastSeen: Date.now(), followedTo: typeof h.followedTo === "string" ? h.followedTo : null, pending: typeof h.pending === "number" ? h.pending : null });
        } catch {
          const was = this.peerState.get(url);
          this.peerState.set(url, { up: false, lastSeen: was?.lastSeen ?? null, followedTo: was?.followedTo ?? null, pending: was?.pending ?? null });
        }
      }),
    );
  }

  /** Each prover's figures, at most every 2 s. */
  private async pollProvers(now: number): Promise<void> {
    if (now - this.lastProverPoll < 2000) return;
    this.lastProverPoll = now;
    this.proverViews = (
      await Promise.all(
        (this.opts.provers ?? []).map(async (p): Promise<ProverView | undefined> => {
          try {
            const stats = await p.stats();
            return stats ? { name: p.name, ok: true, stats } : undefined;
          } catch (e) {
            return { name: p.name, ok: false, error: e instanceof ZkseqError ? e.shortMessage : String(e) };
          }
        }),
      )
    ).filter((v): v is ProverView => v !== undefined);
  }

  /** Gas and block time of the shown batches that lack them (a few per refresh), stored and filled in place. */
  private async readReceipts(batches: LandedBatch[]): Promise<void> {
    const client = this.opts.inbox.client;
    await Promise.all(
      batches
        .filter((b) => b.blockTimeMs === null)
        .slice(0, 20)
        .map(async (b) => {
          const [receipt, block] = await Promise.all([client.getTransactionReceipt({ hash: b.l1TxHash as `0x${string}` }), client.getBlock({ blockNumber: b.blockNumber })]);
          b.gasUsed = receipt.gasUsed;
          b.blockTimeMs = Number(block.timestamp) * 1000;
          this.opts.store.setBatchReceipt(b.batchNumber, b.gasUsed, b.blockTimeMs);
        }),
    );
  }
}

function safeLeader(committee: Committee, n: bigint, round: bigint): number | null {
  try {
    return leaderOf(committee, n, round);
  } catch {
    return null;
  }
}

const pk = (k: PublicKey): [string, string] => [k[0].toString(), k[1].toString()];
const hex = (h: bigint) => "0x" + h.toString(16).padStart(62, "0");
const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);
