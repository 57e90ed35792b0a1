import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile, rename, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { readBinFile } from "@iden3/binfileutils";
import * as snarkjs from "snarkjs";
import { buildBn128 } from "ffjavascript";
import { withSharedCurve } from "./curves.js";
import { PtauError } from "../errors.js";
import type { Logger } from "../logger.js";

/** The power of a powers-of-tau file (it serves circuits up to 2^power constraints). */
export async function readPtauPower(path: string): Promise<number> {
  try {
    const { fd, sections } = await readBinFile(path, "ptau", 1);
    try {
      if (!sections[1]) throw new Error("no header section");
      fd.pos = sections[1][0].p;
      const n8 = await fd.readULE32();
      await fd.read(n8);
      const power = await fd.readULE32();
      if (!sections[12]) throw new Error("not prepared for phase 2 (run `snarkjs powersoftau prepare phase2`)");
      return power as number;
    } finally {
      await fd.close();
    }
  } catch (cause) {
    throw new PtauError(`${path} is not a usable powers-of-tau file: ${(cause as Error).message}`, cause);
  }
}

/** sha256 of a file, hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** A resolved ptau file. */
export interface PtauFile {
  path: string;
  power: number;
  sha256: string;
  /** True when zkseq generated it itself (development only). */
  generated: boolean;
}

async function checkSums(path: string, sha: string): Promise<void> {
  const sums = join(dirname(path), "SHA256SUMS");
  let text: string;
  try {
    text = await readFile(sums, "utf8");
  } catch {
    return;
  }
  for (const line of text.split("\n")) {
    const [h, name] = line.trim().split(/\s+\*?/);
    if (name === basename(path) && h && h !== sha) throw new PtauError(`${path} does not match its sha256 in ${sums}`);
  }
}

/**
 * Finds the ptau to use: `source` is a ptau file or a folder of them (the
 * smallest one of at least `power` is taken). Checks the power and, when the
 * folder has a SHA256SUMS, the file's hash.
 */
export async function resolvePtau(source: string, power: number): Promise<PtauFile> {
  let info;
  try {
    info = await stat(source);
  } catch (cause) {
    throw new PtauError(`ptau ${source} does not exist`, cause);
  }
  let path = source;
  if (info.isDirectory()) {
    const found: { path: string; power: number }[] = [];
    for (const name of (await readdir(source)).filter((n) => n.endsWith(".ptau")).sort()) {
      const p = join(source, name);
      try {
        found.push({ path: p, power: await readPtauPower(p) });
      } catch {
        /* not a prepared ptau: skip */
      }
    }
    const fit = found.filter((f) => f.power >= power).sort((a, b) => a.power - b.power)[0];
    if (!fit) throw new PtauError(`no prepared ptau of power >= ${power} in ${source} (found: ${found.map((f) => `${basename(f.path)}=2^${f.power}`).join(", ") || "none"})`);
    path = fit.path;
  }
  const got = await readPtauPower(path);
  if (got < power) throw new PtauError(`${path} serves 2^${got} constraints; the circuit needs 2^${power}`);
  const sha256 = await sha256File(path);
  await checkSums(path, sha256);
  return { path, power: got, sha256, generated: false };
}

/** The loud warning printed whenever zkseq makes its own ptau. */
export const DEV_PTAU_WARNING =
  "NO POWERS-OF-TAU FILE GIVEN: generating a development ptau on this machine. It is NOT a secure ceremony " +
  "(whoever ran it can forge proofs), and at 2^16 it takes about 45 minutes on 2 cores. Pass --ptau <file|dir> " +
  "or set ZKSEQ_PTAU; production deployments use a public ceremony file (e.g. the perpetual powers of tau).";

/**
 * Last resort: generates a prepared development ptau of the given power in
 * `dir` (kept for next time), with a loud warning.
 */
export async function generateDevPtau(dir: string, power: number, logger: Logger): Promise<PtauFile> {
  const final = join(dir, `pot${power}_zkseq_generated_dev.ptau`);
  try {
    await stat(final);
    return { path: final, power: await readPtauPower(final), sha256: await sha256File(final), generated: true };
  } catch {
    /* generate below */
  }
  for (let i = 0; i < 3; i++) logger.warn(DEV_PTAU_WARNING);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.gen-${process.pid}`);
  await mkdir(tmp, { recursive: true });
  // snarkjs's shared curve (buildBn128 returns it when it is up): released only when no other zkseq user holds it (src/build/curves.ts)
  await withSharedCurve(async () => {
    const curve = await buildBn128();
    const snarkLogger = { info: logger.info.bind(logger), debug: () => {}, warn: logger.warn.bind(logger), error: logger.warn.bind(logger) };
    logger.info(`[ptau 1/3] new accumulator 2^${power}`);
    await snarkjs.powersOfTau.newAccumulator(curve, power, join(tmp, "0.ptau"), snarkLogger);
    logger.info(`[ptau 2/3] contribution (random entropy)`);
    await snarkjs.powersOfTau.contribute(join(tmp, "0.ptau"), join(tmp, "1.ptau"), "zkseq generated dev", randomBytes(32).toString("hex"), snarkLogger);
    logger.info(`[ptau 3/3] prepare phase 2 (the slow step)`);
    await snarkjs.powersOfTau.preparePhase2(join(tmp, "1.ptau"), join(tmp, "final.ptau"), snarkLogger);
    await rename(join(tmp, "final.ptau"), final);
  });
  return { path: final, power, sha256: await sha256File(final), generated: true };
}
