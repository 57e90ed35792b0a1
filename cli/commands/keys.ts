import { existsSync } from "node:fs";
import type { Command } from "commander";
import { InvalidArgumentError } from "../../src/errors.js";
import { action } from "../errors.js";

export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("member keys");
  keys
    .command("new")
    .description("generate a BabyJubjub member key into an encrypted keystore (scrypt + AES-GCM) and print its public key")
    .requiredOption("-o, --out <file>", "keystore file to write (refuses to overwrite)")
    .option("--password-env <name>", "environment variable holding the password", "ZKSEQ_KEYSTORE_PASSWORD")
    .action(
      action(async (f: { out: string; passwordEnv: string }) => {
        const password = process.env[f.passwordEnv];
        if (!password) throw new InvalidArgumentError(`set a password in $${f.passwordEnv}`);
        if (existsSync(f.out)) throw new InvalidArgumentError(`${f.out} exists; not overwriting a keystore`);
        const { generateMemberKey, writeKeystore } = await import("../../src/keys.js");
        const key = generateMemberKey();
        await writeKeystore(f.out, key, password);
        process.stdout.write(JSON.stringify({ keystore: f.out, publicKey: key.publicKey.map(String) }) + "\n");
      }),
    );
}
