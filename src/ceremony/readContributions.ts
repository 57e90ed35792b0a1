import { createHash } from "node:crypto";
import { readBinFile } from "@iden3/binfileutils";
import { buildBn128 } from "ffjavascript";
import { CeremonyFileError } from "../errors.js";

/** One phase-2 contribution as a snarkjs zkey records it. */
export interface ZkeyContribution {
  /** 1-based position in the key's list. */
  index: number;
  /** A contributor's random contribution, or a public beacon. */
  type: "contribution" | "beacon";
  /** The name the contributor gave (snarkjs keeps at most 64 characters). */
  name: string;
  /** blake2b-512 of the contribution's public key, hex: what `snarkjs zkey contribute` prints and the contributor publishes. */
  contributionHash: string;
  /** For a beacon: the beacon value (hex) and log2 of its hash iterations. */
  beacon?: { hash: string; iterationsExp: number };
}

/** The phase-2 record of a zkey (its section 10). */
export interface ZkeyMpcParams {
  /** blake2b-512 of the circuit the key was set up for (snarkjs's "circuit hash"), hex. */
  circuitHash: string;
  contributions: ZkeyContribution[];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/**
 * Reads the list of phase-2 contributions from a snarkjs Groth16 zkey and
 * computes each contribution hash the way snarkjs does (blake2b-512 over the
 * contribution's deltaAfter, g1_s, g1_sx, g2_spx and transcript). It checks no
 * cryptography: `verifyCeremonyZkey` does.
 *
 * @example
 * const { circuitHash, contributions } = await readContributions("ceremony/dev_0003.zkey")
 */
export async function readContributions(zkeyPath: string): Promise<ZkeyMpcParams> {
  let file;
  try {
    file = await readBinFile(zkeyPath, "zkey", 2);
  } catch (cause) {
    throw new CeremonyFileError(`${zkeyPath} is not a readable zkey: ${(cause as Error).message}`, cause);
  }
  const { fd, sections } = file;
  const curve = await buildBn128(true);
  try {
    const sG1 = curve.G1.F.n8 * 2;
    const sG2 = curve.G2.F.n8 * 2;
    if (!sections[1] || !sections[10]) throw new CeremonyFileError(`${zkeyPath} has no Groth16 phase-2 section (not a Groth16 zkey?)`);
    fd.pos = sections[1][0].p;
    if ((await fd.readULE32()) !== 1) throw new CeremonyFileError(`${zkeyPath} is not a Groth16 zkey`);
    fd.pos = sections[10][0].p;
    const circuitHash = hex(await fd.read(64));
    const n = (await fd.readULE32()) as number;
    const contributions: ZkeyContribution[] = [];
    for (let i = 0; i < n; i++) {
      // points are stored in Montgomery little-endian form; snarkjs hashes them uncompressed big-endian
      const hasher = createHash("blake2b512");
      for (const size of [sG1, sG1, sG1, sG2]) {
        const buf = await fd.read(size);
        const G = size === sG1 ? curve.G1 : curve.G2;
        const out = new Uint8Array(size);
        G.toRprUncompressed(out, 0, G.fromRprLEM(buf, 0));
        hasher.update(out);
      }
      hasher.update(await fd.read(64));
      const type = (await fd.readULE32()) as number;
      const paramLength = (await fd.readULE32()) as number;
      const params: Uint8Array = paramLength > 0 ? await fd.read(paramLength) : new Uint8Array();
      const c: ZkeyContribution = { index: i + 1, type: type === 1 ? "beacon" : "contribution", name: "", contributionHash: hasher.digest("hex") };
      let iterationsExp: number | undefined;
      let beaconHash: string | undefined;
      for (let p = 0; p < params.length; ) {
        const kind = params[p++];
        if (kind === 1) {
          const len = params[p++]!;
          c.name = new TextDecoder().decode(params.subarray(p, p + len));
          p += len;
        } else if (kind === 2) iterationsExp = params[p++];
        else if (kind === 3) {
          const len = params[p++]!;
          beaconHash = hex(params.subarray(p, p + len));
          p += len;
        } else throw new CeremonyFileError(`${zkeyPath}: contribution ${i + 1} has an unknown parameter ${kind}`);
      }
      if (c.type === "beacon") c.beacon = { hash: beaconHash ?? "", iterationsExp: iterationsExp ?? 0 };
      contributions.push(c);
    }
    return { circuitHash, contributions };
  } catch (e) {
    if (e instanceof CeremonyFileError) throw e;
    throw new CeremonyFileError(`${zkeyPath}: cannot read its phase-2 section: ${(e as Error).message}`, e);
  } finally {
    await fd.close();
    await curve.terminate();
  }
}
