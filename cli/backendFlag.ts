import { ZkseqError } from "../src/errors.js";
import type { ProverBackend } from "../prover/proveTask.js";

/** Parses `--backend native|snarkjs`. */
export function backendFlag(v: string): ProverBackend {
  if (v !== "native" && v !== "snarkjs") throw new ZkseqError("INVALID_ARGUMENT", `--backend must be native or snarkjs, got '${v}'`);
  return v;
}
