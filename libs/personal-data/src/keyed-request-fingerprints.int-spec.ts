import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashRequest } from '@nws/engine';
import { KeyedRequestFingerprints } from './keyed-request-fingerprints';
import { SqliteKeyStore } from './sqlite-key-store';

describe('request fingerprints keyed with keys an erasure destroys (real SQLite key file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nws-fingerprints-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const save = { formCode: '02-02', form: { emergencyContacts: [{ name: '田中 三郎', mobile: '09012345678' }] } };
  const guess = (mobile: string) => ({ formCode: '02-02', form: { emergencyContacts: [{ name: '田中 三郎', mobile }] } });

  it('given a fingerprint of a request holding a person, when the person is erased, then it no longer tells the request from a guess, and says so (undefined)', async () => {
    let now = '2026-12-07T10:00:00.000Z';
    const keys = new SqliteKeyStore(join(dir, 'keys.sqlite'), () => now);
    const fingerprints = new KeyedRequestFingerprints(keys);
    const stamped = await fingerprints.of('save-form', save);
    // Keyed: not the SHA-256 anyone holding the events can compute over a guess.
    expect(stamped.requestHash).not.toBe(hashRequest('save-form', save));
    expect(stamped.requestHashKey).toEqual(expect.any(String));
    const metadata = { requestHash: stamped.requestHash, requestHashKey: stamped.requestHashKey };
    expect(await fingerprints.matches(metadata, 'save-form', save)).toBe(true);
    expect(await fingerprints.matches(metadata, 'save-form', guess('09012345679'))).toBe(false);

    const { subjectId } = await keys.subjectFor({ code: '132012' }, '田中 三郎');
    expect(await keys.destroy(subjectId, now)).toBe(true);

    expect(await fingerprints.matches(metadata, 'save-form', save)).toBeUndefined();
    expect(await fingerprints.matches(metadata, 'save-form', guess('09012345679'))).toBeUndefined();
    // New requests get a new key.
    now = '2026-12-07T10:01:00.000Z';
    expect((await fingerprints.of('save-form', save)).requestHashKey).not.toBe(stamped.requestHashKey);
    await keys.close();
  });

  it('a key makes fingerprints for a day and checks them for a week; fingerprints stored unkeyed before are checked as they were', async () => {
    let now = '2026-12-01T00:00:00.000Z';
    const keys = new SqliteKeyStore(join(dir, 'rotation.sqlite'), () => now);
    const fingerprints = new KeyedRequestFingerprints(keys);
    const first = await fingerprints.of('submit', {});
    now = '2026-12-01T23:59:00.000Z';
    expect((await fingerprints.of('submit', {})).requestHashKey).toBe(first.requestHashKey);
    now = '2026-12-02T00:00:01.000Z';
    const second = await fingerprints.of('submit', {});
    expect(second.requestHashKey).not.toBe(first.requestHashKey);
    expect(await fingerprints.matches({ ...first }, 'submit', {})).toBe(true);
    now = '2026-12-08T12:00:00.000Z';
    await fingerprints.of('submit', {});
    expect(await fingerprints.matches({ ...first }, 'submit', {})).toBeUndefined();
    expect(await fingerprints.matches({ ...second }, 'submit', {})).toBe(true);
    expect(await fingerprints.matches({ requestHash: hashRequest('submit', {}) }, 'submit', {})).toBe(true);
    expect(await fingerprints.matches({ requestHash: hashRequest('submit', {}) }, 'withdraw', {})).toBe(false);
    await keys.close();
  });
});
