import type Database from 'better-sqlite3';

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * The statement for this SQL text on this connection, prepared once: compiling SQL on every call
 * dominated projection time and a read model's queries (8 % of the API's CPU under master-data
 * reads). Shared by every SQLite file the main thread reads (read models, key store).
 */
export function statement(db: Database.Database, sql: string): Database.Statement {
  let byText = cache.get(db);
  if (!byText) {
    byText = new Map();
    cache.set(db, byText);
  }
  let prepared = byText.get(sql);
  if (!prepared) {
    prepared = db.prepare(sql);
    byText.set(sql, prepared);
  }
  return prepared;
}

/**
 * Adds the columns a table lacks, for a file written by an earlier version (`CREATE TABLE IF NOT
 * EXISTS` leaves an old table as it was). Each column is added once, empty (NULL) in old rows:
 * what NULL means there is the caller's to say.
 */
export function addMissingColumns(db: Database.Database, table: string, columns: Readonly<Record<string, string>>): void {
  const present = new Set((db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as Array<{ name: string }>).map((c) => c.name));
  for (const [name, type] of Object.entries(columns)) if (!present.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
}
