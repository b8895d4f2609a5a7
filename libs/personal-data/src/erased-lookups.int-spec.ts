import { SqliteKeyStore } from './sqlite-key-store';
import { PersonalDataErasedMeanwhileError } from './erased-meanwhile.error';
import { ERASED_LOOKUP_HOLD_MS } from './erased-lookups';

/**
 * A key for a person erased moments ago: what asks for it read them before the erasure (a reaction
 * carrying contacts over, an account issued to the holder), and a new key would bring them back.
 */
describe('the key store holds an erased person\u2019s lookup for a while', () => {
  let now = '2026-12-08T01:00:00.000Z';
  let keys: SqliteKeyStore;
  const body = { code: '132012' };
  beforeEach(() => {
    now = '2026-12-08T01:00:00.000Z';
    keys = new SqliteKeyStore(':memory:', () => now);
  });
  afterEach(() => keys.close());

  it('given a person erased, when a key is asked for them within the hold, then it is refused naming when they were erased, and nothing is created', async () => {
    const tanaka = await keys.subjectFor(body, '田中 三郎');
    await keys.destroy(tanaka.subjectId, now);
    now = new Date(Date.parse(now) + ERASED_LOOKUP_HOLD_MS - 1000).toISOString();
    const refused = await keys.subjectFor(body, '田中　三郎', { copy: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PersonalDataErasedMeanwhileError);
    expect((refused as PersonalDataErasedMeanwhileError).erasedAt).toBe('2026-12-08T01:00:00.000Z');
    expect((refused as PersonalDataErasedMeanwhileError).detail.ja).toContain('消去されました');
    expect(await keys.findSubject(body, '田中 三郎')).toBeUndefined();
  });

  it('given the hold run out, then a copy gets a new subject and key; typed in again (not a copy), the person gets one at once, and copies then find it', async () => {
    const tanaka = await keys.subjectFor(body, '田中 三郎');
    await keys.destroy(tanaka.subjectId, now);
    const typed = await keys.subjectFor(body, '田中 三郎');
    expect(typed.subjectId).not.toBe(tanaka.subjectId);
    expect((await keys.subjectFor(body, '田中 三郎', { copy: true })).subjectId).toBe(typed.subjectId);
    await keys.destroy(typed.subjectId, now);
    now = new Date(Date.parse(now) + ERASED_LOOKUP_HOLD_MS + 1000).toISOString();
    expect((await keys.subjectFor(body, '田中 三郎', { copy: true })).subjectId).not.toBe(typed.subjectId);
  });

  it('the hold is the erased person\u2019s only: another person of the body, or the same name in another body, is given a key', async () => {
    const tanaka = await keys.subjectFor(body, '田中 三郎');
    await keys.destroy(tanaka.subjectId, now);
    expect((await keys.subjectFor(body, '高橋 四郎', { copy: true })).subjectId).toMatch(/^ps-/);
    expect((await keys.subjectFor({ code: '132021' }, '田中 三郎', { copy: true })).subjectId).toMatch(/^ps-/);
  });

  it('given an erasure recorded long ago and finished only now (its key destroyed late), then the hold runs from now', async () => {
    const tanaka = await keys.subjectFor(body, '田中 三郎');
    await keys.destroy(tanaka.subjectId, new Date(Date.parse(now) - ERASED_LOOKUP_HOLD_MS - 60_000).toISOString());
    await expect(keys.subjectFor(body, '田中 三郎', { copy: true })).rejects.toBeInstanceOf(PersonalDataErasedMeanwhileError);
  });
});
