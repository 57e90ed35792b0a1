import { randomBytes } from "node:crypto";
import * as snarkjs from "snarkjs";
import { InvalidArgumentError } from "../errors.js";
import { silentLogger, type Logger } from "../logger.js";
import { appendStep, type StepFiles } from "./appendStep.js";
import { snarkLogger } from "./snarkLogger.js";
import type { TranscriptEntry } from "./transcript.js";

/** Options of contributeToCeremony. */
export interface ContributeOptions extends StepFiles {
  /** Who contributes (published in the key and the transcript; at most 64 bytes). */
  name: string;
  /** Extra entropy mixed with 64 bytes from the OS (crypto.randomBytes) and snarkjs's own 64. */
  text?: string;
  logger?: Logger;
}

/** A contribution's result: the hash to publish, and the transcript written next to the output. */
export interface ContributeResult {
  contributionHash: string;
  entry: TranscriptEntry;
  transcript: string;
}

/** Checks a contributor or beacon name: 1 to 64 bytes of UTF-8, no control characters. */
export function checkContributorName(name: string): void {
  if (typeof name !== "string" || name.trim() === "" || Buffer.byteLength(name) > 64 || /[\u0000-\u001f\u007f]/.test(name))
    throw new InvalidArgumentError(`a contributor name must be 1 to 64 bytes of text without control characters, got ${JSON.stringify(String(name).slice(0, 80))}`);
}

/**
 * One phase-2 contribution (`snarkjs zkey contribute`): refuses an input that
 * is not the transcript's latest key, draws fresh entropy from the OS (plus
 * `text`), writes `output` and the extended transcript next to it. The entropy
 * is never stored: once this returns, nobody holds it.
 *
 * @example
 * const { contributionHash } = await contributeToCeremony({ input: "dev_0001.zkey", output: "dev_0002.zkey", name: "bob" })
 */
export async function contributeToCeremony(options: ContributeOptions): Promise<ContributeResult> {
  checkContributorName(options.name);
  const logger = options.logger ?? silentLogger;
  const entropy = randomBytes(64).toString("hex") + (options.text ?? "");
  const { entry, transcript } = await appendStep(options, (input, output) => snarkjs.zKey.contribute(input, output, options.name, entropy, snarkLogger(logger)) as Promise<Uint8Array>);
  return { contributionHash: entry.contributionHash, entry, transcript };
}
