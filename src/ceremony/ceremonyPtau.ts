import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import { PtauError, UnlistedPtauError } from "../errors.js";
import { silentLogger, type Logger } from "../logger.js";
import { readPtauPower } from "../build/ptau.js";

/** An entry of `src/ceremony/knownPtau.json`: a published hash of an accepted ptau file. */
export interface KnownPtau {
  name: string;
  power: number;
  /** The published hash: the perpetual powers of tau publish blake2b-512, the shared development ptau sha256. */
  sha256?: string;
  blake2b512?: string;
  source: string;
  /** A development file (one contributor): accepted for tests and devnets, with a warning. */
  development: boolean;
}

/** The ptau a ceremony starts from, hashed and looked up. */
export interface CeremonyPtau {
  path: string;
  power: number;
  sha256: string;
  blake2b512: string;
  listed: "ceremony" | "development" | "unlisted";
  /** The list entry it matched. */
  known?: KnownPtau;
}

/** The accepted ptau files (`src/ceremony/knownPtau.json`). */
export async function knownPtauList(): Promise<KnownPtau[]> {
  const doc = JSON.parse(await readFile(new URL("./knownPtau.json", import.meta.url), "utf8")) as { files: KnownPtau[] };
  return doc.files;
}

/** The loud warning for a ptau that is on no list. */
export const UNLISTED_PTAU_WARNING =
  "THIS PTAU IS ON NO LIST OF KNOWN CEREMONY FILES (src/ceremony/knownPtau.json). A phase 2 on top of it is only as " +
  "secure as the phase 1 that made it: if one party knows its tau, proofs can be forged whatever the phase-2 contributors do.";

/**
 * Hashes a ptau file (sha256 and blake2b-512 in one pass), checks it is
 * prepared and large enough, and looks it up in the known list. An unlisted
 * file is refused unless `allowUnlisted` (then a loud warning); a development
 * file is accepted with a warning.
 *
 * @example
 * const ptau = await checkCeremonyPtau("powersOfTau28_hez_final_16.ptau", 15)
 */
export async function checkCeremonyPtau(path: string, power: number, options: { allowUnlisted?: boolean; logger?: Logger } = {}): Promise<CeremonyPtau> {
  const logger = options.logger ?? silentLogger;
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new PtauError(`ptau ${path} does not exist`, cause);
  }
  if (!info.isFile()) throw new PtauError(`${path} is not a file: a ceremony names its ptau file explicitly`);
  const got = await readPtauPower(path);
  if (got < power) throw new PtauError(`${path} serves 2^${got} constraints; the circuit needs 2^${power}`);
  const sha = createHash("sha256");
  const b2 = createHash("blake2b512");
  for await (const chunk of createReadStream(path)) {
    sha.update(chunk as Buffer);
    b2.update(chunk as Buffer);
  }
  const sha256 = sha.digest("hex");
  const blake2b512 = b2.digest("hex");
  const known = (await knownPtauList()).find((k) => k.sha256 === sha256 || k.blake2b512 === blake2b512);
  const base = { path, power: got, sha256, blake2b512 };
  if (known?.development === false) return { ...base, listed: "ceremony", known };
  if (known) {
    logger.warn(`${basename(path)} is a DEVELOPMENT ptau (${known.source}): fine for tests and devnets, never for production`);
    return { ...base, listed: "development", known };
  }
  if (!options.allowUnlisted) throw new UnlistedPtauError(path, sha256);
  for (let i = 0; i < 3; i++) logger.warn(UNLISTED_PTAU_WARNING);
  return { ...base, listed: "unlisted" };
}
