/**
 * What a proposer makes of other members' answers. Every answer is checked on
 * its own; one that is malformed, implausible or not a valid report on the
 * proposal is dropped (that member is skipped for the round, logged and
 * counted), so one faulty member can never stop the others.
 *
 * - `/times` answers: `parseTimesAnswer` (shape and integer ranges), then
 *   `chooseSigners` picks the Q members whose times order the batch and the
 *   `timeBase` from their times only: a member whose times are before the last
 *   batch's timeBase or ahead of the clock is skipped, and the timeBase is the
 *   one most members' times fit (u32 offsets), so one outlier cannot pin it.
 * - `/sign` answers: `parseSignAnswer` (the report's shape, u32 times,
 *   `NEVER_SEEN` on forced and padding slots, the member's own index and
 *   signature, and for an ordering signer the times it announced: a time it
 *   stated stays that time, only a transaction it had not seen may gain one).
 *
 * Used by every member's proposer role when it leads (proposer/proposer.ts).
 */
import type { Logger as PinoLogger } from "pino";
import { reportFromJSON } from "../src/batchFile.js";
import type { Committee } from "../src/committee.js";
import { NEVER_SEEN } from "../src/field.js";
import { verifyReport, type SignedReport } from "../src/report.js";
import { MemberAnswerError, ZkseqError } from "../src/errors.js";

/** Largest unix-ms time a member may state (the inbox keeps timeBase in 48 bits). */
export const MAX_TIME_MS = 2 ** 48 - 1;

/** A member's validated `/times` answer: its receive time (unix ms) of each candidate, or null if unseen. */
export interface TimesAnswer {
  member: number;
  times: (number | null)[];
  /** Its earliest and latest stated time, if it saw any candidate. */
  earliest: number | undefined;
  latest: number | undefined;
}

/**
 * Checks a member's `/times` answer: `{ times }` with one entry per candidate,
 * each null or an integer unix-ms time in [0, 2^48). Throws MemberAnswerError
 * ("malformed") otherwise.
 */
export function parseTimesAnswer(member: number, body: unknown, candidates: number): TimesAnswer {
  const times = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as { times?: unknown }).times : undefined;
  if (!Array.isArray(times)) throw new MemberAnswerError(member, "malformed", "not { times: [...] }");
  if (times.length !== candidates) throw new MemberAnswerError(member, "malformed", `${times.length} times for ${candidates} transactions`);
  let earliest: number | undefined;
  let latest: number | undefined;
  times.forEach((t, i) => {
    if (t === null) return;
    if (typeof t !== "number" || !Number.isSafeInteger(t) || t < 0 || t > MAX_TIME_MS) throw new MemberAnswerError(member, "malformed", `times[${i}] is not null or an integer in [0, 2^48)`);
    if (earliest === undefined || t < earliest) earliest = t;
    if (latest === undefined || t > latest) latest = t;
  });
  return { member, times: times as (number | null)[], earliest, latest };
}

/** The clock a proposal's timeBase must fit. */
export interface TimeWindow {
  /** The inbox's last timeBase: a new one is never before it, so no signer may have seen a candidate earlier. */
  lastTimeBase: bigint;
  /** The proposer's (or chain's) clock, unix ms. */
  nowMs: number;
  /** How far ahead of `nowMs` a stated time may be (the inbox's maxTimeDriftMs). */
  maxAheadMs: number;
}

/** Signers and timeBase for a proposal, and the members left out (with why). */
export interface SignerChoice {
  /** Q answers, by member index. */
  signers: TimesAnswer[];
  /** At or before every signer's times, not before lastTimeBase; every signer's times fit u32 offsets from it. */
  timeBase: bigint;
  skipped: { member: number; reason: string }[];
}

/**
 * Picks the Q signers whose times order a batch, and its timeBase, from
 * validated answers alone. A member is skipped if it states a time more than
 * 2^32 ms before the clock, or past `nowMs + maxAheadMs`. A time before the
 * last batch's timeBase is stale (the transaction was left out by earlier
 * leaders): it counts as offset 0, and the timeBase is then the last batch's. Among the rest, the timeBase is the earliest time
 * of some member such that the most members' times all fit u32 offsets from
 * it (ties: the earlier); the signers are the first Q of those members by
 * index. So a member that claims a receive time of 1 ms is left alone at its
 * own timeBase, and the others are chosen. Undefined if fewer than Q fit.
 */
