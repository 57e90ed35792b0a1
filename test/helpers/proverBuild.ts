/** The `dev` build's files for the prover tests, and a main-thread verifier. */
import { readFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";
import { buildFiles, type BuildFiles, type Groth16Proof } from "../../prover/provingPool.js";
import { releaseCurves } from "../../src/build/curves.js";
import { devArtifacts } from "./devBuild.js";

export async function devFiles(): Promise<BuildFiles> {
  return buildFiles(await devArtifacts());
}

/** Verifies a proof against the dev verification key in this thread (and releases snarkjs's threads). */
export async function verifyDevProof(publicSignals: string[], proof: Groth16Proof): Promise<boolean> {
  const vkey = JSON.parse(await readFile((await devArtifacts()).verificationKey, "utf8"));
  try {
    return await snarkjs.groth16.verify(vkey, publicSignals, proof);
  } finally {
    await releaseCurves();
  }
}
