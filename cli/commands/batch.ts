import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { toBigInt } from "../../src/field.js";
import { exportBatchFile } from "../../sequencer/exportBatch.js";
import { action } from "../errors.js";

export function registerBatch(program: Command): void {
  const batch = program.command("batch").description("batch files: what zkseq prove takes");
  batch
    .command("export")
    .description("write the batch file of a signed batch (build, header, committee, txHashes, reports) from a sequencer's store, for zkseq prove")
    .argument("<batchNumber>", "the batch number")
    .requiredOption("--db <file>", "the sequencer's SQLite store (zkseq sequencer --db; in a devnet, <run dir>/sequencer.db)")
    .option("-o, --out <file>", "where to write it (default: stdout)")
    .action(
      action(async (n: string, f: { db: string; out?: string }) => {
        const json = JSON.stringify(exportBatchFile(f.db, toBigInt(n, "batchNumber")), null, 2) + "\n";
        if (f.out) {
          await writeFile(f.out, json);
          process.stderr.write(`wrote ${f.out}\n`);
        } else process.stdout.write(json);
      }),
    );
}
