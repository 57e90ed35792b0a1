import { stat, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { releaseCurves } from "../build/curves.js";
import { sha256File } from "../build/ptau.js";
import { CeremonyFileError, CeremonyVerificationError } from "../errors.js";
import { readContributions } from "./readContributions.js";
import { chainHash, latestChain, latestKey, readTranscript, writeTranscript, type Transcript, type TranscriptEntry } from "./transcript.js";

/** Where a step reads and writes its transcript. */
export interface StepFiles {
  input: string;
  output: string;
  /** The transcript to extend (default: `transcript.json` next to `input`); the extended one is written next to `output`. */
  transcript?: string;
}

/**
 * Runs one phase-2 step (`run` writes `output` from `input`) after checking
 * that `input` is the transcript's latest key, then appends the step to the
 * transcript next to `output`.
 */
export async function appendStep(files: StepFiles, run: (input: string, output: string) => Promise<Uint8Array | false>): Promise<{ entry: TranscriptEntry; transcript: string; transcriptDoc: Transcript }> {
  const input = resolve(files.input);
  const output = resolve(files.output);
  const transcriptIn = resolve(files.transcript ?? join(dirname(input), "transcript.json"));
  const t = await readTranscript(transcriptIn);
  if (t.final) throw new CeremonyFileError(`the ceremony in ${transcriptIn} is finalized: no more contributions`);
  const latest = latestKey(t);
  const inputSha = await sha256File(input).catch((e: NodeJS.ErrnoException) => {
    throw new CeremonyFileError(`cannot read ${input}: ${e.code ?? String(e)}`, e);
  });
  if (inputSha !== latest.sha256)
    throw new CeremonyVerificationError(`${basename(input)} (sha256 ${inputSha.slice(0, 16)}…) is not the transcript's latest key ${latest.file} (sha256 ${latest.sha256.slice(0, 16)}…): contribute on top of that one`);
  if (await stat(output).catch(() => undefined)) throw new CeremonyFileError(`${output} exists; not overwriting a key`);
  let hash: Uint8Array | false;
  try {
    hash = await run(input, output);
  } catch (e) {
    await rm(output, { force: true });
    throw e;
  } finally {
    await releaseCurves();
  }
  if (hash === false) {
    await rm(output, { force: true });
    throw new CeremonyFileError(`snarkjs refused the step on ${basename(input)}`);
  }
  const { contributions } = await readContributions(output);
  const last = contributions.at(-1)!;
  const published = Buffer.from(hash).toString("hex");
  if (last.contributionHash !== published || contributions.length !== t.contributions.length + 1)
    throw new CeremonyVerificationError(`the new key's last contribution (${last.contributionHash.slice(0, 16)}…) is not the one just made (${published.slice(0, 16)}…)`);
  const fields = {
    index: contributions.length,
    type: last.type,
    name: last.name,
    contributionHash: last.contributionHash,
    ...(last.beacon ? { beacon: last.beacon } : {}),
    zkey: { file: basename(output), sha256: await sha256File(output) },
    at: new Date().toISOString(),
  };
  const entry: TranscriptEntry = { ...fields, chain: chainHash(latestChain(t), fields) };
  const next: Transcript = { ...t, contributions: [...t.contributions, entry] };
  const transcript = join(dirname(output), "transcript.json");
  await writeTranscript(transcript, next);
  return { entry, transcript, transcriptDoc: next };
}
