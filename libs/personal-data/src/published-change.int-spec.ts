import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ChainedEventStore, type RecordedEvent } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationPersonalData } from '@nws/workflows/connection-application/connection-application.personal-data';
import { EncryptingEventStore } from './encrypting-event-store';
import { PERSONAL_DATA_EVENTS, eraseSubject, finishErasure, setSubjectSuspension } from './personal-data-requests';
import { SqliteKeyStore } from './sqlite-key-store';

const applicant = { sub: 'yamada', org: '132012', role: 'applicant', name: '山田 花子' };
const form = {
  formCode: '02-02',
  form: { contactManager: { title: '部長', name: '佐藤 一郎' }, normalContacts: [{ priority: 1, department: '情報管理課', name: '田中 三郎', phone: '0426207200', email: 'renkei@example.jp' }], emergencyContacts: [] },
};
const by = { sub: 'yamada', org: '132012', role: 'applicant' };
const request = (subjectId: string) => ({ subjectId, requestedBy: by, legalBasis: 'appi-98-erasure' as const, reference: null, at: '2026-12-01T00:00:00.000Z' });

/**
 * Distribution's notice of a changed person (PublishedPersonalDataChanged) goes out only once the
 * key store holds the change: a consumer fetching at once must never be shown the person. A request
 * the key store refused midway (another connection holds it: a backup) records the request's
 * event, publishes nothing, and its retry — or the process finishing an erasure recorded
 * elsewhere — publishes the notice, once.
 */
