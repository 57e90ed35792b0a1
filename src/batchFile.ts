import { Committee, type CommitteeJson } from "./committee.js";
import { headerFromJSON, headerToJSON, type BatchHeader, type BatchHeaderJson } from "./header.js";
import { toBigInt } from "./field.js";
import type { SignedReport } from "./report.js";
import { InvalidArgumentError, ZkseqError } from "./errors.js";

/** JSON form of a signed report (decimal strings). */
export interface SignedReportJson {
  memberIndex: number;
  times: number[];
  signature: { R8: [string, string]; S: string };
}

/** Everything a batch proof is made from, as one JSON document (what `zkseq prove` reads). */
export interface BatchFile {
  build: string;
  header: BatchHeader;
  committee: Committee;
  /** Slot order, forced first; header.txCount of them. */
  txHashes: bigint[];
  reports: SignedReport[];
}

/** JSON form of a BatchFile. */
export interface BatchFileJson {
  build: string;
  header: BatchHeaderJson;
  committee: CommitteeJson;
  txHashes: string[];
  reports: SignedReportJson[];
}

export function reportToJSON(r: SignedReport): SignedReportJson {
  return {
    memberIndex: r.memberIndex,
    times: [...r.times],
    signature: { R8: [r.signature.R8[0].toString(), r.signature.R8[1].toString()], S: r.signature.S.toString() },
  };
}

export function reportFromJSON(json: unknown, what = "report"): SignedReport {
  const o = asObject(json, what);
  const sig = asObject(o.signature, `${what}.signature`);
  if (!Array.isArray(sig.R8) || sig.R8.length !== 2) throw new InvalidArgumentError(`${what}.signature.R8 must be [x, y]`);
  if (!Number.isSafeInteger(o.memberIndex) || (o.memberIndex as number) < 0) throw new InvalidArgumentError(`${what}.memberIndex must be a non-negative integer`);
  if (!Array.isArray(o.times) || !o.times.every((t) => Number.isSafeInteger(t))) throw new InvalidArgumentError(`${what}.times must be an array of integers`);
  return {
    memberIndex: o.memberIndex as number,
    times: [...(o.times as number[])],
    signature: {
      R8: [toBigInt(sig.R8[0], `${what}.signature.R8[0]`), toBigInt(sig.R8[1], `${what}.signature.R8[1]`)],
      S: toBigInt(sig.S, `${what}.signature.S`),
    },
  };
}

export function batchFileToJSON(b: BatchFile): BatchFileJson {
  return {
    build: b.build,
    header: headerToJSON(b.header),
    committee: b.committee.toJSON(),
    txHashes: b.txHashes.map((h) => "0x" + h.toString(16).padStart(62, "0")),
    reports: b.reports.map(reportToJSON),
  };
}

/** Parses and type-checks a BatchFile; every problem is an InvalidArgumentError naming the field. */
export function batchFileFromJSON(json: unknown): BatchFile {
  const o = asObject(json, "batch");
  if (typeof o.build !== "string") throw new InvalidArgumentError("batch.build must be a build id string");
  if (!Array.isArray(o.txHashes)) throw new InvalidArgumentError("batch.txHashes must be an array");
  if (!Array.isArray(o.reports)) throw new InvalidArgumentError("batch.reports must be an array");
  return {
    build: o.build,
    header: headerFromJSON(o.header),
    committee: committeeFromJSONChecked(o.committee),
    txHashes: o.txHashes.map((h, i) => toBigInt(h, `batch.txHashes[${i}]`)),
    reports: o.reports.map((r, i) => reportFromJSON(r, `batch.reports[${i}]`)),
  };
}

function committeeFromJSONChecked(json: unknown): Committee {
  const o = asObject(json, "committee");
  if (!Number.isSafeInteger(o.depth)) throw new InvalidArgumentError("committee.depth must be an integer");
  if (!Array.isArray(o.members)) throw new InvalidArgumentError("committee.members must be an array");
  try {
    return Committee.fromJSON(o as unknown as CommitteeJson);
  } catch (e) {
    if (e instanceof ZkseqError) throw e;
    throw new InvalidArgumentError(`committee is malformed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new InvalidArgumentError(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}
