import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { readBinFile } from "@iden3/binfileutils";
import { PtauError } from "../errors.js";

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
