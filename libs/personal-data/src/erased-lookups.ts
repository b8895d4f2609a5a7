import type Database from 'better-sqlite3';
import { statement } from '@nws/event-store/sqlite';
import { PersonalDataErasedMeanwhileError } from './erased-meanwhile.error';

/**
 * How long the key store remembers that a person's lookup was erased. A command or a reaction that
 * read the person in clear before the erasure and copies them after it (PersonalValueRef.copied)
 * asks for a key for them: none is active, and a new one would bring them back. While the lookup is
 * held that is refused. A copy of values read after the erasure holds ［消去済み］, asking for no key,
 * and one of a person typed in again finds the new key their form was given: so within the hold a
 * copy that needs a new key can only be of values read before the erasure. The hold outlasts any
 * command or reaction run (a command gives up on the store after ~20 s). Held no longer than that:
 * the lookup (an HMAC of body and name under this file's secret) is the one thing that still ties
 * the file to the erased person.
 */
export const ERASED_LOOKUP_HOLD_MS = 10 * 60_000;

export const ERASED_LOOKUPS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS erased_lookups (
    lookup    BLOB PRIMARY KEY,
    erased_at TEXT NOT NULL
  );
`;

/**
 * Remembers an erased subject's lookup, in the erasure's transaction. Held from when the key is
 * destroyed (`now`), not from the erasure's recorded time: one finished late (the key store was
 * busy, or the erasure was recorded by a process that stopped) would otherwise be held too briefly.
 */
export function holdErasedLookup(db: Database.Database, lookup: Buffer, erasedAt: string, now: string): void {
  const from = erasedAt > now ? erasedAt : now;
  statement(db, 'INSERT INTO erased_lookups (lookup, erased_at) VALUES (?, ?) ON CONFLICT (lookup) DO UPDATE SET erased_at = excluded.erased_at').run(lookup, from);
}

/**
 * Before a new subject is made for `lookup` to copy values into (in that write transaction): forgets
 * holds that ran out, and refuses one still held.
 */
export function assertLookupNotHeld(db: Database.Database, lookup: Buffer, now: string): void {
  const cutoff = new Date(Date.parse(now) - ERASED_LOOKUP_HOLD_MS).toISOString();
  statement(db, 'DELETE FROM erased_lookups WHERE erased_at <= ?').run(cutoff);
  const held = statement(db, 'SELECT erased_at FROM erased_lookups WHERE lookup = ?').get(lookup) as { erased_at: string } | undefined;
  if (held) throw new PersonalDataErasedMeanwhileError(held.erased_at);
}
