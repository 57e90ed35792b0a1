import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { toBigInt } from "../../src/field.js";
import { action } from "../errors.js";

export function registerBatch(program: Command): void {
  const batch = program.command("batch").description("batch files: what zkseq prove takes");
  batch
    .command("export")
    .description("write the batch file of a signed batch (build, header, committee, txHashes, reports) from the store of the member that led it, for zkseq prove")
    .argument("<batchNumber>", "the batch number")
    .requiredOption("--db <file>", "the leading member's SQLite store (zkseq member --db; in a devnet, <run dir>/member-<i>.db)")
    .option("-o, --out <file>", "where to write it (default: stdout)")
    .action(
      action(async (n: string, f: { db: string; out?: string }) => {
        const { exportBatchFile } = await import("../../proposer/exportBatch.js");
        const json = JSON.stringify(exportBatchFile(f.db, toBigInt(n, "batchNumber")), null, 2) + "\n";
        if (f.out) {
          await writeFile(f.out, json);
          process.stderr.write(`wrote ${f.out}\n`);
        } else process.stdout.write(json);
      }),
    );
}
