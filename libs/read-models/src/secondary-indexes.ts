import type Database from 'better-sqlite3';

export interface SavedIndex {
  readonly name: string;
  readonly sql: string;
}

/**
 * Drops the plain secondary indexes (`CREATE INDEX`, not UNIQUE: an `ON CONFLICT` may need those)
 * of `tables` and answers how to recreate them. A rebuild replays every event into emptied
 * tables; keeping, say, `applications (waiting_org, waiting_stage, updated_at)` current through
 * 500,000 random updates cost more than sorting it once at the end (~14 % of a 500,000-event
 * rebuild, docs/benchmarks.md). Projections look rows up by primary key while applying, never by
 * these indexes. If the process dies before `restoreIndexes`, the projections' schemas
 * (`CREATE INDEX IF NOT EXISTS`) recreate them when the runner opens the database again.
 */
export function dropSecondaryIndexes(db: Database.Database, tables: readonly string[]): SavedIndex[] {
  const saved: SavedIndex[] = [];
  for (const table of tables) {
    const indexes = db.prepare(`SELECT name, "unique" AS isUnique, origin FROM pragma_index_list(?)`).all(table) as Array<{ name: string; isUnique: number; origin: string }>;
    for (const index of indexes) {
      if (index.origin !== 'c' || index.isUnique !== 0) continue;
      const row = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`).get(index.name) as { sql: string | null } | undefined;
      if (!row?.sql) continue;
      saved.push({ name: index.name, sql: row.sql });
    }
  }
  for (const index of saved) db.exec(`DROP INDEX "${index.name.replaceAll('"', '""')}"`);
  return saved;
}

/** Recreates what `dropSecondaryIndexes` dropped (those that do not exist again already). */
export function restoreIndexes(db: Database.Database, saved: readonly SavedIndex[]): void {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?`);
  for (const index of saved) if (!exists.get(index.name)) db.exec(index.sql);
}
