import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { batchFileFromJSON, batchFileToJSON, type BatchFileJson } from "../src/batchFile.js";
import { BatchNotFoundError, FileNotFoundError, WrongStoreError } from "../src/errors.js";
import { u64Key } from "../src/service.js";

/**
 * The batch file of one batch (what `zkseq prove` takes: build, header,
 * committee, transaction hashes in slot order and the signers' reports), read
 * from a sequencer's store (`zkseq sequencer --db`, or `sequencer.db` in a
 * devnet's run directory). Opens the database read-only, so it can run beside
 * the sequencer. A batch still collecting signatures is BatchNotFoundError; a
 * member's store is WrongStoreError (a member keeps only its own report, not
 * the quorum's).
 *
 * @example
 * const json = exportBatchFile("run/sequencer.db", 3n)
 * await writeFile("batch-3.json", JSON.stringify(json, null, 2))
 */
export function exportBatchFile(dbPath: string, batchNumber: bigint): BatchFileJson {
  if (!existsSync(dbPath)) throw new FileNotFoundError(dbPath, "database");
  let db: Database.Database;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new WrongStoreError(dbPath, `not an SQLite database (${(e as Error).message})`);
  }
  try {
    let tables: Set<string>;
    try {
      tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name));
    } catch (e) {
      throw new WrongStoreError(dbPath, `not an SQLite database (${(e as Error).message})`);
    }
    if (!tables.has("batches")) {
      throw new WrongStoreError(
        dbPath,
        tables.has("reports") ? "a member's store holds only its own reports; export the batch from the sequencer's store" : "not a zkseq sequencer store (no batches table)",
      );
    }
    const row = db.prepare(`SELECT state, batch FROM batches WHERE batch_number = ?`).get(u64Key(batchNumber)) as { state: string; batch: string } | undefined;
    if (!row) throw new BatchNotFoundError(batchNumber, `not in ${dbPath}`);
    if (row.state === "proposed") throw new BatchNotFoundError(batchNumber, `still collecting signatures in ${dbPath}: no quorum of reports to prove yet`);
    // parse and re-serialise: a store that holds something else fails here, naming the field
    return batchFileToJSON(batchFileFromJSON(JSON.parse(row.batch)));
  } finally {
    db.close();
  }
}
