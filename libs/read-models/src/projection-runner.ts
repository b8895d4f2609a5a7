import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { BehaviorSubject, filter, firstValueFrom, map, timeout, type Subscription } from 'rxjs';
import type { EventStore, RecordedEvent } from '@nws/event-store';
import type { Projection } from './projection';

export interface ProjectionRunnerOptions {
  readonly filename: string;
  /** Events applied per transaction at most while catching up. */
  readonly batchSize?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Hosts projections over one SQLite read-model database. One subscription feeds them all in
 * global order; each batch of events is applied in one transaction together with every
 * projection's checkpoint, so a crash never leaves a read model ahead of or behind its position.
 * Read models are rebuildable, so this database runs with synchronous=NORMAL.
 */
export class ProjectionRunner {
  readonly db: Database.Database;
  private subscription: Subscription | undefined;
  private buffer: RecordedEvent[] = [];
  private flushScheduled = false;
  private readonly applied$ = new BehaviorSubject<number>(0);
  private readonly checkpoints = new Map<string, number>();

  constructor(
    private readonly store: EventStore,
    private readonly projections: readonly Projection[],
    private readonly options: ProjectionRunnerOptions,
  ) {
    if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
    this.db = new Database(options.filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
    for (const projection of projections) {
      this.db.exec(projection.schema);
      this.db.prepare('INSERT INTO projection_checkpoints (name, position) VALUES (?, 0) ON CONFLICT DO NOTHING').run(projection.name);
    }
    this.loadCheckpoints();
  }

  /** Lowest checkpoint: every projection has applied every event up to here. */
  get position(): number {
    return Math.min(...this.projections.map((p) => this.checkpoints.get(p.name) ?? 0));
  }

  checkpoint(name: string): number {
    return this.checkpoints.get(name) ?? 0;
  }

  start(): void {
    if (this.subscription) return;
    this.applied$.next(this.position);
    this.subscription = this.store.subscribeToAll({ after: this.position }).subscribe({
      next: (event) => this.enqueue(event),
      error: (error: unknown) => this.options.onError?.(error),
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.flush();
  }

  close(): void {
    this.stop();
    this.applied$.complete();
    this.db.close();
  }

  /** Resolves once every projection has applied the events up to `position` (read-your-writes). */
  async waitFor(position: number, timeoutMs = 2000): Promise<boolean> {
    if (this.position >= position) return true;
    try {
      await firstValueFrom(this.applied$.pipe(filter((p) => p >= position), map(() => true), timeout(timeoutMs)));
      return true;
    } catch {
      return false;
    }
  }

  /** Drops the read models and rebuilds them from position zero; read models end identical. */
  async rebuild(names: readonly string[] = this.projections.map((p) => p.name)): Promise<{ events: number; seconds: number }> {
    const started = process.hrtime.bigint();
    const wasRunning = this.subscription !== undefined;
    this.stop();
    this.db.transaction(() => {
      for (const projection of this.projections.filter((p) => names.includes(p.name))) {
        for (const table of projection.tables) this.db.exec(`DELETE FROM ${table}`);
        this.db.prepare('UPDATE projection_checkpoints SET position = 0 WHERE name = ?').run(projection.name);
      }
    })();
    this.loadCheckpoints();
    let events = 0;
    let batch: RecordedEvent[] = [];
    for await (const event of this.store.readAll({ after: this.position })) {
      batch.push(event);
      events += 1;
      if (batch.length >= (this.options.batchSize ?? 1000)) {
        this.applyBatch(batch);
        batch = [];
      }
    }
    this.applyBatch(batch);
    if (wasRunning) this.start();
    return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  }

  private enqueue(event: RecordedEvent): void {
    this.buffer.push(event);
    if (this.buffer.length >= (this.options.batchSize ?? 1000)) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.buffer;
    this.buffer = [];
    try {
      this.applyBatch(batch);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private applyBatch(batch: readonly RecordedEvent[]): void {
    if (batch.length === 0 || !this.db.open) return;
    const setCheckpoint = this.db.prepare('UPDATE projection_checkpoints SET position = ? WHERE name = ?');
    this.db.transaction(() => {
      for (const projection of this.projections) {
        const from = this.checkpoints.get(projection.name) ?? 0;
        let last = from;
        for (const event of batch) {
          if (event.position <= last) continue;
          projection.apply(this.db, event);
          last = event.position;
        }
        if (last !== from) setCheckpoint.run(last, projection.name);
      }
    })();
    this.loadCheckpoints();
    this.applied$.next(this.position);
  }

  private loadCheckpoints(): void {
    for (const row of this.db.prepare('SELECT name, position FROM projection_checkpoints').all() as Array<{ name: string; position: number }>) {
      this.checkpoints.set(row.name, row.position);
    }
  }
}
