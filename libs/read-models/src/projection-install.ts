import type Database from 'better-sqlite3';
import type { ParkedProjectionEvents } from './parked-projection-events';
import type { Projection } from './projection';

/**
 * Creates a projection's tables and checkpoint. A read model built by another version of the
 * projection (its `version`; a database from before versions were recorded holds version 1) is
 * dropped — tables, parked events, checkpoint — and recreated empty from the current schema, so
 * the runner rebuilds it from position zero when it starts: a schema change is a version bump.
 */
export function installProjection(db: Database.Database, parking: ParkedProjectionEvents, projection: Projection): void {
  const wanted = projection.version ?? 1;
  db.transaction(() => {
    const recorded = db.prepare('SELECT version FROM projection_versions WHERE name = ?').get(projection.name) as { version: number } | undefined;
    const checkpoint = db.prepare('SELECT position FROM projection_checkpoints WHERE name = ?').get(projection.name) as { position: number } | undefined;
    const built = recorded?.version ?? (checkpoint ? 1 : undefined);
    if (built !== undefined && built !== wanted) {
      for (const table of projection.tables) db.exec(`DROP TABLE IF EXISTS ${table}`);
      parking.removeAll(projection.name);
      db.prepare('DELETE FROM projection_checkpoints WHERE name = ?').run(projection.name);
    }
    db.exec(projection.schema);
    db.prepare('INSERT INTO projection_checkpoints (name, position) VALUES (?, 0) ON CONFLICT DO NOTHING').run(projection.name);
    db.prepare('INSERT INTO projection_versions (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version').run(projection.name, wanted);
  })();
}
