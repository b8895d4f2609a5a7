import type Database from 'better-sqlite3';
import { ConfigurationError } from '@nws/runtime';

/**
 * The formats of the SQLite files this release writes, kept in each file's `PRAGMA user_version`
 * (0: a file from a release before the marker). Raise one when a release writes what an earlier one
 * would misread or undo: a binary of that earlier release (from the one that introduced the marker
 * on) then refuses the file instead of writing it silently.
 */
export const SQLITE_FORMATS = {
  /** 1: the first marked (events, immutability triggers, AUTOINCREMENT positions). */
  eventStore: 1,
  /** 1: the first marked (subjects and their organs, erased subjects and lookups held after erasure, fingerprint keys with their scope). */
  keyStore: 1,
} as const;

/** A file written by a newer release than this one: exit 78, nothing written to it. */
export class FormatTooNewError extends ConfigurationError {
  override readonly name = 'FormatTooNewError';
  constructor(
    readonly file: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `${file} は新しいリリースが書いた形式 ${found} です（このリリースが扱えるのは形式 ${supported} まで）。このリリースを更新してください。ファイルには何も書いていません / ` +
        `${file} is in format ${found}, written by a newer release: upgrade this one (it supports format ${supported} at most); nothing was written to the file`,
    );
  }
}

/** The file's format as found; refused when newer than `supported`. */
export function assertFormatSupported(db: Database.Database, file: string, supported: number): number {
  const found = Number(db.pragma('user_version', { simple: true }));
  if (found > supported) throw new FormatTooNewError(file, found, supported);
  return found;
}

/** The same, on a connection just opened: closed when refused, so a refused file is left as found, not held open. */
export function assertFormatSupportedOrClose(db: Database.Database, file: string, supported: number): void {
  try {
    assertFormatSupported(db, file, supported);
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Refuses a file of a newer format before anything is written to it, and marks an older or
 * unmarked one (every file made before the marker, or a new one) with this release's format, in
 * place: the schema statements that follow bring what it holds up to it.
 */
export function claimFormat(db: Database.Database, file: string, supported: number): void {
  if (assertFormatSupported(db, file, supported) < supported) db.pragma(`user_version = ${Math.trunc(supported)}`);
}
