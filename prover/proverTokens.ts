import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { FileNotFoundError, InvalidArgumentError } from "../src/errors.js";

/**
 * The prover API's clients: token -> client name, looked up by the token's
 * sha-256 (a lookup's time does not depend on how much of a token matched).
 * Written `client:token`, one per line (`#` comments) in a file, or
 * comma-separated in `ZKSEQ_PROVER_TOKENS`. Tokens are at least 16 characters.
 *
 * @example
 * const tokens = ProverTokens.parse("rollup:6f1c…\nexplorer:9ab2…")
 * tokens.client("6f1c…") // "rollup"
 */
export class ProverTokens {
  private constructor(private readonly byHash: ReadonlyMap<string, string>) {}

  static parse(text: string): ProverTokens {
    const byHash = new Map<string, string>();
    for (const raw of text.split(/[\n,]/)) {
      const line = raw.trim();
      if (!line || line.startsWith("#")) continue;
      const i = line.indexOf(":");
      const client = line.slice(0, i).trim();
      const token = line.slice(i + 1).trim();
      if (i <= 0 || !/^[A-Za-z0-9_.-]{1,64}$/.test(client)) throw new InvalidArgumentError(`a token line is 'client:token' with a client name of letters, digits, '_', '.', '-' (got '${client || line.slice(0, 20)}')`);
      if (token.length < 16) throw new InvalidArgumentError(`the token of client '${client}' is shorter than 16 characters`);
      byHash.set(hash(token), client);
    }
    if (byHash.size === 0) throw new InvalidArgumentError("no tokens given");
    return new ProverTokens(byHash);
  }

  static async fromFile(path: string): Promise<ProverTokens> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch {
      throw new FileNotFoundError(path, "tokens file");
    }
    return ProverTokens.parse(text);
  }

  /** The client holding this token, or undefined. */
  client(token: string): string | undefined {
    return this.byHash.get(hash(token));
  }
}

function hash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
