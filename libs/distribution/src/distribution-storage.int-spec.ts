import type Database from 'better-sqlite3';
import fs, { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageUnavailableError } from '@nws/event-store';
import { ConfirmationWorker } from './distribution-confirmations';
import { DUE_DELIVERIES, SqliteDistributionStore } from './distribution-store.sqlite';
import type { DeliveryRecord, DeliveryStatus } from './distribution-store.port';

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

  it('refuses ledger writes with StorageUnavailableError and rolls the transaction back', async () => {
    connectionOf(store).pragma('query_only = ON');
    await expect(store.transaction(() => store.savePosition('c', { checkpoint: 1, cursor: 1 }))).rejects.toThrow(StorageUnavailableError);
    expect(connectionOf(store).inTransaction).toBe(false);
    connectionOf(store).pragma('query_only = OFF');
    await store.transaction(() => store.savePosition('c', { checkpoint: 1, cursor: 1 }));
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

describe('the distribution ledger’s commits', () => {
  let dir: string;
  let store: SqliteDistributionStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nws-ledger-commits-'));
    store = new SqliteDistributionStore(join(dir, 'distribution.sqlite'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const synchronous = () => connectionOf(store).pragma('synchronous', { simple: true });

  it('commits on the calling thread without waiting for the disk (synchronous=NORMAL); a durable transaction resolves only after the log is fdatasynced, a lease at once', async () => {
    const syncs = jest.spyOn(fs, 'fdatasync');
    try {
      expect(synchronous()).toBe(1);
      const durable = store.transaction(() => store.savePosition('c', { checkpoint: 1, cursor: 1 }));
      // Committed before the call returned: another reader on the same connection sees it.
      expect(store.position('c')).toEqual({ checkpoint: 1, cursor: 1 });
      expect(syncs).toHaveBeenCalledTimes(1);
      let resolved = false;
      void durable.then(() => (resolved = true));
      await Promise.resolve();
      expect(resolved).toBe(false);
      await durable;
      await store.transaction(() => store.savePosition('c', { checkpoint: 1, cursor: 2 }), 'lease');
      expect(syncs).toHaveBeenCalledTimes(1);
      await store.settle('nothing-owed', 'confirmed', 0);
      expect(syncs).toHaveBeenCalledTimes(2);
      expect(synchronous()).toBe(1);
      // The log the syncs were for is the ledger's own.
      expect(syncs.mock.calls.every(([fd]) => readlinkSync(`/proc/self/fd/${fd}`) === join(dir, 'distribution.sqlite-wal'))).toBe(true);
    } finally {
      syncs.mockRestore();
    }
  });

  it('a transaction that throws commits nothing, lease or durable', async () => {
    for (const durability of ['lease', 'durable'] as const) {
      await expect(
        store.transaction(() => {
          store.savePosition('c', { checkpoint: 1, cursor: 1 });
          throw new Error('refused');
        }, durability),
      ).rejects.toThrow('refused');
      expect(store.position('c')).toEqual({ checkpoint: 0, cursor: 0 });
    }
  });
});

describe('the distribution ledger’s due deliveries', () => {
  let store: SqliteDistributionStore;
  beforeEach(() => (store = new SqliteDistributionStore(':memory:')));
  afterEach(() => store.close());

  const record = (position: number, status: DeliveryStatus, lastDeliveredAt: number): DeliveryRecord => ({
    consumer: 'c',
    eventId: `e-${position}`,
    position,
    type: 'MasterDataVersionRegistered',
    applicationId: null,
    status,
    attempts: 1,
    firstDeliveredAt: lastDeliveredAt,
    lastDeliveredAt,
    ackedAt: status === 'acked' ? lastDeliveredAt : null,
    parkedAt: null,
    parkReason: null,
  });

  it('are the replayed records and the expired leases, by position, up to the limit; never acked, parked, leased or another consumer’s', async () => {
    await store.transaction(() => {
      for (const r of [record(1, 'acked', 0), record(2, 'parked', 0), record(3, 'delivered', 100), record(4, 'delivered', 900), record(5, 'pending', 950), record(7, 'pending', 0), record(8, 'delivered', 0)]) store.put(r);
      store.put({ ...record(6, 'pending', 0), consumer: 'other' });
    });
    // now 1000, ack timeout 500: leases delivered at or before 500 have expired
    expect(store.due('c', 1000, 500, 10).map((r) => [r.position, r.status])).toEqual([[3, 'delivered'], [5, 'pending'], [7, 'pending'], [8, 'delivered']]);
    expect(store.due('c', 1000, 500, 2).map((r) => r.position)).toEqual([3, 5]);
    expect(store.due('c', 1000, 100, 10).map((r) => r.position)).toEqual([3, 4, 5, 7, 8]);
  });

  it('are found through the (consumer, status, position) index, one range per status, merged in its order: never by walking every record of the consumer, never sorted again', () => {
    const plan = (connectionOf(store).prepare(`EXPLAIN QUERY PLAN ${DUE_DELIVERIES}`).all({ consumer: 'c', expiredAt: 0, limit: 10 }) as Array<{ detail: string }>).map((row) => row.detail);
    const searches = plan.filter((detail) => detail.includes('distribution_deliveries'));
    expect(searches).toEqual([
      expect.stringContaining('USING INDEX distribution_deliveries_status (consumer=? AND status=?)'),
      expect.stringContaining('USING INDEX distribution_deliveries_status (consumer=? AND status=?)'),
    ]);
    expect(plan.filter((detail) => detail.includes('TEMP B-TREE'))).toEqual([]);
  });
});
