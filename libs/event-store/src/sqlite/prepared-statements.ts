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
