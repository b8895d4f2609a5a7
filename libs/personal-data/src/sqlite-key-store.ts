import Database from 'better-sqlite3';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { MAIN_THREAD_BUSY_TIMEOUT_MS, guardedWrite } from '@nws/event-store';
import { SQLITE_FORMATS, addMissingColumns, assertFormatSupportedOrClose, claimFormat, statement } from '@nws/event-store/sqlite';
import { organOrDefault } from '@nws/workflows/shared/organizations';
import { normaliseName, type ActiveSubject, type KeyState, type KeyStore, type SubjectBody, type SubjectRecord } from './key-store.port';
import { ERASED_LOOKUPS_SCHEMA, assertLookupNotHeld, holdErasedLookup } from './erased-lookups';

export const KEY_STORE_FILE = 'personal-data-keys.sqlite';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value BLOB NOT NULL);
  CREATE TABLE IF NOT EXISTS subjects (
    subject_id        TEXT PRIMARY KEY,
    organization_code TEXT NOT NULL,
    organization_kind TEXT,
    lookup            BLOB NOT NULL UNIQUE,
    label             TEXT NOT NULL,
    key               BLOB NOT NULL,
    created_at        TEXT NOT NULL,
    suspended_at      TEXT
  );
  CREATE INDEX IF NOT EXISTS subjects_org ON subjects (organization_code);
  CREATE TABLE IF NOT EXISTS erased_subjects (
    subject_id        TEXT PRIMARY KEY,
    organization_code TEXT NOT NULL,
    organization_kind TEXT,
    created_at        TEXT NOT NULL,
    erased_at         TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS request_fingerprint_keys (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL DEFAULT '',
    key        BLOB NOT NULL,
    created_at TEXT NOT NULL
  );
`;

/** The organ whose requests a fingerprint key signs: a code alone is its default organ. */
function fingerprintScope(code: string, organ: string | undefined): string {
  return `${code}\u0000${organOrDefault(code, organ)}`;
}

/** A fingerprint key is used for new fingerprints for a day, and kept to check retries for a week. */
const FINGERPRINT_KEY_USE_MS = 24 * 3600_000;
const FINGERPRINT_KEY_KEEP_MS = 7 * 24 * 3600_000;

/** What the active-subject cache keeps of a row: what subjectFor, findPerson and keyOf answer. */
interface ActiveRow {
  readonly subjectId: string;
  readonly key: Buffer;
  readonly suspended: boolean;
}

/** Active subjects cached at most; past it the cache starts again (it is only ever a shortcut). */
const ACTIVE_CACHE_LIMIT = 10_000;
/** The database header's file change counter: 4 bytes, big-endian, at offset 24 (sqlite.org/fileformat.html, 1.3.7). */
const CHANGE_COUNTER_OFFSET = 24;

/**
 * One descriptor per key file per process, only to read its change counter, shared by the stores
 * of this process that have the file open and closed with the last of them. Closing any
 * descriptor of a file drops every POSIX lock the process holds on it, SQLite's included (SQLite
 * defers closing its own for that reason): a descriptor closed while another store of this process
 * is inside a transaction would take its lock away.
 */
const counterFiles = new Map<string, { readonly fd: number; users: number }>();

function openCounter(filename: string): { readonly path: string; readonly fd: number } {
  const path = realpathSync(filename);
  const shared = counterFiles.get(path) ?? { fd: openSync(path, 'r'), users: 0 };
  shared.users += 1;
  counterFiles.set(path, shared);
  return { path, fd: shared.fd };
}

function closeCounter(path: string): void {
  const shared = counterFiles.get(path);
  if (!shared || --shared.users > 0) return;
  counterFiles.delete(path);
  closeSync(shared.fd);
}

interface SubjectRow {
  subject_id: string;
  organization_code: string;
  organization_kind: string | null;
  label: string;
  key: Buffer;
  created_at: string;
  suspended_at: string | null;
}

/**
 * The embedded key store: its own SQLite file (DATA_DIR/personal-data-keys.sqlite, mode 0600).
 *
 * Erasure must leave no byte of the key or the name in the file, so: `secure_delete` zeroes
 * deleted rows and freed pages, and the rollback journal (not WAL) holds old pages only until
 * the commit deletes it. Subjects are found by an HMAC of body and normalised name under a secret
 * of this file, so the index does not hold names in clear and dies with the row.
 *
 * A body is an organ of a code. Files from before organs were named keyed subjects by code alone
 * and hold no organ (`organization_kind` NULL): those subjects are the code's default organ's,
 * whose lookup is still the code's alone, so they are found again under it.
 */
export class SqliteKeyStore implements KeyStore {
  private readonly db: Database.Database;
  private readonly lookupSecret: Buffer;
  private readonly directory: string | undefined;
  /**
   * Active subjects as last read, by lookup and by subject id, valid while the file's change
   * counter is what it was when they were read (see `fresh`). Every append that holds personal
   * data looks its people up, and every answer that shows one: each lookup through SQLite cost
   * ~25–65 µs (taking and dropping the file's shared lock, looking for a hot journal, re-reading
   * the header), 8 % of an HTTP form save.
   */
  private readonly byLookup = new Map<string, ActiveRow>();
  private readonly byId = new Map<string, ActiveRow>();
  private cachedAt = -1;
  /** The descriptor the change counter is read through (see counterFiles); undefined for :memory: and once closed. */
  private counterFile: { readonly path: string; readonly fd: number } | undefined;
  private readonly counter = Buffer.alloc(4);

  constructor(
    filename: string,
    private readonly clock: () => string = () => new Date().toISOString(),
    /** The organ a code alone stands for (its head department; a code outside the list, an association). */
    private readonly defaultOrgan: (code: string) => string = (code) => organOrDefault(code, undefined),
  ) {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    this.directory = filename === ':memory:' ? undefined : dirname(filename);
    this.db = new Database(filename);
    assertFormatSupportedOrClose(this.db, filename, SQLITE_FORMATS.keyStore);
    if (filename !== ':memory:') chmodSync(filename, 0o600);
    this.db.pragma('journal_mode = DELETE');
    this.db.pragma('secure_delete = ON');
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`busy_timeout = ${MAIN_THREAD_BUSY_TIMEOUT_MS}`);
    this.db.exec(SCHEMA + ERASED_LOOKUPS_SCHEMA);
    // Files made before organs were named have no organ columns; their rows are the default organ's (NULL).
    for (const table of ['subjects', 'erased_subjects']) addMissingColumns(this.db, table, { organization_kind: 'TEXT' });
    // Files made while fingerprint keys were one for all organs: theirs are no organ's (never chosen again).
    addMissingColumns(this.db, 'request_fingerprint_keys', { scope: "TEXT NOT NULL DEFAULT ''" });
    claimFormat(this.db, filename, SQLITE_FORMATS.keyStore);
    this.db.prepare(`INSERT INTO settings (name, value) VALUES ('lookup-secret', ?) ON CONFLICT DO NOTHING`).run(randomBytes(32));
    this.lookupSecret = (this.db.prepare(`SELECT value FROM settings WHERE name = 'lookup-secret'`).get() as { value: Buffer }).value;
    this.counterFile = filename === ':memory:' ? undefined : openCounter(filename);
  }

  async subjectFor(body: SubjectBody, name: string, options: { readonly copy?: boolean } = {}): Promise<ActiveSubject> {
    const lookup = this.lookup(body, name);
    // Known subjects need no write transaction (nor a writable disk): it is on every append that
    // holds personal data.
    const known = this.activeByLookup(lookup);
    if (known) return { subjectId: known.subjectId, key: known.key };
    // A full or read-only disk refuses a new subject: the append that needed it is refused with it (503).
    return this.write(() => this.db.transaction(() => {
      const found = this.statement('SELECT subject_id, key FROM subjects WHERE lookup = ?').get(lookup) as Pick<SubjectRow, 'subject_id' | 'key'> | undefined;
      if (found) return { subjectId: found.subject_id, key: found.key };
      if (options.copy) assertLookupNotHeld(this.db, lookup, this.clock());
      const subjectId = `ps-${randomBytes(12).toString('base64url')}`;
      const key = randomBytes(32);
      this.statement('INSERT INTO subjects (subject_id, organization_code, organization_kind, lookup, label, key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(subjectId, body.code, this.organOf(body), lookup, name.trim(), key, this.clock());
      return { subjectId, key };
    }).immediate());
  }

  async findSubject(body: SubjectBody, name: string): Promise<string | undefined> {
    return (await this.findPerson(body, name))?.subjectId;
  }

  async findPerson(body: SubjectBody, name: string): Promise<{ subjectId: string; suspended: boolean } | undefined> {
    const row = this.activeByLookup(this.lookup(body, name));
    return row && { subjectId: row.subjectId, suspended: row.suspended };
  }

  async keyOf(subjectId: string): Promise<KeyState> {
    const row = this.activeById(subjectId);
    if (row) return { status: 'active', key: row.key, suspended: row.suspended };
    const erased = this.statement('SELECT erased_at FROM erased_subjects WHERE subject_id = ?').get(subjectId) as { erased_at: string } | undefined;
    return erased ? { status: 'erased', erasedAt: erased.erased_at } : { status: 'unknown' };
  }

  async subject(subjectId: string): Promise<SubjectRecord | undefined> {
    const row = this.statement('SELECT * FROM subjects WHERE subject_id = ?').get(subjectId) as SubjectRow | undefined;
    if (row) return this.toRecord(row);
    const erased = this.statement('SELECT * FROM erased_subjects WHERE subject_id = ?').get(subjectId) as ErasedRow | undefined;
    return erased ? this.toErasedRecord(erased) : undefined;
  }

  async subjects(filter: { organizationCode?: string; organizationKind?: string; includeErased?: boolean } = {}): Promise<SubjectRecord[]> {
    const where = filter.organizationCode === undefined ? '' : 'WHERE organization_code = ?';
    const params = filter.organizationCode === undefined ? [] : [filter.organizationCode];
    const active = (this.statement(`SELECT * FROM subjects ${where} ORDER BY created_at, subject_id`).all(...params) as SubjectRow[]).map((row) => this.toRecord(row));
    const erased = filter.includeErased ? (this.statement(`SELECT * FROM erased_subjects ${where} ORDER BY erased_at, subject_id`).all(...params) as ErasedRow[]).map((row) => this.toErasedRecord(row)) : [];
    // Rows without an organ are the default organ's (toRecord): filtered here, not in SQL.
    const all = [...active, ...erased];
    return filter.organizationKind === undefined ? all : all.filter((s) => s.organizationKind === filter.organizationKind);
  }

  async destroy(subjectId: string, at: string): Promise<boolean> {
    return this.write(() => this.db.transaction(() => {
      const row = this.statement('SELECT organization_code, organization_kind, created_at, lookup FROM subjects WHERE subject_id = ?').get(subjectId) as
        | (Pick<SubjectRow, 'organization_code' | 'organization_kind' | 'created_at'> & { lookup: Buffer })
        | undefined;
      if (!row) return false;
      holdErasedLookup(this.db, row.lookup, at, this.clock());
      this.statement('INSERT INTO erased_subjects (subject_id, organization_code, organization_kind, created_at, erased_at) VALUES (?, ?, ?, ?, ?)').run(
        subjectId,
        row.organization_code,
        row.organization_kind,
        row.created_at,
        at,
      );
      this.statement('DELETE FROM subjects WHERE subject_id = ?').run(subjectId);
      // The organ's request fingerprints become unverifiable: one made of the person's values would
      // otherwise confirm a guess of them (keyed-request-fingerprints.ts). Its requests only hold its
      // own people; other organs' keys stay.
      // Keys from before keys were per organ (scope '') signed every organ's requests: they go too.
      this.statement("DELETE FROM request_fingerprint_keys WHERE scope = ? OR scope = ''").run(fingerprintScope(row.organization_code, row.organization_kind ?? undefined));
      return true;
    }).immediate());
  }

  async fingerprintKey(body: SubjectBody): Promise<{ readonly id: string; readonly key: Buffer }> {
    const now = Date.parse(this.clock());
    const scope = fingerprintScope(body.code, body.organ);
    const current = () => {
      const row = this.statement('SELECT id, key, created_at FROM request_fingerprint_keys WHERE scope = ? ORDER BY created_at DESC LIMIT 1').get(scope) as { id: string; key: Buffer; created_at: string } | undefined;
      return row && now - Date.parse(row.created_at) < FINGERPRINT_KEY_USE_MS ? { id: row.id, key: row.key } : undefined;
    };
    return (
      current() ??
      this.write(() =>
        this.db
          .transaction(() => {
            const made = current();
            if (made) return made;
            const fresh = { id: randomUUID(), key: randomBytes(32) };
            this.statement('INSERT INTO request_fingerprint_keys (id, scope, key, created_at) VALUES (?, ?, ?, ?)').run(fresh.id, scope, fresh.key, new Date(now).toISOString());
            this.statement('DELETE FROM request_fingerprint_keys WHERE created_at < ?').run(new Date(now - FINGERPRINT_KEY_KEEP_MS).toISOString());
            return fresh;
          })
          .immediate(),
      )
    );
  }

  async fingerprintKeyOf(id: string): Promise<Buffer | undefined> {
    return (this.statement('SELECT key FROM request_fingerprint_keys WHERE id = ?').get(id) as { key: Buffer } | undefined)?.key;
  }

  async setSuspended(subjectId: string, at: string | null): Promise<void> {
    this.write(() => this.statement('UPDATE subjects SET suspended_at = ? WHERE subject_id = ?').run(at, subjectId));
  }

  /** Prepared once: preparing costs more than running these lookups, which every request does. */
  private statement(sql: string): Database.Statement {
    return statement(this.db, sql);
  }

  private write<T>(work: () => T): T {
    try {
      return guardedWrite(this.db, 'personal-data key store', this.directory, work);
    } finally {
      // Whatever it changed is read again; and an erasure (here, or another replica's that the
      // erasure watcher finishes here) leaves no copy of the key in this process.
      this.forget();
    }
  }

  private activeByLookup(lookup: Buffer): ActiveRow | undefined {
    const at = this.fresh();
    const cacheKey = lookup.toString('base64');
    const cached = this.byLookup.get(cacheKey);
    if (cached) return cached;
    const row = this.statement('SELECT subject_id, key, suspended_at FROM subjects WHERE lookup = ?').get(lookup) as Pick<SubjectRow, 'subject_id' | 'key' | 'suspended_at'> | undefined;
    return row && this.remember(at, cacheKey, row);
  }

  private activeById(subjectId: string): ActiveRow | undefined {
    const at = this.fresh();
    const cached = this.byId.get(subjectId);
    if (cached) return cached;
    const row = this.statement('SELECT subject_id, key, suspended_at, lookup FROM subjects WHERE subject_id = ?').get(subjectId) as
      | (Pick<SubjectRow, 'subject_id' | 'key' | 'suspended_at'> & { lookup: Buffer })
      | undefined;
    return row && this.remember(at, row.lookup.toString('base64'), row);
  }

  /**
   * Empties the cache if the file changed since it was filled, and says which version of the file
   * a row read now belongs to. SQLite increments the header's change counter on every commit in
   * rollback-journal mode (this file's mode), whichever connection or process made it, and checks
   * it itself to know whether its page cache still holds: a destroy() or a suspension through
   * another replica sharing the file (PERSONAL_DATA_KEY_FILE) is seen at the next lookup, as a
   * read through SQLite would see it. Read without the lock: a commit that lands after the read
   * was not yet visible to a locked read either, and one in progress only empties the cache.
   */
  private fresh(): number {
    // :memory: has no header and no other connection: only its own writes change it (forget()).
    let at = 0;
    if (this.counterFile !== undefined) {
      // Fewer than 4 bytes: no header to go by (never, once the file is open): cache nothing.
      at = readSync(this.counterFile.fd, this.counter, 0, 4, CHANGE_COUNTER_OFFSET) === 4 ? this.counter.readUInt32BE(0) : -1;
    }
    if (at !== this.cachedAt || at < 0 || this.byLookup.size >= ACTIVE_CACHE_LIMIT) {
      this.forget();
      this.cachedAt = at;
    }
    return at;
  }

  private forget(): void {
    this.byLookup.clear();
    this.byId.clear();
    this.cachedAt = -1;
  }

  /**
   * Caches a row read at version `at` of the file (the counter read before the row): a commit
   * between the two only makes the next lookup empty the cache and read again.
   */
  private remember(at: number, cacheKey: string, row: Pick<SubjectRow, 'subject_id' | 'key' | 'suspended_at'>): ActiveRow {
    const active: ActiveRow = { subjectId: row.subject_id, key: row.key, suspended: row.suspended_at !== null };
    if (at >= 0) {
      this.byLookup.set(cacheKey, active);
      this.byId.set(active.subjectId, active);
    }
    return active;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
    // Once: a descriptor number closed twice may by then be another file's.
    if (this.counterFile !== undefined) closeCounter(this.counterFile.path);
    this.counterFile = undefined;
    this.forget();
  }

  private organOf(body: SubjectBody): string {
    return body.organ ?? this.defaultOrgan(body.code);
  }

  /** HMAC of body and name. The default organ's is the code's alone, as every lookup was before organs were named. */
  private lookup(body: SubjectBody, name: string): Buffer {
    const normalised = normaliseName(name);
    if (!normalised) throw new Error('a data subject needs a non-empty name');
    const fallback = this.defaultOrgan(body.code);
    const organ = body.organ ?? fallback;
    const scope = organ === fallback ? body.code : `${body.code}\u0000${organ}`;
    return createHmac('sha256', this.lookupSecret).update(`${scope}\u0000${normalised}`).digest();
  }

  private toRecord(row: SubjectRow): SubjectRecord {
    return {
      subjectId: row.subject_id,
      organizationCode: row.organization_code,
      organizationKind: row.organization_kind ?? this.defaultOrgan(row.organization_code),
      label: row.label,
      createdAt: row.created_at,
      suspendedAt: row.suspended_at,
      erasedAt: null,
    };
  }

  private toErasedRecord(row: ErasedRow): SubjectRecord {
    return {
      subjectId: row.subject_id,
      organizationCode: row.organization_code,
      organizationKind: row.organization_kind ?? this.defaultOrgan(row.organization_code),
      label: null,
      createdAt: row.created_at,
      suspendedAt: null,
      erasedAt: row.erased_at,
    };
  }
}

interface ErasedRow {
  subject_id: string;
  organization_code: string;
  organization_kind: string | null;
  created_at: string;
  erased_at: string;
}