describe('the published-change notice follows the key store, once', () => {
  let dir: string;
  let keys: SqliteKeyStore;
  let store: EncryptingEventStore;
  const trail = async () => {
    const out: RecordedEvent[] = [];
    for await (const event of store.readStream('personal-data-132012')) out.push(event);
    return out.map((e) => (e.type === PERSONAL_DATA_EVENTS.publishedChanged ? `${e.type}:${String(e.data['change'])}` : e.type));
  };
  /** Another connection holding the key file for writing (BEGIN IMMEDIATE: reads go on), for the length of `during`. */
  const whileHeld = async <T>(during: () => Promise<T>): Promise<T> => {
    const other = new Database(join(dir, 'keys.sqlite'));
    other.exec('BEGIN IMMEDIATE');
    try {
      return await during();
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nws-notice-'));
    keys = new SqliteKeyStore(join(dir, 'keys.sqlite'));
    store = new EncryptingEventStore(new ChainedEventStore(new SqliteEventStore({ filename: join(dir, 'events.sqlite') })), keys, [connectionApplicationPersonalData]);
    await store.append('application-a', [{ id: 'e1', type: 'FormSaved', data: form, metadata: { actor: applicant, occurredAt: '2026-11-20T00:00:00.000Z' } }], 'no_stream');
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given the key store held during an erasure, then the erasure is recorded but nothing is published; its retry destroys the key and publishes once; another retry publishes nothing more', async () => {
    const tanaka = (await keys.findSubject({ code: '132012' }, '田中三郎'))!;
    // Refused after its event was stored: not "nothing was recorded" (the 503 says the outcome is unknown).
    await expect(whileHeld(() => eraseSubject(store, keys, request(tanaka)))).rejects.toMatchObject({ outcomeUnknown: true });
    expect(await trail()).toEqual([PERSONAL_DATA_EVENTS.erased]);
    expect((await keys.subject(tanaka))!.erasedAt).toBeNull();

    expect((await eraseSubject(store, keys, request(tanaka))).alreadyErased).toBe(false);
    expect((await keys.subject(tanaka))!.erasedAt).not.toBeNull();
    expect(await eraseSubject(store, keys, request(tanaka))).toMatchObject({ alreadyErased: true });
    expect(await trail()).toEqual([PERSONAL_DATA_EVENTS.erased, `${PERSONAL_DATA_EVENTS.publishedChanged}:erased`]);
  });

  it('given an erasure recorded by a process that stopped before the key store, when another finishes it, then the key goes and the notice is published once', async () => {
    const tanaka = (await keys.findSubject({ code: '132012' }, '田中三郎'))!;
    await expect(whileHeld(() => eraseSubject(store, keys, request(tanaka)))).rejects.toThrow();
    const [erased] = (await (async () => {
      const out: RecordedEvent[] = [];
      for await (const event of store.readStream('personal-data-132012')) out.push(event);
      return out;
    })()) as [RecordedEvent];
    for (let i = 0; i < 2; i++) await finishErasure(store, keys, { eventId: erased.id, subjectId: tanaka, at: '2026-12-01T00:00:00.000Z' });
    expect((await keys.subject(tanaka))!.erasedAt).not.toBeNull();
    expect(await trail()).toEqual([PERSONAL_DATA_EVENTS.erased, `${PERSONAL_DATA_EVENTS.publishedChanged}:erased`]);
  });

  it('a suspension and its lifting each publish after the key store holds them; a retry finishes the recorded request rather than recording another', async () => {
    const tanaka = (await keys.findSubject({ code: '132012' }, '田中三郎'))!;
    const suspend = { ...request(tanaka), legalBasis: 'appi-98-suspension' as const };
    await expect(whileHeld(() => setSubjectSuspension(store, keys, suspend, true))).rejects.toMatchObject({ outcomeUnknown: true });
    expect(await trail()).toEqual([PERSONAL_DATA_EVENTS.suspended]);
    await setSubjectSuspension(store, keys, { ...suspend, at: '2026-12-02T00:00:00.000Z' }, true);
    // Suspended as of the request that was recorded, not its retry.
    expect((await keys.subject(tanaka))!.suspendedAt).toBe('2026-12-01T00:00:00.000Z');
    await setSubjectSuspension(store, keys, { ...request(tanaka), legalBasis: 'suspension-lifted' }, false);
    expect(await trail()).toEqual([
      PERSONAL_DATA_EVENTS.suspended,
      `${PERSONAL_DATA_EVENTS.publishedChanged}:suspended`,
      PERSONAL_DATA_EVENTS.resumed,
      `${PERSONAL_DATA_EVENTS.publishedChanged}:resumed`,
    ]);
  });

  it('given a suspension whose key store changed but whose notice was refused, when it is asked again, then the notice goes out (once), so distributed copies stop showing the person', async () => {
    const tanaka = (await keys.findSubject({ code: '132012' }, '田中三郎'))!;
    const suspend = { ...request(tanaka), legalBasis: 'appi-98-suspension' as const };
    const refusingNotices = Object.create(store, {
      append: {
        value: (streamId: string, events: Parameters<typeof store.append>[1], expected: Parameters<typeof store.append>[2]) =>
          events.some((e) => e.type === PERSONAL_DATA_EVENTS.publishedChanged) ? Promise.reject(new Error('store unavailable')) : store.append(streamId, events, expected),
      },
    }) as typeof store;
    await expect(setSubjectSuspension(refusingNotices, keys, suspend, true)).rejects.toMatchObject({ outcomeUnknown: true });
    expect((await keys.subject(tanaka))!.suspendedAt).not.toBeNull();
    expect(await trail()).toEqual([PERSONAL_DATA_EVENTS.suspended]);

    for (let i = 0; i < 2; i++) await setSubjectSuspension(store, keys, suspend, true);
    expect(await trail()).toEqual([PERSONAL_DATA_EVENTS.suspended, `${PERSONAL_DATA_EVENTS.publishedChanged}:suspended`]);
  });

  it('a person suspended already by a request never recorded here (nothing to finish) gets no event and no notice', async () => {
    const tanaka = (await keys.findSubject({ code: '132012' }, '田中三郎'))!;
    await keys.setSuspended(tanaka, '2026-11-30T00:00:00.000Z');
    await setSubjectSuspension(store, keys, { ...request(tanaka), legalBasis: 'appi-98-suspension' }, true);
    expect(await trail()).toEqual([]);
  });
});
