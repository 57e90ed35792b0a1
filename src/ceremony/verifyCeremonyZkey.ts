import { basename } from "node:path";
import * as snarkjs from "snarkjs";
import { releaseCurves } from "../build/curves.js";
import { sha256File } from "../build/ptau.js";
import { CeremonyFileError, CeremonyVerificationError } from "../errors.js";
import { silentLogger, type Logger } from "../logger.js";
import { readContributions, type ZkeyMpcParams } from "./readContributions.js";
import { snarkLogger } from "./snarkLogger.js";
import { readTranscript } from "./transcript.js";

/** Options of verifyCeremonyZkey. */
export interface VerifyZkeyOptions {
  zkey: string;
  /** The circuit's r1cs (e.g. `compileCircuit(build).r1cs`). */
  r1cs: string;
  /** The phase-1 ptau the ceremony started from. */
  ptau: string;
  /** Also check that the key records exactly the transcript's contributions up to it. */
  transcript?: string;
  logger?: Logger;
}

/**
 * Verifies a phase-2 key from scratch (`snarkjs zkey verify`): recomputes the
 * initial key from the r1cs and the ptau, then checks every contribution from
 * it to the latest (each public key proves knowledge of its secret, each delta
 * follows from the one before, a beacon is recomputed from its value) and that
 * the key's points are the initial ones under the final delta. Slow: a setup's
 * worth of work.
 *
 * @example
 * const { contributions } = await verifyCeremonyZkey({ zkey: "final/dev.zkey", r1cs, ptau })
 */
export async function verifyCeremonyZkey(options: VerifyZkeyOptions): Promise<ZkeyMpcParams> {
  const mpc = await readContributions(options.zkey);
  const errors: string[] = [];
  let ok: unknown;
  try {
    ok = await snarkjs.zKey.verifyFromR1cs(options.r1cs, options.ptau, options.zkey, snarkLogger(options.logger ?? silentLogger, errors));
  } catch (e) {
    throw new CeremonyFileError(`cannot verify ${basename(options.zkey)} against ${basename(options.r1cs)} and ${basename(options.ptau)}: ${(e as Error).message}`, e);
  } finally {
    await releaseCurves();
  }
  if (ok !== true)
    throw new CeremonyVerificationError(
      `${basename(options.zkey)} does not follow from ${basename(options.r1cs)} and ${basename(options.ptau)} through its ${mpc.contributions.length} contributions` +
        (errors.length ? ` (${errors.join("; ")})` : " (a contribution's key or delta does not follow from the one before)"),
    );
  if (options.transcript) {
    const t = await readTranscript(options.transcript);
    if (t.circuitHash !== mpc.circuitHash) throw new CeremonyVerificationError(`${basename(options.zkey)} is for another circuit than the transcript's`);
    const sha = await sha256File(options.zkey);
    const at = [t.initial.zkey, ...t.contributions.map((c) => c.zkey)].findIndex((f) => f.sha256 === sha);
    if (at < 0) throw new CeremonyVerificationError(`${basename(options.zkey)} is none of the transcript's keys`);
    if (at !== mpc.contributions.length || mpc.contributions.some((c, i) => c.contributionHash !== t.contributions[i]!.contributionHash))
      throw new CeremonyVerificationError(`${basename(options.zkey)}'s contributions are not the transcript's`);
  }
  return mpc;
}
