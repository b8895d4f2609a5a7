import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainedEventStore, type RecordedEvent } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationPersonalData } from '@nws/workflows/connection-application/connection-application.personal-data';
import { EncryptingEventStore } from './encrypting-event-store';
import { publishOwedNotices } from './owed-notices';
import { PERSONAL_DATA_EVENTS } from './personal-data-requests';
import { SqliteKeyStore } from './sqlite-key-store';

const actor = { sub: 'yamada', org: '132012', role: 'applicant', name: '山田 花子' };
const form = {
  formCode: '02-02',
  form: {
    contactManager: { title: '部長', name: '佐藤 一郎' },
    normalContacts: [
      { priority: 1, department: '情報管理課', name: '田中 三郎', phone: '0426207200', email: 'renkei@example.jp' },
      { priority: 2, department: '情報管理課', name: '鈴木 次郎', phone: '0426207201', email: 'suzuki@example.jp' },
    ],
    emergencyContacts: [],
  },
};

/**
 * The notices older releases never wrote (they published the requests themselves): owed by every
 * request the key store holds, once, whoever runs the catch-up and however often.
 */
describe('notices owed by requests an older release recorded', () => {
  let dir: string;
  let keys: SqliteKeyStore;
  let store: EncryptingEventStore;
  const oldRequest = async (type: string, subjectId: string, at: string) => {
    const requestedBy = { sub: 'yamada', org: '132012', role: 'applicant' };
    const data = { subjectId, organizationCode: '132012', organizationKind: '市町村長部局', requestedBy, legalBasis: 'appi-98-erasure', reference: null, at };
    await store.append('personal-data-132012', [{ id: randomUUID(), type, data, metadata: { actor: requestedBy, occurredAt: at, correlationId: subjectId } }], 'any');
  };
  const notices = async () => {
    const out: RecordedEvent[] = [];
    for await (const event of store.readStream('personal-data-132012')) if (event.type === PERSONAL_DATA_EVENTS.publishedChanged) out.push(event);
    return out.map((e) => `${String(e.data['change'])}<-${String(e.metadata['causationId']).slice(0, 8)}`);
  };
  const idOf = async (type: string) => {
    for await (const event of store.readStream('personal-data-132012')) if (event.type === type) return event.id.slice(0, 8);
    return '';
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nws-owed-'));
    keys = new SqliteKeyStore(join(dir, 'keys.sqlite'));
    store = new EncryptingEventStore(new ChainedEventStore(new SqliteEventStore({ filename: join(dir, 'events.sqlite') })), keys, [connectionApplicationPersonalData]);
    await store.append('application-a', [{ id: 'e1', type: 'FormSaved', data: form, metadata: { actor, occurredAt: '2026-11-20T00:00:00.000Z' } }], 'no_stream');
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given an old erasure (key kept: the old process stopped) and an old suspension later lifted, then the erasure is finished and announced, the lifting announced, the superseded suspension not; a second run appends nothing', async () => {
    const tanaka = (await keys.findSubject({ code: '132012' }, '田中三郎'))!;
    const suzuki = (await keys.findSubject({ code: '132012' }, '鈴木次郎'))!;
    await oldRequest(PERSONAL_DATA_EVENTS.suspended, suzuki, '2026-11-21T00:00:00.000Z');
    await oldRequest(PERSONAL_DATA_EVENTS.erased, tanaka, '2026-11-22T00:00:00.000Z');
    await oldRequest(PERSONAL_DATA_EVENTS.resumed, suzuki, '2026-11-23T00:00:00.000Z');

    const first = await publishOwedNotices(store, keys, { after: 0, upTo: await store.headPosition() });
    expect(first).toMatchObject({ owed: 2, published: 2, notHeld: 0, unknownSubjects: 0 });
    expect((await keys.subject(tanaka))!.erasedAt).not.toBeNull();
    expect(await notices()).toEqual([`erased<-${await idOf(PERSONAL_DATA_EVENTS.erased)}`, `resumed<-${await idOf(PERSONAL_DATA_EVENTS.resumed)}`]);

    expect(await publishOwedNotices(store, keys, { after: 0, upTo: await store.headPosition() })).toMatchObject({ owed: 0, published: 0 });
    expect(await notices()).toHaveLength(2);
  });

  it('given a suspension the key store does not hold (its request stopped midway), then nothing is announced and the next catch-up starts before it', async () => {
    const suzuki = (await keys.findSubject({ code: '132012' }, '鈴木次郎'))!;
    await oldRequest(PERSONAL_DATA_EVENTS.suspended, suzuki, '2026-11-21T00:00:00.000Z');
    const head = await store.headPosition();
    expect(await publishOwedNotices(store, keys, { after: 0, upTo: head })).toEqual({ owed: 1, published: 0, notHeld: 1, unknownSubjects: 0, resumeAfter: head - 1 });
    expect(await notices()).toEqual([]);

    await keys.setSuspended(suzuki, '2026-11-21T00:00:00.000Z');
    expect(await publishOwedNotices(store, keys, { after: head - 1, upTo: head })).toMatchObject({ owed: 1, published: 1, resumeAfter: head });
    expect(await notices()).toEqual([`suspended<-${await idOf(PERSONAL_DATA_EVENTS.suspended)}`]);
  });
});
