import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { BuildFiles } from "./proveTask.js";

const require = createRequire(import.meta.url);

/** circom's generated witness calculator. */
export interface WitnessCalculator {
  calculateWTNSBin(input: unknown, sanityCheck: boolean): Promise<Uint8Array>;
}

/** Instantiates a build's witness calculator from its wasm (used by the workers and by the service's input check). */
export async function loadWitnessCalculator(build: Pick<BuildFiles, "wasm" | "witnessCalculator">): Promise<WitnessCalculator> {
  const builder = require(build.witnessCalculator) as (code: Uint8Array) => Promise<WitnessCalculator>;
  return builder(await readFile(build.wasm));
}

/** Turns circom's "Error: Assert Failed.\nError in template X_12 line: 34" into one line. */
export function witnessFailureReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const template = /Error in template (\w+?)_\d+ line: (\d+)/.exec(msg);
  if (template) return `a constraint of template ${template[1]} (line ${template[2]}) fails`;
  const notFound = /Signal not found|Not enough values for input signal (\w+)|Too many values for input signal (\w+)/.exec(msg);
  if (notFound) return notFound[0];
  return msg.split("\n")[0]!;
}
