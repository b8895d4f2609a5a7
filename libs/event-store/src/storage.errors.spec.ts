import { StorageUnavailableError, asStorageError, guardedWrite, storageCodePatterns, storageProblemOf } from './storage.errors';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('storage problems', () => {
  it.each([
    ['SQLITE_FULL', 'full'],
    ['ENOSPC', 'full'],
    ['SQLITE_READONLY_DBMOVED', 'read-only'],
    ['EROFS', 'read-only'],
    ['SQLITE_IOERR_FSYNC', 'io-error'],
    ['SQLITE_CANTOPEN', 'cannot-open'],
    ['SQLITE_BUSY', 'busy'],
    ['SQLITE_BUSY_SNAPSHOT', 'busy'],
    ['SQLITE_LOCKED', 'busy'],
    ['SQLITE_LOCKED_SHAREDCACHE', 'busy'],
  ])('%s is %s', (code, problem) => {
    expect(storageProblemOf(coded(code))).toBe(problem);
    // also when wrapped, as the decorators and the writer thread pass errors on
    expect(storageProblemOf(new Error('wrapped', { cause: coded(code) }))).toBe(problem);
  });

  it.each(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'ENOENT'])('%s is not a storage problem (a bug or a conflict: not retried as the disk’s)', (code) => {
    expect(storageProblemOf(coded(code))).toBeUndefined();
    expect(asStorageError(coded(code), 'x')).not.toBeInstanceOf(StorageUnavailableError);
  });

  it('a lock held elsewhere is not among the codes that fail a whole batch in the event store’s writer thread (it answers a lock it could not get itself)', () => {
    const patterns = storageCodePatterns().map((source) => new RegExp(source));
    expect(patterns.some((p) => p.test('SQLITE_FULL'))).toBe(true);
    expect(patterns.some((p) => p.test('SQLITE_BUSY'))).toBe(false);
    expect(patterns.some((p) => p.test('SQLITE_LOCKED'))).toBe(false);
  });

  it('guardedWrite turns a lock held past the busy timeout into `busy`, retry in 1 s, and rolls back what SQLite left open', () => {
    let open = false;
    const db = {
      open: true,
      get inTransaction() {
        return open;
      },
      exec: (sql: string) => {
        if (sql === 'ROLLBACK') open = false;
      },
    };
    let thrown: unknown;
    try {
      guardedWrite(db, 'distribution ledger', undefined, () => {
        open = true;
        throw coded('SQLITE_BUSY', 'database is locked');
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StorageUnavailableError);
    expect(thrown).toMatchObject({ problem: 'busy', retryAfterSeconds: 1 });
    expect((thrown as Error).message).toBe('distribution ledger: another process holds a lock on a file in the data directory (SQLITE_BUSY: database is locked)');
    expect(open).toBe(false);
  });
});
