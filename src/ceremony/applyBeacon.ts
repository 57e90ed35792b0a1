import * as snarkjs from "snarkjs";
import { InvalidArgumentError } from "../errors.js";
import { silentLogger, type Logger } from "../logger.js";
import { appendStep, type StepFiles } from "./appendStep.js";
import { checkContributorName, type ContributeResult } from "./contributeToCeremony.js";
import { snarkLogger } from "./snarkLogger.js";

/** Options of applyBeacon. */
export interface BeaconOptions extends StepFiles {
  /** The public random value, hex (e.g. an L1 block hash announced in advance); 1 to 255 bytes. */
  beacon: string;
  /** log2 of the number of hash iterations applied to it (10 to 63). */
  iterationsExp: number;
  /** The step's name in the key and transcript (default "beacon"). */
  name?: string;
  logger?: Logger;
}

/**
 * The last phase-2 step (`snarkjs zkey beacon`): a contribution derived from a
 * public random value, so anyone can recompute it and no contributor can pick
 * the last word. Same checks and transcript as contributeToCeremony.
 *
 * @example
 * await applyBeacon({ input: "dev_0003.zkey", output: "dev_0004.zkey", beacon: blockHash, iterationsExp: 10 })
 */
export async function applyBeacon(options: BeaconOptions): Promise<ContributeResult> {
  const hex = options.beacon.replace(/^0x/, "");
  if (!/^([0-9a-fA-F]{2}){1,255}$/.test(hex)) throw new InvalidArgumentError(`the beacon must be 1 to 255 bytes of hex, got ${JSON.stringify(options.beacon.slice(0, 80))}`);
  if (!Number.isInteger(options.iterationsExp) || options.iterationsExp < 10 || options.iterationsExp > 63)
    throw new InvalidArgumentError(`the beacon's iterations exponent must be an integer from 10 to 63, got ${options.iterationsExp}`);
  const name = options.name ?? "beacon";
  checkContributorName(name);
  const logger = options.logger ?? silentLogger;
  const { entry, transcript } = await appendStep(options, (input, output) => snarkjs.zKey.beacon(input, output, name, hex.toLowerCase(), options.iterationsExp, snarkLogger(logger)) as Promise<Uint8Array | false>);
  return { contributionHash: entry.contributionHash, entry, transcript };
}
