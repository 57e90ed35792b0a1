import { copyFile, mkdir, rename, rm, stat } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { compileCircuit, sourceKey } from "../build/buildCircuit.js";
import { sha256File } from "../build/ptau.js";
import { CeremonyFileError, CeremonyVerificationError } from "../errors.js";
import { silentLogger, type Logger } from "../logger.js";
import { verifyTranscript } from "./verifyTranscript.js";

/** Options of installCeremonyKeys. */
export interface InstallOptions {
  /** A folder `finalizeCeremony` wrote. */
  dir: string;
  /** The build cache (default: <package>/build). */
  cacheDir?: string;
  /** Replace a setup already cached for the same ptau (e.g. the single-party one). */
  force?: boolean;
  logger?: Logger;
}

/**
 * Puts a ceremony's final keys into the build cache as the build's setup for
 * the ceremony's ptau, after checking the final transcript, its files and that
 * the circuit sources are still the ceremony's. From then on
 * `buildCircuit(build, { ptau: <the ceremony ptau> })`, and everything built
 * on it (`zkseq prover serve`, `npm run build:contracts`, `zkseq verify`),
 * uses the ceremony's keys.
 *
 * @example
 * const setupDir = await installCeremonyKeys({ dir: "ceremony/final" })
 */
export async function installCeremonyKeys(options: InstallOptions): Promise<string> {
  const dir = resolve(options.dir);
  const { transcript: t, missing } = await verifyTranscript(join(dir, "transcript.json"));
  if (!t.final) throw new CeremonyFileError(`${dir} holds no finalized ceremony (run zkseq ceremony finalize)`);
  const needed = [t.final.zkey.file, t.final.verificationKey.file, t.final.verifier.file];
  const gone = needed.filter((f) => missing.includes(f));
  if (gone.length) throw new CeremonyFileError(`${dir} lacks ${gone.join(", ")}`);
  const compiled = await compileCircuit(t.build.id, { logger: options.logger ?? silentLogger, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) });
  if ((await sourceKey(compiled.build)) !== t.build.sourceKey || (await sha256File(compiled.r1cs)) !== t.r1cs.sha256)
    throw new CeremonyVerificationError(`the circuit sources of '${t.build.id}' changed since the ceremony: its keys are for another circuit`);
  const setupDir = join(compiled.dir, `setup-${t.ptau.sha256.slice(0, 16)}`);
  const exists = await stat(setupDir).catch(() => undefined);
  if (exists && !options.force) throw new CeremonyFileError(`${setupDir} exists (a setup for this ptau, e.g. a single-party one); pass --force to replace it`);
  const tmp = `${setupDir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(tmp, { recursive: true });
  try {
    for (const f of [...needed, "setup.json", "transcript.json"]) await copyFile(join(dir, f), join(tmp, f));
    if (exists) await rm(setupDir, { recursive: true, force: true });
    await rename(tmp, setupDir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return setupDir;
}
