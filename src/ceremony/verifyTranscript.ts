import { stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { sha256File } from "../build/ptau.js";
import { CeremonyVerificationError } from "../errors.js";
import { readContributions, type ZkeyContribution } from "./readContributions.js";
import { chainHash, initialChainHash, latestChain, readTranscript, type Transcript, type TranscriptEntry, type TranscriptFile } from "./transcript.js";

/** What verifyTranscript checked. */
export interface TranscriptReport {
  transcript: Transcript;
  /** The last chain hash (publish it with the final keys). */
  chain: string;
  /** Files found next to the transcript and checked (hash, and for keys their list of contributions). */
  checked: string[];
  /** Files the transcript names that are not next to it (only their recorded hashes could be linked). */
  missing: string[];
}

const sameContribution = (c: ZkeyContribution, e: TranscriptEntry): boolean =>
  c.index === e.index && c.type === e.type && c.name === e.name && c.contributionHash === e.contributionHash && (c.type !== "beacon" || (c.beacon?.hash === e.beacon?.hash && c.beacon?.iterationsExp === e.beacon?.iterationsExp));

/**
 * Checks a transcript's chain: every link's hash (an edit breaks it), indices
 * in order, and, for every file next to the transcript, its sha256 and, for a
 * key, that it records exactly the contributions the transcript lists up to
 * it, for the same circuit (so a key that does not follow from the one
 * before is caught). The cryptography of the latest key is
 * `verifyCeremonyZkey`'s job.
 *
 * @example
 * const { chain, missing } = await verifyTranscript("ceremony/transcript.json")
 */
export async function verifyTranscript(path: string): Promise<TranscriptReport> {
  const t = await readTranscript(path);
  const dir = dirname(resolve(path));
  const fail = (reason: string): never => {
    throw new CeremonyVerificationError(reason);
  };
  if (initialChainHash(t) !== t.initial.chain) fail("the transcript's header (build, r1cs, ptau, circuit hash or initial key) was edited: its chain hash does not match");
  let previous = t.initial.chain;
  t.contributions.forEach((c, i) => {
    if (c.index !== i + 1) fail(`contribution ${i + 1} is numbered ${c.index}`);
    if (chainHash(previous, c) !== c.chain) fail(`contribution ${c.index} (${c.name}) was edited or does not follow the one before: its chain hash does not match`);
    if ((c.type === "beacon") !== (c.beacon !== undefined)) fail(`contribution ${c.index} (${c.name}) has beacon parameters that do not match its type`);
    previous = c.chain;
  });
  if (t.final && chainHash(previous, t.final) !== t.final.chain) fail("the final keys' record was edited: its chain hash does not match");

  const checked: string[] = [];
  const missing: string[] = [];
  const present = async (f: TranscriptFile, what: string): Promise<string | undefined> => {
    const p = join(dir, f.file);
    if (!(await stat(p).catch(() => undefined))) {
      missing.push(f.file);
      return undefined;
    }
    const sha = await sha256File(p);
    if (sha !== f.sha256) fail(`${f.file} (${what}) is not the file the transcript records: sha256 ${sha.slice(0, 16)}… instead of ${f.sha256.slice(0, 16)}…`);
    checked.push(f.file);
    return p;
  };
  const checkKey = async (f: TranscriptFile, upTo: number, what: string): Promise<void> => {
    const p = await present(f, what);
    if (!p) return;
    const mpc = await readContributions(p);
    if (mpc.circuitHash !== t.circuitHash) fail(`${f.file} (${what}) is a key for another circuit (circuit hash ${mpc.circuitHash.slice(0, 16)}…)`);
    if (mpc.contributions.length !== upTo) fail(`${f.file} (${what}) records ${mpc.contributions.length} contributions, the transcript ${upTo}`);
    mpc.contributions.forEach((c, i) => {
      const e = t.contributions[i]!;
      if (!sameContribution(c, e)) fail(`${f.file} (${what}): its contribution ${i + 1} (${c.name}, ${c.contributionHash.slice(0, 16)}…) is not the transcript's (${e.name}, ${e.contributionHash.slice(0, 16)}…)`);
    });
  };
  await checkKey(t.initial.zkey, 0, "initial key");
  for (const c of t.contributions) await checkKey(c.zkey, c.index, `after contribution ${c.index}`);
  if (t.final) {
    if (t.final.zkey.sha256 !== (t.contributions.at(-1)?.zkey.sha256 ?? "")) fail("the final key is not the last contribution's key");
    await checkKey(t.final.zkey, t.contributions.length, "final key");
    await present(t.final.verificationKey, "verification key");
    await present(t.final.verifier, "Solidity verifier");
  }
  return { transcript: t, chain: latestChain(t), checked, missing };
}
