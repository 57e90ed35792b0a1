/**
 * Development keys made directly from random toxic waste (src/build/devSetup.ts):
 * the Lagrange evaluation behind them, proofs with snarkjs and with the native
 * pool that verify under their own key and under no other, and tampered keys
 * or inputs refused with typed errors.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { buildBn128 } from "ffjavascript";
import { devSetup, lagrangeAt, readR1csForSetup } from "../src/build/devSetup.js";
import { releaseCurves } from "../src/build/curves.js";
import { CircuitBuildError, ProofVerificationError, ZkeyFormatError } from "../src/errors.js";
import { ProvingPool } from "../prover/provingPool.js";
import type { BuildFiles } from "../prover/proveTask.js";
import { loadNativeAddon } from "../prover/nativeAddon.js";
import { makeScenario } from "./helpers/fixtures.js";
import { devFiles } from "./helpers/proverBuild.js";
import { devArtifacts } from "./helpers/devBuild.js";

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const native = !("error" in loadNativeAddon());

let dir: string;
let dev: BuildFiles;
let r1cs: string;
/** Two independent setups of dev: keys A and keys B. */
let a: BuildFiles;
let b: BuildFiles;

async function setUp(name: string): Promise<BuildFiles> {
  const zkey = join(dir, `${name}.zkey`);
  await devSetup(r1cs, zkey, { threads: 2 });
  const vkey = await snarkjs.zKey.exportVerificationKey(zkey);
  const verificationKey = join(dir, `${name}.vkey.json`);
  await writeFile(verificationKey, JSON.stringify(vkey));
  await releaseCurves();
  return { ...dev, zkey, verificationKey };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "zkseq-devsetup-"));
  dev = await devFiles();
  r1cs = (await devArtifacts()).r1cs;
  a = await setUp("a");
  b = await setUp("b");
});

test("lagrangeAt: the basis sums to 1 and equals the product formula (n = 8)", async () => {
  const curve = await buildBn128(true);
  try {
    const omega = BigInt(curve.Fr.toObject(curve.Fr.w[3]));
    const tau = 123456789123456789123456789n;
    const L = lagrangeAt(tau, 8, omega);
    assert.equal(L.reduce((s, x) => (s + x) % R, 0n), 1n);
    const pow = (x: bigint, e: number) => Array.from({ length: e }).reduce<bigint>((p) => (p * x) % R, 1n);
    const inv = (x: bigint) => {
      let r = 1n, base = ((x % R) + R) % R, e = R - 2n;
      while (e > 0n) {
        if (e & 1n) r = (r * base) % R;
        base = (base * base) % R;
        e >>= 1n;
      }
      return r;
    };
    for (let j = 0; j < 8; j++) {
      let num = 1n, den = 1n;
      for (let k = 0; k < 8; k++) {
        if (k === j) continue;
        num = (num * ((tau - pow(omega, k) + R) % R)) % R;
        den = (den * ((pow(omega, j) - pow(omega, k) + R) % R)) % R;
      }
      assert.equal(L[j], (num * inv(den)) % R, `L_${j}`);
    }
  } finally {
    await curve.terminate();
  }
});

test("snarkjs proves with the keys and verifies under their own verification key only", async () => {
  const input = makeScenario({ seed: 2101 }).witness.input;
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input as never, a.wasm, a.zkey);
  try {
    assert.equal(await snarkjs.groth16.verify(JSON.parse(await readFile(a.verificationKey, "utf8")), publicSignals, proof), true);
    assert.equal(await snarkjs.groth16.verify(JSON.parse(await readFile(b.verificationKey, "utf8")), publicSignals, proof), false, "a proof from one setup does not verify under another");
  } finally {
    await releaseCurves();
  }
});

test("zkseq's proving pool proves with the keys (its own check passes)", async () => {
  const input = makeScenario({ seed: 2102 }).witness.input;
  // its default backend (snarkjs's own proof with these keys is the test above)
  for (const backend of native ? (["native"] as const) : (["snarkjs"] as const)) {
    const pool = new ProvingPool({ workers: 1, backend });
    // a pool loads a build's files once: another pool checks with keys B's verification key
    const mismatched = new ProvingPool({ workers: 1, backend });
    try {
      const r = await pool.prove(a, input);
      assert.equal(r.backend, backend);
      // keys B's verification key refuses keys A's proof: the pool's check is real
      await assert.rejects(mismatched.prove({ ...a, verificationKey: b.verificationKey }, input), ProofVerificationError);
    } finally {
      await Promise.all([pool.close(), mismatched.close()]);
    }
  }
});

test("tampered keys are refused: a point off the curve is ZkeyFormatError, a valid but wrong point fails the proof's check", { skip: native ? false : "native addon not built" }, async () => {
  const input = makeScenario({ seed: 2103 }).witness.input;
  const bytes = new Uint8Array(await readFile(a.zkey));
  // section 2 starts after the file header (12), section 1 (12 + 4) and section 2's header (12)
  const s2 = 12 + 16 + 12;
  const alpha1 = s2 + 84;
  const delta1 = alpha1 + 384;
  const offCurve = new Uint8Array(bytes);
  offCurve[alpha1 + 3]! ^= 1;
  const wrongDelta = new Uint8Array(bytes);
  wrongDelta.set(bytes.subarray(alpha1, alpha1 + 64), delta1); // delta1 := alpha1, still on the curve
  const pool = new ProvingPool({ workers: 1 });
  try {
    await writeFile(join(dir, "off.zkey"), offCurve);
    await assert.rejects(pool.prove({ ...a, zkey: join(dir, "off.zkey") }, input), ZkeyFormatError);
    await writeFile(join(dir, "wrong.zkey"), wrongDelta);
    await assert.rejects(pool.prove({ ...a, zkey: join(dir, "wrong.zkey") }, input), ProofVerificationError);
  } finally {
    await pool.close();
  }
});

test("an R1CS that is not one is CircuitBuildError", async () => {
  await writeFile(join(dir, "junk.r1cs"), "not an r1cs at all");
  await assert.rejects(readR1csForSetup(join(dir, "junk.r1cs")), CircuitBuildError);
  const real = await readFile(r1cs);
  await writeFile(join(dir, "cut.r1cs"), real.subarray(0, real.length - 1000));
  await assert.rejects(readR1csForSetup(join(dir, "cut.r1cs")), CircuitBuildError);
});

test("the ffjavascript fallback (no native addon) makes the same keys from the same toxic waste", { skip: native ? false : "native addon not built" }, async () => {
  const small = (await import("../src/build/buildCircuit.js")).compileCircuit("key-ownership");
  const toxicWaste = { tau: 11n, alpha: 22n, beta: 33n, delta: 44n };
  const r1csPath = (await small).r1cs;
  await devSetup(r1csPath, join(dir, "n.zkey"), { toxicWaste, backend: "native" });
  await devSetup(r1csPath, join(dir, "j.zkey"), { toxicWaste, backend: "ffjavascript" });
  assert.deepEqual(await readFile(join(dir, "n.zkey")), await readFile(join(dir, "j.zkey")));
});
