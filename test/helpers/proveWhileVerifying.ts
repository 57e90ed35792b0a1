/**
 * Run as its own process by test/curves.test.ts: a snarkjs proof on snarkjs's
 * shared curve and several `verifyBatch` calls at the same time. Prints one
 * JSON line and exits on its own (exit code 0) once the proof is done and its
 * curve released; a verification that tore the shared curve down under the
 * proof would make this process die (exit 13) or hang.
 */
import * as snarkjs from "snarkjs";
import { verifyBatch } from "../../src/sdk/verifyBatch.js";
import { releaseCurves } from "../../src/build/curves.js";
import { makeScenario } from "./fixtures.js";
import { devArtifacts } from "./devBuild.js";

const art = await devArtifacts();
const first = makeScenario({ seed: 1401, txs: 4, forced: 1 });
const second = makeScenario({ seed: 1402, txs: 5 });
const prove = (input: unknown) => snarkjs.groth16.fullProve(input, art.wasm, art.zkey) as Promise<{ proof: never; publicSignals: string[] }>;

const a = await prove(first.witness.input);
let proving = true;
const running = prove(second.witness.input).finally(() => (proving = false));
let duringProof = 0;
const verified = await Promise.all(
  Array.from({ length: 4 }, () =>
    verifyBatch({ proof: a.proof, publicSignals: a.publicSignals, verificationKey: art.verificationKey }).then((v) => {
      if (proving) duringProof++;
      return v.batchHash === first.witness.batchHash;
    }),
  ),
);
const b = await running;
const after = await verifyBatch({ proof: b.proof, publicSignals: b.publicSignals, verificationKey: art.verificationKey });
await releaseCurves();
process.stdout.write(JSON.stringify({ verified, duringProof, second: after.batchHash === second.witness.batchHash }) + "\n");
