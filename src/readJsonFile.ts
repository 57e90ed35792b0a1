import { readFile } from "node:fs/promises";
import { FileNotFoundError, MalformedFileError } from "./errors.js";

/**
 * Reads and parses a JSON file: FileNotFoundError (naming the file) when it
 * cannot be read, MalformedFileError when it is not JSON.
 *
 * @example
 * const vkey = await readJsonFile("vkey.json", "verification key")
 */
export async function readJsonFile(path: string, what = "file"): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new FileNotFoundError(path, what);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MalformedFileError(path, (e as Error).message);
  }
}
