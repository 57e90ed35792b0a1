import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder of the zkseq package (where package.json, circuits/, bin/ and
 * native/ live), found by walking up from this module: it runs both from the
 * TypeScript sources (src/) and compiled (dist/src/, one level deeper).
 */
export function findPackageRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (packageName(join(dir, "package.json")) === "zkseq") return dir;
    if (dirname(dir) === dir) throw new Error(`no zkseq package.json above ${from}`);
  }
}

function packageName(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** The zkseq package root. */
export const PACKAGE_ROOT = findPackageRoot();
