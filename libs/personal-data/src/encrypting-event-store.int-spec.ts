import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, take, toArray } from 'rxjs';
import { ChainedEventStore, verifyStreamChain, type EventToAppend, type RecordedEvent } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationPersonalData } from '@nws/workflows/connection-application/connection-application.personal-data';
import { organOrDefault } from '@nws/workflows/shared/organizations';
import { SqliteAccessLog } from './access-log';
import { EncryptingEventStore } from './encrypting-event-store';
import { PLACEHOLDER } from './personal-data.declaration';
import { eraseSubject, recordConnectionEnd } from './personal-data-requests';
import { eraseExpired } from './retention';
import { SqliteKeyStore } from './sqlite-key-store';

const applicant = { sub: 'yamada', org: '132012', role: 'applicant', name: '山田 花子' };
const contacts = {
  formCode: '02-02',
  form: {
    contactManager: { title: '部長', name: '佐藤 一郎' },
    normalContacts: [{ priority: 1, department: '情報管理課', name: '田中 三郎', phone: '0426207200', email: 'renkei@example.jp' }],
    emergencyContacts: [{ priority: 1, name: '田中　三郎', mobile: '09012345678', email: 'kinkyu@example.jp' }],
  },
};
const formSaved = (id: string): EventToAppend => ({ id, type: 'FormSaved', data: contacts, metadata: { actor: applicant, occurredAt: '2026-11-20T00:00:00.000Z' } });

const by = { sub: 'cli', org: 'MIC', role: 'system' };
const retention = { retentionDays: 1826, organOf: organOrDefault };

