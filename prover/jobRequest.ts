import { getBatchBuild } from "../src/builds.js";
import { batchFileFromJSON, type BatchFile } from "../src/batchFile.js";
import { CircuitInputRejectedError, InvalidArgumentError, UnknownBuildError } from "../src/errors.js";
import { assertField } from "../src/field.js";
import { buildWitnessInput, type CircuitInput } from "../src/witness.js";
import type { BuildFiles } from "./provingPool.js";
import { loadWitnessCalculator, witnessFailureReason, type WitnessCalculator } from "./witnessCalculator.js";

/** A proving request: a build and either a ready circuit input or a batch to build it from. */
export interface JobRequest {
  build: string;
  input?: CircuitInput;
  /** A BatchFile or its JSON form. */
  batch?: BatchFile | unknown;
}

/** A request that passed every check: its build's files, its circuit input and its batch number. */
export interface CheckedJobRequest {
  build: string;
  files: BuildFiles;
  input: CircuitInput;
  batchNumber: bigint;
}

/**
 * Checks proving requests the same way whichever queue holds the jobs
 * (SQLite or BullMQ): a known build, exactly one of input or batch, a batch
 * that keeps every rule, an input the circuit's witness generator accepts
 * (run here, so a bad job is refused at submission with a 4xx, not failed later).
 */
export class JobRequestChecker {
  private readonly calculators = new Map<string, Promise<WitnessCalculator>>();

  constructor(private readonly builds: ReadonlyMap<string, BuildFiles>) {}

  async check(request: JobRequest): Promise<CheckedJobRequest> {
    if (typeof request !== "object" || request === null) throw new InvalidArgumentError("a job request is a JSON object");
    if (typeof request.build !== "string") throw new InvalidArgumentError("build must be a build id string");
    const files = this.builds.get(request.build);
    if (!files) {
      getBatchBuild(request.build); // UnknownBuildError for a build that does not exist or is not a Batch build
      throw new UnknownBuildError(request.build, [...this.builds.keys()]);
    }
    if ((request.input === undefined) === (request.batch === undefined)) throw new InvalidArgumentError("give exactly one of input or batch");

    let input: CircuitInput;
    if (request.batch !== undefined) {
      const batch = isBatchFile(request.batch) ? request.batch : batchFileFromJSON(request.batch);
      if (batch.build !== request.build) throw new InvalidArgumentError(`the batch is for build '${batch.build}', the job for '${request.build}'`);
      input = buildWitnessInput({ build: request.build, header: batch.header, committee: batch.committee, txHashes: batch.txHashes, reports: batch.reports }).input;
    } else {
      input = checkInputShape(request.input);
      await this.checkWitness(files, input);
    }
    const batchNumber = assertField(input.packedB, "input.packedB") >> 176n;
    return { build: request.build, files, input, batchNumber };
  }

  /** Runs the circuit's witness generator on the input, in this thread, so a bad input is refused at submission. */
  private async checkWitness(files: BuildFiles, input: CircuitInput): Promise<void> {
    let calc = this.calculators.get(files.id);
    if (!calc) {
      calc = loadWitnessCalculator(files);
      this.calculators.set(files.id, calc);
    }
    try {
      await (await calc).calculateWTNSBin(input, true);
    } catch (e) {
      throw new CircuitInputRejectedError(files.id, witnessFailureReason(e));
    }
  }
}

function isBatchFile(v: unknown): v is BatchFile {
  return typeof v === "object" && v !== null && typeof (v as { header?: { batchNumber?: unknown } }).header?.batchNumber === "bigint";
}

function checkInputShape(v: unknown): CircuitInput {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new InvalidArgumentError("input must be a JSON object of circuit signals");
  const ok = (x: unknown): boolean => typeof x === "string" || (typeof x === "number" && Number.isSafeInteger(x)) || (Array.isArray(x) && x.every(ok));
  for (const [k, x] of Object.entries(v)) if (!ok(x)) throw new InvalidArgumentError(`input.${k} must be a decimal string or an array of them`);
  return v as CircuitInput;
}
