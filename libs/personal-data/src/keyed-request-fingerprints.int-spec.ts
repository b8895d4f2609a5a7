import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashRequest, type Actor } from '@nws/engine';
import { KeyedRequestFingerprints } from './keyed-request-fingerprints';
import { SqliteKeyStore } from './sqlite-key-store';

describe('request fingerprints keyed per organ with keys an erasure destroys (real SQLite key file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nws-fingerprints-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const hachioji: Actor = { sub: 'yamada', org: '132012', role: 'applicant' };
  const yokohama: Actor = { sub: 'sato', org: '141003', role: 'applicant' };
  const save = { formCode: '02-02', form: { emergencyContacts: [{ name: '田中 三郎', mobile: '09012345678' }] } };
  const guess = (mobile: string) => ({ formCode: '02-02', form: { emergencyContacts: [{ name: '田中 三郎', mobile }] } });

  it("given a fingerprint of a request holding a person, when the person is erased, then it no longer tells the request from a guess (undefined); another organ's fingerprints are not touched", async () => {
    let now = '2026-12-07T10:00:00.000Z';
    const keys = new SqliteKeyStore(join(dir, 'keys.sqlite'), () => now);
    const fingerprints = new KeyedRequestFingerprints(keys);
    const stamped = await fingerprints.of('save-form', save, hachioji);
    const elsewhere = await fingerprints.of('save-form', save, yokohama);
    // Keyed: not the SHA-256 anyone holding the events can compute over a guess; one key per organ.
    expect(stamped.requestHash).not.toBe(hashRequest('save-form', save));
    expect(stamped.requestHashKey).toEqual(expect.any(String));
    expect(elsewhere.requestHashKey).not.toBe(stamped.requestHashKey);
    expect(await fingerprints.matches({ ...stamped }, 'save-form', save)).toBe(true);
    expect(await fingerprints.matches({ ...stamped }, 'save-form', guess('09012345679'))).toBe(false);

    const { subjectId } = await keys.subjectFor({ code: '132012' }, '田中 三郎');
    expect(await keys.destroy(subjectId, now)).toBe(true);

    expect(await fingerprints.matches({ ...stamped }, 'save-form', save)).toBeUndefined();
    expect(await fingerprints.matches({ ...stamped }, 'save-form', guess('09012345679'))).toBeUndefined();
    expect(await fingerprints.matches({ ...elsewhere }, 'save-form', save)).toBe(true);
    // New requests of the organ get a new key.
    now = '2026-12-07T10:01:00.000Z';
    expect((await fingerprints.of('save-form', save, hachioji)).requestHashKey).not.toBe(stamped.requestHashKey);
    await keys.close();
  });

  it("a key makes an organ's fingerprints for a day and checks them for a week; the engine's own commands and fingerprints stored unkeyed before are checked unkeyed", async () => {
    let now = '2026-12-01T00:00:00.000Z';
    const keys = new SqliteKeyStore(join(dir, 'rotation.sqlite'), () => now);
    const fingerprints = new KeyedRequestFingerprints(keys);
    const first = await fingerprints.of('submit', {}, hachioji);
    now = '2026-12-01T23:59:00.000Z';
    expect((await fingerprints.of('submit', {}, hachioji)).requestHashKey).toBe(first.requestHashKey);
    now = '2026-12-02T00:00:01.000Z';
    const second = await fingerprints.of('submit', {}, hachioji);
    expect(second.requestHashKey).not.toBe(first.requestHashKey);
    expect(await fingerprints.matches({ ...first }, 'submit', {})).toBe(true);
    now = '2026-12-08T12:00:00.000Z';
    await fingerprints.of('submit', {}, hachioji);
    expect(await fingerprints.matches({ ...first }, 'submit', {})).toBeUndefined();
    expect(await fingerprints.matches({ ...second }, 'submit', {})).toBe(true);
    const system: Actor = { sub: 'system', org: 'MIC', role: 'system' as Actor['role'] };
    expect(await fingerprints.of('register-master-data', { version: 1 }, system)).toEqual({ requestHash: hashRequest('register-master-data', { version: 1 }) });
    expect(await fingerprints.matches({ requestHash: hashRequest('submit', {}) }, 'submit', {})).toBe(true);
    expect(await fingerprints.matches({ requestHash: hashRequest('submit', {}) }, 'withdraw', {})).toBe(false);
    await keys.close();
  });

  it("keys from before keys were per organ (one for every organ) are destroyed by any erasure, as they signed every organ's requests", async () => {
    // given a key file whose fingerprint keys table predates organs, holding one key
    const file = join(dir, 'legacy.sqlite');
    const legacy = new Database(file);
    legacy.exec("CREATE TABLE request_fingerprint_keys (id TEXT PRIMARY KEY, key BLOB NOT NULL, created_at TEXT NOT NULL); INSERT INTO request_fingerprint_keys VALUES ('legacy-1', x'00', '2026-12-07T09:00:00.000Z')");
    legacy.close();
    const keys = new SqliteKeyStore(file, () => '2026-12-07T10:00:00.000Z');
    expect(await keys.fingerprintKeyOf('legacy-1')).toBeDefined();
    // when a person of one organ is erased, then the legacy key is gone with that organ's
    const { subjectId } = await keys.subjectFor({ code: '132012' }, '田中 三郎');
    await keys.destroy(subjectId, '2026-12-07T10:00:00.000Z');
    expect(await keys.fingerprintKeyOf('legacy-1')).toBeUndefined();
    await keys.close();
  });
});