export function chooseSigners(answers: readonly TimesAnswer[], Q: number, window: TimeWindow, exclude: ReadonlySet<number> = new Set()): SignerChoice | undefined {
  const skipped: SignerChoice["skipped"] = [];
  const last = Number(window.lastTimeBase);
  // older than this, a time could not be a u32 offset from any timeBase up to the clock's now
  const oldest = window.nowMs + window.maxAheadMs - (NEVER_SEEN - 1);
  const usable = answers.filter((a) => {
    const reason = exclude.has(a.member)
      ? "its last report differed from the times it stated"
      : a.earliest !== undefined && a.earliest < oldest
          ? `receive time ${a.earliest} more than 2^32 ms before the clock ${window.nowMs}`
          : a.latest !== undefined && a.latest > window.nowMs + window.maxAheadMs
            ? `receive time ${a.latest} ahead of the clock ${window.nowMs}`
            : undefined;
    if (reason) skipped.push({ member: a.member, reason });
    return reason === undefined;
  });
  // a time before the last batch's timeBase is stale (earlier leaders left the transaction out): it counts as the last
  // timeBase (offset 0), and then the timeBase is the last batch's, the earliest the inbox allows (member/signingPolicy.ts)
  const stale = usable.some((a) => a.earliest !== undefined && a.earliest < last);
  const earliest = (a: TimesAnswer) => (a.earliest === undefined ? undefined : Math.max(a.earliest, last));
  // candidate timeBases: each member's earliest time; and, for members that saw nothing, now
  const fallback = Math.max(last, window.nowMs - 1);
  const bases = stale ? [last] : [...new Set(usable.map((a) => earliest(a) ?? fallback))].sort((x, y) => x - y);
  let best: { base: number; fit: TimesAnswer[] } | undefined;
  for (const base of bases) {
    const fit = usable.filter((a) => (a.earliest === undefined || earliest(a)! >= base) && (a.latest === undefined || a.latest - base < NEVER_SEEN));
    if (!best || fit.length > best.fit.length) best = { base, fit };
  }
  if (!best || best.fit.length < Q) {
    for (const a of usable) if (!best?.fit.includes(a)) skipped.push({ member: a.member, reason: "its times do not fit u32 offsets from a timeBase the others share" });
    return undefined;
  }
  const signers = [...best.fit].sort((x, y) => x.member - y.member).slice(0, Q);
  for (const a of usable) if (!best.fit.includes(a)) skipped.push({ member: a.member, reason: `its times do not fit u32 offsets from timeBase ${best.base}` });
  // the timeBase is at or before every signer's earliest time (and every other fitting member's)
  return { signers, timeBase: BigInt(best.base), skipped };
}

/** What a `/sign` answer must be a report on. */
export interface SignContext {
  committee: Committee;
  batchHash: bigint;
  /** Slots in the batch, and how many lead as forced. */
  txCount: number;
  forcedCount: number;
  /** The build's B: a report has one time per slot. */
  B: number;
  /** For an ordering signer: the times its `/times` answer committed it to (offsets from timeBase). */
  expectedTimes?: readonly number[];
}

/**
 * Checks a member's `/sign` answer `{ report }`: a report by this member (its
 * index), B u32 times with NEVER_SEEN on forced and padding slots, signed with
 * this member's key over this batch, and, for an ordering signer, the times it
 * stated (a slot it stated as unseen may carry a time: the transaction arrived
 * since). Throws MemberAnswerError otherwise.
 */
export function parseSignAnswer(member: number, body: unknown, ctx: SignContext): SignedReport {
  const raw = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as { report?: unknown }).report : undefined;
  let report: SignedReport;
  try {
    report = reportFromJSON(raw);
  } catch (e) {
    throw new MemberAnswerError(member, "malformed", e instanceof ZkseqError ? e.shortMessage : "not { report }");
  }
  if (report.memberIndex !== member) throw new MemberAnswerError(member, "bad-report", `it names member ${report.memberIndex}`);
  if (report.times.length !== ctx.B) throw new MemberAnswerError(member, "malformed", `${report.times.length} times, not ${ctx.B}`);
  report.times.forEach((t, i) => {
    if (t < 0 || t > NEVER_SEEN) throw new MemberAnswerError(member, "malformed", `time ${i} is not a u32`);
    if ((i < ctx.forcedCount || i >= ctx.txCount) && t !== NEVER_SEEN) throw new MemberAnswerError(member, "bad-report", `slot ${i} is forced or padding but has a receive time`);
  });
  if (!verifyReport(ctx.committee, ctx.batchHash, report)) throw new MemberAnswerError(member, "bad-report", "the signature is not this member's over this batch");
  // a transaction it had not seen when asked may have arrived since (the proposer forwards while it cuts): that is no contradiction
  if (ctx.expectedTimes && report.times.some((t, i) => t !== ctx.expectedTimes![i] && ctx.expectedTimes![i] !== NEVER_SEEN)) {
    throw new MemberAnswerError(member, "bad-report", "its report's times differ from the times it stated for this proposal", true);
  }
  return report;
}

/** Counts and logs dropped answers, per member and kind (served on the proposer's /healthz). */
export class AnswerFaults {
  private readonly counts = new Map<string, number>();

  constructor(private readonly log?: PinoLogger) {}

  /** Records a dropped answer (or an unreachable member: kind "unreachable"). */
  record(member: number, kind: MemberAnswerError["kind"] | "unreachable", detail: string, context: Record<string, unknown> = {}): void {
    const key = `${member}:${kind}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.log?.warn({ member, kind, ...context, err: detail }, "member answer dropped; member skipped this round");
  }

  /** `{ "<member>": { "<kind>": count } }`. */
  toJSON(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [key, n] of this.counts) {
      const [member, kind] = key.split(":") as [string, string];
      (out[member] ??= {})[kind] = n;
    }
    return out;
  }

  count(member: number, kind: string): number {
    return this.counts.get(`${member}:${kind}`) ?? 0;
  }
}
