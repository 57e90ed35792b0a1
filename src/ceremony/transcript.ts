import { createHash } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { CeremonyFileError } from "../errors.js";

/** The transcript format this version writes and reads. */
export const TRANSCRIPT_FORMAT = "zkseq-phase2-transcript/1";

/** A file the ceremony produced, named relative to the transcript's folder. */
export interface TranscriptFile {
  file: string;
  sha256: string;
}

/** One step of the phase 2 after the initial key. */
export interface TranscriptEntry {
  /** 1-based, in order. */
  index: number;
  type: "contribution" | "beacon";
  name: string;
  /** snarkjs's contribution hash (blake2b-512 of the contribution's public key): the contributor publishes it. */
  contributionHash: string;
  /** For a beacon: the public random value (hex) and log2 of its hash iterations. */
  beacon?: { hash: string; iterationsExp: number };
  /** The key after this step. */
  zkey: TranscriptFile;
  /** When it was made (ISO 8601, the contributor's clock; informative only). */
  at: string;
  /** sha256 of the previous chain hash and this entry (all fields but `chain`): an edit anywhere breaks every later link. */
  chain: string;
}

/** A multi-party phase-2 transcript: what a ceremony publishes. */
export interface Transcript {
  format: typeof TRANSCRIPT_FORMAT;
  /** The circuit build and the cache key of its sources (`sourceKey`). */
  build: { id: string; params: Record<string, number>; sourceKey: string };
  r1cs: { sha256: string; constraints: number };
  /** The phase-1 file; `listed` says how `src/ceremony/knownPtau.json` knows it. */
  ptau: { file: string; sha256: string; blake2b512: string; power: number; listed: "ceremony" | "development" | "unlisted" };
  /** snarkjs's circuit hash, recorded in every key of the ceremony. */
  circuitHash: string;
  /** The initial key (`snarkjs zkey new`), and the chain's first link (sha256 of everything above). */
  initial: { zkey: TranscriptFile; chain: string };
  contributions: TranscriptEntry[];
  /** Set by `finalize`: the exported keys, linked to the last contribution. */
  final?: { zkey: TranscriptFile; verificationKey: TranscriptFile; verifier: TranscriptFile; chain: string };
}

/** JSON with object keys sorted, so a chain hash does not depend on key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** The chain hash of a link: sha256(previous chain hash, "\n", the link's fields but `chain`). */
export function chainHash(previous: string, link: object): string {
  const { chain: _omit, ...fields } = link as { chain?: unknown };
  return createHash("sha256").update(previous).update("\n").update(canonicalJson(fields)).digest("hex");
}

/** The first link: it covers the build, r1cs, ptau, circuit hash and initial key. */
export function initialChainHash(t: Pick<Transcript, "format" | "build" | "r1cs" | "ptau" | "circuitHash" | "initial">): string {
  return chainHash("", { format: t.format, build: t.build, r1cs: t.r1cs, ptau: t.ptau, circuitHash: t.circuitHash, initialZkey: t.initial.zkey });
}

/** The latest key of a transcript (the last contribution's, or the initial key). */
export function latestKey(t: Transcript): TranscriptFile {
  return t.contributions.at(-1)?.zkey ?? t.initial.zkey;
}

/** The latest chain hash (final, last contribution, or initial). */
export function latestChain(t: Transcript): string {
  return t.final?.chain ?? t.contributions.at(-1)?.chain ?? t.initial.chain;
}

/** Reads a transcript file and checks its shape (not its hashes: `verifyTranscript` does). */
export async function readTranscript(path: string): Promise<Transcript> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new CeremonyFileError(`cannot read the transcript ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, e);
  }
  let t: Transcript;
  try {
    t = JSON.parse(text) as Transcript;
  } catch (e) {
    throw new CeremonyFileError(`the transcript ${path} is not valid JSON: ${(e as Error).message}`, e);
  }
  const isFile = (f: unknown): boolean => typeof f === "object" && f !== null && typeof (f as TranscriptFile).file === "string" && /^[0-9a-f]{64}$/.test((f as TranscriptFile).sha256);
  const problems: string[] = [];
  if (t?.format !== TRANSCRIPT_FORMAT) problems.push(`format is not ${TRANSCRIPT_FORMAT}`);
  if (typeof t?.build?.id !== "string" || typeof t.build.sourceKey !== "string") problems.push("no build");
  if (typeof t?.ptau?.sha256 !== "string" || typeof t?.circuitHash !== "string") problems.push("no ptau or circuit hash");
  if (!isFile(t?.initial?.zkey) || typeof t?.initial?.chain !== "string") problems.push("no initial key");
  if (!Array.isArray(t?.contributions)) problems.push("no contributions list");
  else
    t.contributions.forEach((c, i) => {
      if (typeof c?.name !== "string" || typeof c.contributionHash !== "string" || typeof c.chain !== "string" || !isFile(c.zkey) || (c.type !== "contribution" && c.type !== "beacon"))
        problems.push(`contribution ${i + 1} is malformed`);
    });
  if (t?.final !== undefined && (!isFile(t.final.zkey) || !isFile(t.final.verificationKey) || !isFile(t.final.verifier) || typeof t.final.chain !== "string")) problems.push("final is malformed");
  if (problems.length) throw new CeremonyFileError(`${path} is not a zkseq phase-2 transcript: ${problems.join("; ")}`);
  return t;
}

/** Writes a transcript (atomically: a temporary file renamed into place). */
export async function writeTranscript(path: string, t: Transcript): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(t, null, 2) + "\n");
  await rename(tmp, path);
}
