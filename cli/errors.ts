import { ZkseqError } from "../src/errors.js";

/** Runs a command's action; any error becomes one readable line on stderr and exit code 1. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      process.stderr.write(`zkseq: error: ${errorLine(e)}\n`);
      process.exitCode = 1;
      // Give stderr a moment, then make sure no worker or socket keeps the process up.
      setTimeout(() => process.exit(1), 100).unref();
    }
  };
}

export function errorLine(e: unknown): string {
  if (e instanceof ZkseqError) return `${e.shortMessage} [${e.code}]`;
  if (e instanceof Error) return e.message.split("\n")[0]!;
  return String(e);
}

/** Parses a positive integer option or fails with a readable message. */
export function positiveInt(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new ZkseqError("INVALID_ARGUMENT", `${name} must be a non-negative integer, got '${v}'`);
    return n;
  };
}
