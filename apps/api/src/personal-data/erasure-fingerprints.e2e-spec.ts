import Database from 'better-sqlite3';
import { join } from 'node:path';
import { hashRequest, type JsonObject } from '@nws/engine';
import { EVENTS_FILE } from '@nws/event-store/create-event-store';
import { KEY_STORE_FILE } from '@nws/personal-data';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { TANAKA, checkpointEvents } from './testing/personal-data.fixture';

/**
 * A request under an Idempotency-Key leaves its fingerprint on the events it made, beside the
 * ciphertext of the people in it. An unkeyed SHA-256 of the request outlived the erasure of
 * those people: hashing a guessed mobile number with the rest of the stored request confirmed it.
 * The fingerprint is keyed with a key the erasure destroys.
 */
describe('request fingerprints and erasure (real app, real files)', () => {
  let server: TestServer;
  let driver: Driver;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
  });
  afterAll(() => server.stop());

  it('a form saved under an Idempotency-Key carries a keyed fingerprint; retries are checked by it; after the erasure its key is gone and the key is refused as unverifiable (422), a new key saves', async () => {
    const id = await driver.draftWithForms('applicant');
    const form = await driver.formExample('02-02');
    const key = { 'idempotency-key': 'save-0202-tanaka' };
    const save = (body: unknown) => driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, body, key);
    expect((await save(form)).status).toBe(200);
    // the same key with another request is refused, the same request answered again
    const changed = structuredClone(form) as { emergencyContacts: Array<{ mobile: string }> };
    changed.emergencyContacts[0]!.mobile = '090-1234-5679';
    expect((await save(changed)).status).toBe(422);
    expect((await save(form)).status).toBe(200);

    // what the store holds: a fingerprint made with a key, not the SHA-256 of the request
    checkpointEvents(server.config.dataDir);
    const events = new Database(join(server.config.dataDir, EVENTS_FILE), { readonly: true });
    const stamped = (events.prepare("SELECT metadata FROM events WHERE type = 'FormSaved' AND metadata LIKE '%requestHash%'").all() as Array<{ metadata: string }>).map((row) => JSON.parse(row.metadata) as Record<string, unknown>);
    events.close();
    expect(stamped).toHaveLength(1);
    expect(stamped[0]).toMatchObject({ requestHash: expect.stringMatching(/^[0-9a-f]{64}$/), requestHashKey: expect.any(String) });
    const keyFile = () => new Database(join(server.config.dataDir, KEY_STORE_FILE), { readonly: true });
    const fingerprintKeys = () => {
      const db = keyFile();
      try {
        return (db.prepare('SELECT id FROM request_fingerprint_keys').all() as Array<{ id: string }>).map((row) => row.id);
      } finally {
        db.close();
      }
    };
    expect(fingerprintKeys()).toContain(stamped[0]!['requestHashKey']);
    // Whatever the command's payload is exactly, no unkeyed hash of the body sent is what was stored.
    for (const payload of [{ formCode: '02-02', form }, form] as JsonObject[]) expect(stamped[0]!['requestHash']).not.toBe(hashRequest('save-form', payload));

    // when the person is erased
    const subjects = await driver.as('applicant', 'GET', '/personal-data/subjects');
    const subjectId = subjects.body.subjects.find((s: { label: string }) => s.label === TANAKA.name).subjectId as string;
    expect((await driver.as('applicant', 'POST', `/personal-data/subjects/${subjectId}/erasure`, { legalBasis: 'appi-98-erasure' })).status).toBe(200);

    // then the key of that fingerprint is destroyed with theirs; the key can no longer be checked, so it
    // is refused (a different request under it is not answered with the first result and dropped)
    expect(fingerprintKeys()).not.toContain(stamped[0]!['requestHashKey']);
    const unverifiable = await save(changed);
    expect([unverifiable.status, unverifiable.body.code, unverifiable.body.applicationId, unverifiable.body.recordedRevision]).toEqual([422, 'IDEMPOTENCY_KEY_UNVERIFIABLE', id, expect.any(Number)]);
    expect(unverifiable.body.messages.en).toContain(`this key's request was recorded (application ${id}, up to revision ${unverifiable.body.recordedRevision})`);
    expect(unverifiable.body.messages.ja).toContain('このキーの要求は記録済みです');
    const anew = await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, changed, { 'idempotency-key': 'save-0202-tanaka-2' });
    expect(anew.status).toBe(200);
  });
});
