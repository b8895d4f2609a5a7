import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainedEventStore, type EventStore } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';

/** A chained SQLite store in a fresh directory (the layout the API uses: DATA_DIR/events.sqlite). */
export function tempStore(prefix = 'nws-audit-'): { dir: string; file: string; open: () => ChainedEventStore; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'events.sqlite');
  return { dir, file, open: () => new ChainedEventStore(new SqliteEventStore({ filename: file })), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface SeedOptions {
  readonly events: number;
  readonly streams?: number;
  readonly perAppend?: number;
  /** Size of each event's text payload in characters (Japanese, 3 bytes each in UTF-8). */
  readonly payloadChars?: number;
  readonly concurrency?: number;
}

/**
 * Fills a store quickly with realistic-looking application events: many streams appended in
 * parallel so the SQLite adapter group-commits them.
 */
export async function seedStore(store: EventStore, options: SeedOptions): Promise<void> {
  const streams = options.streams ?? Math.max(1, Math.ceil(options.events / 50));
  const perAppend = options.perAppend ?? 10;
  const payload = '申請内容'.repeat(Math.ceil((options.payloadChars ?? 200) / 4)).slice(0, options.payloadChars ?? 200);
  const perStream = Math.ceil(options.events / streams);
  let remaining = options.events;
  const work = Array.from({ length: streams }, (_, s) => s);
  const worker = async () => {
    for (let s = work.shift(); s !== undefined; s = work.shift()) {
      let revision = -1;
      for (let written = 0; written < perStream && remaining > 0; ) {
        const n = Math.min(perAppend, perStream - written, remaining);
        remaining -= n;
        const events = Array.from({ length: n }, (_, i) => ({
          id: randomUUID(),
          type: i % 2 === 0 ? 'FormSaved' : 'ApplicationSubmitted',
          data: { n: written + i, comment: `第${written + i}版, "引用", 改行\nあり`, text: payload },
          metadata: { occurredAt: new Date(Date.UTC(2026, 10, 20) + written + i).toISOString(), actor: { sub: `user-${s}`, org: '132012', role: 'applicant', name: '山田 花子' }, state: 'draft' },
        }));
        const result = await store.append(`application-seed-${s}`, events, revision < 0 ? 'no_stream' : revision);
        revision = result.nextExpectedRevision;
        written += n;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 32 }, worker));
}
