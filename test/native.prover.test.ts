/**
 * The native Groth16 backend on the dev build: its proofs verify with snarkjs
 * and carry snarkjs's public signals; a truncated or corrupted zkey or
 * witness, or a witness of another build, is a typed error (never a crash or
 * a wrong proof); a long loop of proofs keeps the process's memory flat.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";
import { loadNativeAddon } from "../prover/nativeAddon.js";
import { NativeProver } from "../prover/nativeProver.js";
import { ProvingPool } from "../prover/provingPool.js";
import { loadWitnessCalculator, type WitnessCalculator } from "../prover/witnessCalculator.js";
import type { BuildFiles } from "../prover/proveTask.js";
import { releaseCurves } from "../src/build/curves.js";
import { NativeProverUnavailableError, WitnessFormatError, WitnessMismatchError, ZkeyFormatError } from "../src/errors.js";
import { makeScenario } from "./helpers/fixtures.js";
import { devFiles, verifyDevProof } from "./helpers/proverBuild.js";

const loaded = loadNativeAddon();
const skip = "error" in loaded ? `native addon not built: ${loaded.error}` : false;

/** Offsets of an iden3 binary file's sections: type -> [start of data, size]. */
function sections(file: Uint8Array): Map<number, [number, number]> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out = new Map<number, [number, number]>();
  let pos = 12;
  for (let i = 0; i < view.getUint32(8, true); i++) {
    const type = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    out.set(type, [pos + 12, size]);
    pos += 12 + size;
  }
  return out;
}

const withByte = (b: Uint8Array, at: number, xor: number): Uint8Array => {
  const c = new Uint8Array(b);
  c[at]! ^= xor;
  return c;
};

