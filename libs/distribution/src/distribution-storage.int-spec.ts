import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageUnavailableError } from '@nws/event-store';
import { ConfirmationWorker } from './distribution-confirmations';
import { SqliteDistributionStore } from './distribution-store.sqlite';

/** The ledger's own connection refuses writes (PRAGMA query_only → a real SQLITE_READONLY). */
const connectionOf = (store: SqliteDistributionStore) => (store as unknown as { db: Database.Database }).db;

describe('the distribution ledger on a disk that refuses writes', () => {
  let dir: string;
  let store: SqliteDistributionStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nws-ledger-disk-'));
    store = new SqliteDistributionStore(join(dir, 'distribution.sqlite'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses ledger writes with StorageUnavailableError and rolls the transaction back', () => {
    connectionOf(store).pragma('query_only = ON');
    expect(() => store.transaction(() => store.savePosition('c', { checkpoint: 1, cursor: 1 }))).toThrow(StorageUnavailableError);
    expect(connectionOf(store).inTransaction).toBe(false);
    connectionOf(store).pragma('query_only = OFF');
    store.transaction(() => store.savePosition('c', { checkpoint: 1, cursor: 1 }));
    expect(store.position('c')).toEqual({ checkpoint: 1, cursor: 1 });
  });

  it('the confirmation worker survives a ledger it cannot write (no unhandled rejection), keeps the confirmation owed, and settles it once the disk is back', async () => {
    store.owe('version-event-1', 'app-1', Date.now());
    connectionOf(store).pragma('query_only = ON');
    const errors: unknown[] = [];
    const confirmed: string[] = [];
    const worker = new ConfirmationWorker(
      store,
      async (applicationId) => {
        confirmed.push(applicationId);
        return { kind: 'confirmed', state: 'distributed' };
      },
      { onError: (error) => errors.push(error), retryMs: 20 },
    );
    worker.start();
    for (let i = 0; i < 100 && errors.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toBeInstanceOf(StorageUnavailableError);
    expect(store.countOwed()).toBe(1);

    connectionOf(store).pragma('query_only = OFF');
    for (let i = 0; i < 100 && store.countOwed() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(store.countOwed()).toBe(0);
    // Confirming is idempotent (the command id derives from the version event), so trying again is harmless.
    expect(new Set(confirmed)).toEqual(new Set(['app-1']));
    await worker.stop();
  });
});
