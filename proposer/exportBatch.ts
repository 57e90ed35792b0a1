import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { batchFileFromJSON, batchFileToJSON, type BatchFileJson } from "../src/batchFile.js";
import { BatchNotFoundError, FileNotFoundError, WrongStoreError } from "../src/errors.js";
import { u64Key } from "../src/service.js";

/**
 * The batch file of one batch (what `zkseq prove` takes: build, header,
 * committee, transaction hashes in slot order and the signers' reports), read
 * from the store of the member that led it (`zkseq member --db`, or
 * `member-<i>.db` in a devnet's run directory): the latest round of that
 * number its leader collected a quorum of reports for. Opens the database
 * read-only, so it can run beside the member. A number this member never led
 * to a quorum is BatchNotFoundError; another file is WrongStoreError.
 *
 * @example
 * const json = exportBatchFile("run/member-2.db", 3n)
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
    if (!tables.has("proposals")) throw new WrongStoreError(dbPath, "not a zkseq member store (no proposals table)");
    const row = db
      .prepare(`SELECT state, batch FROM proposals WHERE batch_number = ? AND state IN ('signed', 'proven', 'finalized', 'withheld') ORDER BY round DESC LIMIT 1`)
      .get(u64Key(batchNumber)) as { state: string; batch: string } | undefined;
    if (!row) throw new BatchNotFoundError(batchNumber, `this member never led it to a quorum of reports (${dbPath}); export it from its leader's store`);
    // parse and re-serialise: a store that holds something else fails here, naming the field
    return batchFileToJSON(batchFileFromJSON(JSON.parse(row.batch)));
  } finally {
    db.close();
  }
}
