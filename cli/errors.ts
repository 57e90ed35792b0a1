/**
 * How the zkseq command and the build scripts report a failure: exactly one
 * line on stderr, `error CODE: message`, where it helps followed by a hint
 * (`see zkseq prove --help`), and a non-zero exit. The stack trace is printed
 * only with `--debug` or `ZKSEQ_DEBUG=1`.
 */
import { CommanderError, type Command } from "commander";
import { ZkseqError } from "../src/errors.js";

/** True when the user asked for stack traces: `--debug` on the command line or ZKSEQ_DEBUG=1. */
export function debugRequested(argv: readonly string[] = process.argv): boolean {
  return argv.includes("--debug") || (process.env.ZKSEQ_DEBUG !== undefined && process.env.ZKSEQ_DEBUG !== "" && process.env.ZKSEQ_DEBUG !== "0");
}

const COMMANDER_CODES: Record<string, string> = {
  "commander.unknownOption": "UNKNOWN_OPTION",
  "commander.unknownCommand": "UNKNOWN_COMMAND",
  "commander.missingArgument": "MISSING_ARGUMENT",
  "commander.optionMissingArgument": "MISSING_OPTION_VALUE",
  "commander.missingMandatoryOptionValue": "MISSING_OPTION",
  "commander.invalidArgument": "INVALID_ARGUMENT",
  "commander.excessArguments": "EXCESS_ARGUMENTS",
  "commander.conflictingOption": "CONFLICTING_OPTIONS",
  "commander.missingCommand": "MISSING_COMMAND",
};

const NODE_CODES: Record<string, string> = {
  ENOENT: "FILE_NOT_FOUND",
  EACCES: "FILE_NOT_READABLE",
  EISDIR: "NOT_A_FILE",
  ERR_PARSE_ARGS_UNKNOWN_OPTION: "UNKNOWN_OPTION",
  ERR_PARSE_ARGS_INVALID_OPTION_VALUE: "INVALID_OPTION_VALUE",
  ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL: "UNEXPECTED_ARGUMENT",
  ECONNREFUSED: "CONNECTION_REFUSED",
};

/** The error's code and one-line message (never more than one line). */
export function describeError(e: unknown): { code: string; message: string } {
  const oneLine = (s: string) => s.replace(/^error:\s*/i, "").split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
  if (e instanceof ZkseqError) return { code: e.code, message: oneLine(e.shortMessage) };
  if (e instanceof CommanderError) return { code: COMMANDER_CODES[e.code] ?? "USAGE", message: oneLine(e.message) };
  if (e instanceof Error) {
    const errno = (e as NodeJS.ErrnoException).code;
    // node:util parseArgs adds a paragraph on '--' after the first sentence
    if (errno === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return { code: "UNKNOWN_OPTION", message: oneLine(e.message.split(". ")[0]!) };
    return { code: (errno && NODE_CODES[errno]) ?? "INTERNAL_ERROR", message: oneLine(e.message) || e.name };
  }
  return { code: "INTERNAL_ERROR", message: oneLine(String(e)) };
}

/** `error CODE: message` and, if given, `(see <hint>)`. */
export function errorLine(e: unknown, hint?: string): string {
  const { code, message } = describeError(e);
  return `error ${code}: ${message}${hint ? ` (see ${hint})` : ""}`;
}

/** Writes the error line (and the stack, when debugging) to stderr. */
export function reportError(e: unknown, hint?: string): void {
  process.stderr.write(errorLine(e, hint) + "\n");
  if (debugRequested() && e instanceof Error && e.stack) process.stderr.write(e.stack + "\n");
}

/** `zkseq prover serve`: the full name of a command, for a `--help` hint. */
export function commandName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** Runs a command's action; any error becomes one readable line on stderr and exit code 1. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      const cmd = args[args.length - 1] as Command | undefined;
      const usage = e instanceof ZkseqError && (e.code === "INVALID_ARGUMENT" || e.code === "UNKNOWN_BUILD");
      reportError(e, usage && cmd && typeof cmd.name === "function" ? `${commandName(cmd)} --help` : undefined);
      process.exitCode = 1;
      // Give stderr a moment, then make sure no worker or socket keeps the process up.
      setTimeout(() => process.exit(1), 100).unref();
    }
  };
}

/** Parses a positive integer option or fails with a readable message. */
export function positiveInt(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new ZkseqError("INVALID_ARGUMENT", `${name} must be a non-negative integer, got '${v}'`);
    return n;
  };
}