describe("native Groth16 prover (dev build)", { skip }, () => {
  let files: BuildFiles;
  let zkey: Uint8Array;
  let calculator: WitnessCalculator;
  let prover: NativeProver;
  let wtns: Uint8Array;
  const scenario = makeScenario({ seed: 301 });

  before(async () => {
    files = await devFiles();
    zkey = new Uint8Array(await readFile(files.zkey));
    calculator = await loadWitnessCalculator(files);
    prover = NativeProver.fromBytes("dev", files.zkey, zkey);
    wtns = await calculator.calculateWTNSBin(scenario.witness.input, true);
  });

  test("proofs verify with snarkjs and their public signals equal snarkjs's, on 1 and 2 threads", async () => {
    const reference = (await snarkjs.groth16.prove({ type: "mem", data: zkey }, { type: "mem", data: wtns })) as { publicSignals: string[] };
    await releaseCurves();
    for (const threads of [1, 2]) {
      const { proof, publicSignals } = prover.prove(wtns, threads);
      assert.deepEqual(publicSignals, reference.publicSignals);
      assert.deepEqual(publicSignals, scenario.witness.publicSignals);
      assert.equal(proof.protocol, "groth16");
      assert.equal(proof.curve, "bn128");
      assert.equal(proof.pi_a[2], "1");
      assert.deepEqual(proof.pi_b[2], ["1", "0"]);
      assert.equal(await verifyDevProof(publicSignals, proof), true);
    }
    // fresh blinding every time: two proofs of one witness differ and both verify
    const again = prover.prove(wtns);
    assert.notDeepEqual(again.proof.pi_a, prover.prove(wtns).proof.pi_a);
    assert.equal(await verifyDevProof(again.publicSignals, again.proof), true);
  });

  test("a truncated or corrupted zkey is ZkeyFormatError", () => {
    const s = sections(zkey);
    const [header] = s.get(2)!;
    const [aStart] = s.get(5)!;
    const [coefStart] = s.get(4)!;
    const bad: [string, Uint8Array][] = [
      ["empty", new Uint8Array(0)],
      ["11 bytes", zkey.subarray(0, 11)],
      ["cut in the header", zkey.subarray(0, header + 20)],
      ["cut in the coefficients", zkey.subarray(0, coefStart + 1000)],
      ["cut one byte short", zkey.subarray(0, zkey.length - 1)],
      ["bad magic", withByte(zkey, 0, 0xff)],
      ["another base field", withByte(zkey, header + 4, 1)],
      ["a point off the curve", withByte(zkey, aStart + 64 * 3 + 5, 0x10)],
      ["a coordinate not below q", withByte(zkey, aStart + 64 * 5 + 31, 0xc0)],
      ["a coefficient's signal out of range", withByte(zkey, coefStart + 4 + 8 + 3, 0x80)],
      ["a section size that overflows", withByte(zkey, header - 1, 0x40)],
    ];
    for (const [what, bytes] of bad) {
      assert.throws(() => NativeProver.fromBytes("dev", "dev.zkey", bytes), ZkeyFormatError, what);
    }
  });

  test("a truncated or corrupted witness is WitnessFormatError; one of another build is WitnessMismatchError", () => {
    const s = sections(wtns);
    const [h1] = s.get(1)!;
    const [h2, size2] = s.get(2)!;
    const formatErrors: [string, Uint8Array][] = [
      ["empty", new Uint8Array(0)],
      ["cut in the header", wtns.subarray(0, h1 + 10)],
      ["cut in the values", wtns.subarray(0, h2 + size2 / 2)],
      ["one byte short", wtns.subarray(0, wtns.length - 1)],
      ["bad magic", withByte(wtns, 1, 0xff)],
      ["a value not below r", withByte(wtns, h2 + 32 * 7 + 31, 0xe0)],
      ["value 0 is not 1", withByte(wtns, h2, 0x02)],
    ];
    for (const [what, bytes] of formatErrors) assert.throws(() => prover.prove(bytes), WitnessFormatError, what);

    // a well-formed witness with one value fewer (another build's length)
    const view = new DataView(wtns.buffer, wtns.byteOffset, wtns.byteLength);
    const nWitness = view.getUint32(h1 + 4 + 32, true);
    const shorter = new Uint8Array(wtns.subarray(0, wtns.length - 32));
    const sv = new DataView(shorter.buffer);
    sv.setUint32(h1 + 4 + 32, nWitness - 1, true);
    sv.setBigUint64(h2 - 8, BigInt(size2 - 32), true);
    assert.throws(() => prover.prove(shorter), (e: unknown) => e instanceof WitnessMismatchError && /another build/.test(e.shortMessage));
    // a witness over another prime
    assert.throws(() => prover.prove(withByte(wtns, h1 + 4, 0x01)), WitnessMismatchError);
    // and after all of that the prover still proves
    assert.deepEqual(prover.prove(wtns).publicSignals, scenario.witness.publicSignals);
  });

  test("30 proofs in a loop keep the process's memory flat", () => {
    for (let i = 0; i < 3; i++) prover.prove(wtns, 2); // warm-up: allocator arenas of both threads
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 30; i++) prover.prove(wtns, i % 2 === 0 ? 1 : 2);
    const growth = process.memoryUsage().rss - before;
    assert.ok(growth < 64 * 1024 * 1024, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB over 30 proofs`);
  });

  test("the pool proves with the native backend by default and its proofs verify; snarkjs stays selectable", async () => {
    const pool = new ProvingPool({ workers: 1 });
    const js = new ProvingPool({ workers: 1, backend: "snarkjs" });
    try {
      assert.equal(pool.backend, "native");
      const [r, j] = await Promise.all([pool.prove(files, scenario.witness.input), js.prove(files, scenario.witness.input)]);
      assert.equal(r.backend, "native");
      assert.equal(j.backend, "snarkjs");
      assert.deepEqual(r.publicSignals, j.publicSignals);
      assert.equal(await verifyDevProof(r.publicSignals, r.proof), true);
    } finally {
      await Promise.all([pool.close(), js.close()]);
    }
  });

  test("a corrupted zkey reaches the pool's caller as ZkeyFormatError", async () => {
    const { mkdtemp, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "zkseq-zkey-"));
    const broken = join(dir, "broken.zkey");
    await writeFile(broken, zkey.subarray(0, zkey.length - 100));
    const pool = new ProvingPool({ workers: 1 });
    try {
      await assert.rejects(pool.prove({ ...files, zkey: broken }, scenario.witness.input), ZkeyFormatError);
    } finally {
      await pool.close();
    }
  });
});

test("asking for the native backend where it is not built is NativeProverUnavailableError", { skip: !skip }, () => {
  assert.throws(() => new ProvingPool({ backend: "native" }), NativeProverUnavailableError);
});
