import { mkdir, rm, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import * as snarkjs from "snarkjs";
import { compileCircuit, sourceKey } from "../build/buildCircuit.js";
import { releaseCurves } from "../build/curves.js";
import { sha256File } from "../build/ptau.js";
import { CeremonyFileError, CircuitBuildError } from "../errors.js";
import { silentLogger, type Logger } from "../logger.js";
import { checkCeremonyPtau } from "./ceremonyPtau.js";
import { readContributions } from "./readContributions.js";
import { snarkLogger } from "./snarkLogger.js";
import { initialChainHash, TRANSCRIPT_FORMAT, writeTranscript, type Transcript } from "./transcript.js";
import type { CircuitBuild } from "../builds.js";

/** Options of initCeremony. */
export interface InitCeremonyOptions {
  /** The circuit build (`dev`, `standard`, ...). */
  build: string | CircuitBuild;
  /** The phase-1 (ceremony) ptau file. */
  ptau: string;
  /** The ceremony's folder: the initial key and `transcript.json` are written there. */
  out: string;
  /** Accept a ptau that is not in `src/ceremony/knownPtau.json` (with a loud warning). */
  allowUnlistedPtau?: boolean;
  /** The build cache compileCircuit uses (default: <package>/build). */
  cacheDir?: string;
  logger?: Logger;
}

/** What initCeremony wrote. */
export interface InitCeremonyResult {
  zkey: string;
  transcript: string;
  circuitHash: string;
  ptau: Transcript["ptau"];
}

/**
 * Starts a multi-party phase 2: compiles the build, checks the ptau against the
 * list of accepted files, writes the initial key `<build>_0000.zkey`
 * (`snarkjs zkey new`) and `transcript.json` into `out`.
 *
 * @example
 * const { zkey } = await initCeremony({ build: "standard", ptau: "powersOfTau28_hez_final_17.ptau", out: "ceremony" })
 */
export async function initCeremony(options: InitCeremonyOptions): Promise<InitCeremonyResult> {
  const logger = options.logger ?? silentLogger;
  const compiled = await compileCircuit(options.build, { logger, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) });
  const ptau = await checkCeremonyPtau(options.ptau, compiled.power, { allowUnlisted: options.allowUnlistedPtau ?? false, logger });
  const out = resolve(options.out);
  const transcriptPath = join(out, "transcript.json");
  if (await stat(transcriptPath).catch(() => undefined)) throw new CeremonyFileError(`${transcriptPath} exists: a ceremony is already under way there (choose another --out)`);
  await mkdir(out, { recursive: true });
  const id = compiled.build.id;
  const zkey = join(out, `${id}_0000.zkey`);
  const errors: string[] = [];
  try {
    logger.info(`[ceremony init] groth16 setup of '${id}' (${compiled.constraints} constraints) from ${basename(ptau.path)} (2^${ptau.power}, ${ptau.listed})`);
    const r = await snarkjs.zKey.newZKey(compiled.r1cs, ptau.path, zkey, snarkLogger(logger, errors));
    if (r === -1) throw new CircuitBuildError(`snarkjs refused the setup of '${id}': ${errors.join("; ") || "ptau too small or not prepared"}`);
  } catch (e) {
    await rm(zkey, { force: true });
    throw e;
  } finally {
    await releaseCurves();
  }
  const { circuitHash } = await readContributions(zkey);
  const partial = {
    format: TRANSCRIPT_FORMAT,
    build: { id, params: compiled.build.params as Record<string, number>, sourceKey: await sourceKey(compiled.build) },
    r1cs: { sha256: await sha256File(compiled.r1cs), constraints: compiled.constraints },
    ptau: { file: basename(ptau.path), sha256: ptau.sha256, blake2b512: ptau.blake2b512, power: ptau.power, listed: ptau.listed },
    circuitHash,
    initial: { zkey: { file: basename(zkey), sha256: await sha256File(zkey) }, chain: "" },
  } satisfies Omit<Transcript, "contributions">;
  const transcript: Transcript = { ...partial, initial: { ...partial.initial, chain: initialChainHash(partial) }, contributions: [] };
  await writeTranscript(transcriptPath, transcript);
  return { zkey, transcript: transcriptPath, circuitHash, ptau: transcript.ptau };
}

