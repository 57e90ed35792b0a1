/** Runs the `zkseq` CLI in a child process; a non-zero exit is a result, not a rejection. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const ZKSEQ_BIN = fileURLToPath(new URL("../../bin/zkseq.mjs", import.meta.url));

export function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [ZKSEQ_BIN, ...args], { env: process.env, maxBuffer: 1 << 24 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