describe('EncryptingEventStore over the chained SQLite store', () => {
  let dir: string;
  let keys: SqliteKeyStore;
  let store: EncryptingEventStore;
  const read = async (stream: string, from = store as { readStream: EncryptingEventStore['readStream'] }) => {
    const out: RecordedEvent[] = [];
    for await (const event of from.readStream(stream)) out.push(event);
    return out;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nws-pd-'));
    keys = new SqliteKeyStore(join(dir, 'keys.sqlite'));
    store = new EncryptingEventStore(new ChainedEventStore(new SqliteEventStore({ filename: join(dir, 'events.sqlite') })), keys, [connectionApplicationPersonalData]);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores declared fields and the actor name as enc:v1 ciphertext, one subject per person, and reads them back in clear', async () => {
    await store.append('application-a', [formSaved('e1')], 'no_stream');
    const [stored] = await read('application-a', store.stored);
    const form = stored!.data['form'] as typeof contacts.form;
    expect(form.normalContacts[0]!.phone).toMatch(/^enc:v1:ps-[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
    expect(form.normalContacts[0]!.department).toBe('情報管理課');
    expect(String((stored!.metadata['actor'] as { name: string }).name)).toMatch(/^enc:v1:/);
    // 田中 三郎 (half-width space) and 田中　三郎 (full-width) are one person: one key.
    const keyId = (value: string) => value.split(':')[2];
    expect(keyId(form.emergencyContacts[0]!.mobile)).toBe(keyId(form.normalContacts[0]!.phone));
    expect(keyId(form.contactManager.name)).not.toBe(keyId(form.normalContacts[0]!.phone));
    const [clear] = await read('application-a');
    expect(clear!.data).toEqual(contacts);
    expect((clear!.metadata['actor'] as { name: string }).name).toBe('山田 花子');
  });

  it('readStream with asStored hands the events over as stored (ciphertext), for lookups of fields that are never personal', async () => {
    await store.append('application-a', [formSaved('e1')], 'no_stream');
    const asStored: RecordedEvent[] = [];
    for await (const event of store.readStream('application-a', { asStored: true })) asStored.push(event);
    expect(asStored).toEqual(await read('application-a', store.stored));
    expect((asStored[0]!.data['form'] as typeof contacts.form).normalContacts[0]!.phone).toMatch(/^enc:v1:/);
    expect(asStored[0]!.data['formCode']).toBe('02-02');
    expect((await read('application-a'))[0]!.data).toEqual(contacts);
  });

  it('a retried append stores the same bytes (deterministic IV), so the chain and idempotency hold', async () => {
    await store.append('application-a', [formSaved('e1')], 'no_stream');
    const first = JSON.stringify((await read('application-a', store.stored))[0]);
    await store.append('application-a', [formSaved('e1')], 'no_stream');
    const events = await read('application-a', store.stored);
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0])).toBe(first);
  });

  it('erasure: the key is destroyed, every read path shows ［消去済み］, other people stay, the chain verifies, no file holds the values', async () => {
    await store.append('application-a', [formSaved('e1'), formSaved('e2')], 'no_stream');
    const tanaka = (await keys.findSubject({ code: '132012' }, '田中三郎'))!;
    const result = await eraseSubject(store, keys, { subjectId: tanaka, requestedBy: { sub: 'yamada', org: '132012', role: 'applicant' }, legalBasis: 'appi-98-erasure', reference: null, at: '2026-12-01T00:00:00.000Z' });
    expect(result.alreadyErased).toBe(false);
    const [clear] = await read('application-a');
    const form = clear!.data['form'] as typeof contacts.form;
    expect(form.normalContacts[0]).toMatchObject({ name: PLACEHOLDER.erased, phone: PLACEHOLDER.erased, department: '情報管理課' });
    expect(form.contactManager.name).toBe('佐藤 一郎');
    const live = await firstValueFrom(store.subscribeToAll().pipe(take(3), toArray()));
    expect(JSON.stringify(live)).not.toContain('0426207200');
    const all: RecordedEvent[] = [];
    for await (const event of store.readAll()) all.push(event);
    expect(JSON.stringify(all)).toContain(PLACEHOLDER.erased);
    expect(verifyStreamChain(await read('application-a', store.stored)).broken).toBeUndefined();
    expect(await keys.keyOf(tanaka)).toMatchObject({ status: 'erased' });
    for (const file of ['keys.sqlite', 'events.sqlite', 'events.sqlite-wal']) {
      const bytes = readFileSync(join(dir, file));
      for (const value of ['田中', '0426207200', '09012345678', 'renkei@example.jp']) expect({ file, value, found: bytes.includes(Buffer.from(value)) }).toEqual({ file, value, found: false });
    }
  });

  it('a live subscription sees an erasure from the next commit on: a later event carrying the erased subject\'s ciphertext reads ［消去済み］', async () => {
    // given a live subscriber that has decrypted a person's values
    const received: RecordedEvent[] = [];
    const subscription = store.subscribeToAll().subscribe((event) => received.push(event));
    const until = async (n: number) => {
      while (received.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await store.append('application-a', [formSaved('e1')], 'no_stream');
    await until(1);
    expect((received[0]!.data['form'] as typeof contacts.form).normalContacts[0]!.phone).toBe('0426207200');
    // when the person is erased and a later event carries their old ciphertext (as stored, passed through)
    const [stored] = await read('application-a', { readStream: (stream: string) => store.readStream(stream, { asStored: true }) });
    await eraseSubject(store, keys, { subjectId: (await keys.findSubject({ code: '132012' }, '田中三郎'))!, requestedBy: by, legalBasis: 'appi-98-erasure', reference: null, at: '2026-12-01T00:00:00.000Z' });
    await store.append('application-b', [{ id: 'e2', type: 'FormSaved', data: stored!.data, metadata: stored!.metadata }], 'no_stream');
    // (the erasure, its notice, the later event)
    await until(4);
    subscription.unsubscribe();
    // then the subscriber got the placeholder, not the values its earlier decryption had the key for
    const later = received.find((e) => e.streamId === 'application-b')!;
    expect((later.data['form'] as typeof contacts.form).normalContacts[0]).toMatchObject({ name: PLACEHOLDER.erased, phone: PLACEHOLDER.erased });
  });

  it('a ciphertext moved to another subject or altered does not decrypt: it reads ［復号不可］', async () => {
    await store.append('application-a', [formSaved('e1')], 'no_stream');
    const [stored] = await read('application-a', store.stored);
    const form = stored!.data['form'] as typeof contacts.form;
    const other = form.contactManager.name.split(':')[2]!;
    const moved = form.normalContacts[0]!.phone.replace(/^enc:v1:[^:]+:/, `enc:v1:${other}:`);
    expect(await store.decryptDocument({ moved, broken: `${form.normalContacts[0]!.phone.slice(0, -2)}AA` })).toEqual({ moved: PLACEHOLDER.unreadable, broken: PLACEHOLDER.unreadable });
  });

  it('retention: subjects of a body whose connection ended longer ago than the period are erased, and reported', async () => {
    await store.append('application-a', [formSaved('e1')], 'no_stream');
    await recordConnectionEnd(store, { organizationCode: '132012', organizationKind: '市町村長部局', endedAt: '2020-03-31' }, by, '2020-04-01T00:00:00.000Z');
    expect((await eraseExpired(store, { ...retention, now: '2025-03-30T00:00:00.000Z' })).erased).toEqual([]);
    // Ended on 2020-03-31 (a day in Japan), kept 1,826 days: through 2025-03-31 in Japan, erased from 2025-04-01 00:00 JST.
    expect((await eraseExpired(store, { ...retention, now: '2025-03-31T23:59:59+09:00', dryRun: true })).erased).toEqual([]);
    expect((await eraseExpired(store, { ...retention, now: '2025-04-01T00:00:00+09:00', dryRun: true })).erased).toHaveLength(3);
    const dry = await eraseExpired(store, { ...retention, now: '2025-04-01T00:00:00.000Z', dryRun: true });
    expect(dry.erased).toHaveLength(3);
    expect((await keys.subjects({ organizationCode: '132012' })).length).toBe(3);
    const report = await eraseExpired(store, { ...retention, now: '2025-04-01T00:00:00.000Z' });
    expect(report.bodies).toEqual([{ organizationCode: '132012', organizationKind: '市町村長部局', connectionEndedAt: '2020-03-31', expiredAt: '2025-03-31T15:00:00.000Z' }]);
    expect(report.erased.map((e) => [e.alreadyErased, e.organizationKinds])).toEqual([[false, ['市町村長部局']], [false, ['市町村長部局']], [false, ['市町村長部局']]]);
    expect(await keys.subjects({ organizationCode: '132012' })).toEqual([]);
    expect(JSON.stringify(await read('application-a'))).not.toContain('佐藤');

    // The next runs find the organ still expired, with nobody left under its code: no full scan.
    const reads = jest.spyOn(store.stored, 'readAll');
    const again = await eraseExpired(store, { ...retention, now: '2025-04-02T00:00:00.000Z' });
    expect(again.bodies).toHaveLength(1);
    expect(again.erased).toEqual([]);
    expect(reads.mock.calls.filter(([options]) => options?.filter === undefined)).toEqual([]);
  });

  it('retention runs per organ: ending the board of education erases its people only, its 田中 三郎 but not the head department’s', async () => {
    // given 八王子市's head department (its token names no organ) and its board of education (132012 both) filing forms,
    // each with a 田中 三郎 among its contacts: two people, one of each organ
    const board = { ...applicant, sub: 'suzuki', name: '鈴木 次郎', organ: '市町村教育委員会' };
    const boardForm = {
      formCode: '02-02',
      form: { contactManager: { title: '課長', name: '高橋 四郎' }, normalContacts: [{ priority: 1, department: '学務課', name: '田中 三郎', phone: '0426207201', email: 'gakumu@example.jp' }], emergencyContacts: [] },
    };
    await store.append('application-a', [formSaved('e1')], 'no_stream');
    await store.append('application-b', [{ id: 'e2', type: 'FormSaved', data: boardForm, metadata: { actor: board, occurredAt: '2026-11-20T00:00:00.000Z' } }], 'no_stream');
    const subjectOf = async (name: string, organ?: string) => (await keys.findSubject({ code: '132012', organ }, name))!;
    const [sato, tanaka, yamada] = await Promise.all(['佐藤 一郎', '田中 三郎', '山田 花子'].map((name) => subjectOf(name)));
    const [boardTanaka, takahashi, suzuki] = await Promise.all(['田中 三郎', '高橋 四郎', '鈴木 次郎'].map((name) => subjectOf(name, '市町村教育委員会')));
    expect(new Set([sato, tanaka, yamada, boardTanaka, takahashi, suzuki]).size).toBe(6);
    expect(await keys.findSubject({ code: '132012' }, '高橋 四郎')).toBeUndefined();
    // and the head department registering a version after the board's connection ended: not the board's renewal
    await recordConnectionEnd(store, { organizationCode: '132012', organizationKind: '市町村教育委員会', endedAt: '2020-03-31' }, by, '2020-04-01T00:00:00.000Z');
    await store.append('master-data-132012', [{ id: 'v1', type: 'MasterDataVersionRegistered', data: { organizationCode: '132012', organizationKind: '市町村長部局', version: 1, content: {} }, metadata: { occurredAt: '2021-01-01T00:00:00.000Z' } }], 'no_stream');

    // when the board's period has passed
    const first = await eraseExpired(store, { ...retention, now: '2025-04-01T00:00:00.000Z' });

    // then only the board's own people are erased, its 田中 included; the head department's people, its 田中 included, stay
    expect(first.bodies.map((b) => b.organizationKind)).toEqual(['市町村教育委員会']);
    expect(first.erased.map((e) => e.subjectId).sort()).toEqual([suzuki, takahashi, boardTanaka].sort());
    expect(first.erased.every((e) => e.organizationKind === '市町村教育委員会' && e.organizationKinds.join() === '市町村教育委員会' && e.connectionEndedAt === '2020-03-31')).toBe(true);
    expect((await keys.subjects({ organizationCode: '132012' })).map((s) => s.subjectId).sort()).toEqual([sato, tanaka, yamada].sort());

    // when the head department's connection ends too and its period passes
    await recordConnectionEnd(store, { organizationCode: '132012', organizationKind: '市町村長部局', endedAt: '2022-03-31' }, by, '2022-04-01T00:00:00.000Z');
    expect((await eraseExpired(store, { ...retention, now: '2027-03-30T00:00:00.000Z' })).erased).toEqual([]);
    const second = await eraseExpired(store, { ...retention, now: '2027-04-01T00:00:00.000Z' });

    // then the rest goes, with the head department's end
    expect(second.erased.map((e) => e.subjectId).sort()).toEqual([sato, tanaka, yamada].sort());
    expect(second.erased.find((e) => e.subjectId === tanaka)).toMatchObject({ organizationKinds: ['市町村長部局'], connectionEndedAt: '2022-03-31' });
    expect(await keys.subjects({ organizationCode: '132012' })).toEqual([]);
  });

  it('retention: a version registered by the same organ after its end renews it; ends recorded before organs were named mean the default organ', async () => {
    await store.append('application-a', [formSaved('e1')], 'no_stream');
    await store.append('personal-data-132012', [{ id: 'old-end', type: 'ConnectionEnded', data: { organizationCode: '132012', endedAt: '2020-03-31' }, metadata: { occurredAt: '2020-04-01T00:00:00.000Z' } }], 'any');
    expect((await eraseExpired(store, { ...retention, now: '2025-04-01T00:00:00.000Z', dryRun: true })).bodies).toMatchObject([{ organizationKind: '市町村長部局' }]);
    await store.append('master-data-132012', [{ id: 'v1', type: 'MasterDataVersionRegistered', data: { organizationCode: '132012', version: 1, content: {} }, metadata: { occurredAt: '2021-01-01T00:00:00.000Z' } }], 'no_stream');
    const report = await eraseExpired(store, { ...retention, now: '2025-04-01T00:00:00.000Z' });
    expect(report.bodies).toEqual([]);
    expect(report.erased).toEqual([]);
    expect(await keys.subjects({ organizationCode: '132012' })).toHaveLength(3);
  });

  it('retention: the end is a day in Japan; a version registered earlier that day came before it, one registered the next day renews the connection', async () => {
    await store.append('application-a', [formSaved('e1')], 'no_stream');
    const register = (id: string, at: string) =>
      store.append('master-data-132012', [{ id, type: 'MasterDataVersionRegistered', data: { organizationCode: '132012', version: 1, content: {} }, metadata: { occurredAt: at } }], 'any');
    // 2020-03-31 10:00 in Japan, then the connection ends that day
    await register('v1', '2020-03-31T01:00:00.000Z');
    await recordConnectionEnd(store, { organizationCode: '132012', organizationKind: '市町村長部局', endedAt: '2020-03-31' }, by, '2020-03-31T06:00:00.000Z');
    expect((await eraseExpired(store, { ...retention, now: '2025-04-01T00:00:00.000Z', dryRun: true })).bodies).toMatchObject([{ connectionEndedAt: '2020-03-31' }]);
    // 2020-04-01 00:30 in Japan (still 03-31 in UTC): a new version the next day
    await register('v2', '2020-03-31T15:30:00.000Z');
    expect((await eraseExpired(store, { ...retention, now: '2025-04-01T00:00:00.000Z', dryRun: true })).bodies).toEqual([]);
  });

  it('a subscription catches up page by page in order, decrypted, then goes live without a gap or a repeat', async () => {
    // given 25 stored events and an adapter that reads 4 per page
    await store.close();
    const adapter = new SqliteEventStore({ filename: join(dir, 'paged.sqlite'), pageSize: 4 });
    let pages = 0;
    const readAll = adapter.readAll.bind(adapter);
    adapter.readAll = (options) => {
      const inner = readAll(options);
      return { [Symbol.asyncIterator]: () => {
        const iterator = inner[Symbol.asyncIterator]();
        let served = 0;
        return { next: () => { if (served++ % 4 === 0) pages += 1; return iterator.next(); } };
      } };
    };
    keys = new SqliteKeyStore(join(dir, 'keys2.sqlite'));
    store = new EncryptingEventStore(new ChainedEventStore(adapter), keys, [connectionApplicationPersonalData]);
    for (let i = 0; i < 25; i++) await store.append(`application-${i % 3}`, [formSaved(`p${i}`)], 'any');
    // when a subscriber takes the catch-up and one live event
    const received: RecordedEvent[] = [];
    let pagesAtFirst = -1;
    const done = new Promise<void>((resolve, reject) => {
      const subscription = store.subscribeToAll({ after: 2 }).subscribe({
        next: (event) => {
          if (received.length === 0) pagesAtFirst = pages;
          received.push(event);
          if (received.length === 23) void store.append('application-live', [formSaved('live')], 'no_stream');
          if (received.length === 24) {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    await done;
    // then nothing was read ahead of the subscriber: one page when the first event arrived, not all seven
    expect(pagesAtFirst).toBe(1);
    expect(received.map((e) => e.position)).toEqual(Array.from({ length: 24 }, (_, i) => i + 3));
    expect(received.at(-1)!.streamId).toBe('application-live');
    for (const event of received) expect((event.data['form'] as typeof contacts.form).normalContacts[0]!.phone).toBe('0426207200');
  });
});

describe('the access log', () => {
  it('is append-only: the database itself refuses UPDATE and DELETE', async () => {
    const log = new SqliteAccessLog(':memory:');
    await log.record([{ at: '2026-01-01T00:00:00Z', actor: { sub: 'a', org: 'MIC', role: 'auditor' }, purpose: 'audit', reference: null, method: 'GET', route: '/applications/:id', organizationCode: '132012', applicationId: 'x', subjectIds: ['ps-1'], fields: ['forms.02-02.data.normalContacts[0].phone'], requestId: null }]);
    const db = (log as unknown as { db: { exec(sql: string): void } }).db;
    expect(() => db.exec(`UPDATE personal_data_access SET purpose = 'review'`)).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM personal_data_access')).toThrow(/append-only/);
    expect(log.query({ subjectId: 'ps-1' })).toHaveLength(1);
    expect(log.query({ subjectId: 'ps-2' })).toHaveLength(0);
    log.close();
  });
});
