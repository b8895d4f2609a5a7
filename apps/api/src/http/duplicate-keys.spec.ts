import fc from 'fast-check';
import { duplicateKeyPath } from './duplicate-keys';

const check = (text: string) => duplicateKeyPath(text, JSON.parse(text));

describe('duplicateKeyPath: a key named twice in one object, as a field path', () => {
  it('finds it at the top, in nested objects and in arrays, escaped or not', () => {
    expect(check('{"comment":"承認します","comment":""}')).toBe('comment');
    expect(check('{"organization":{"name":"八王子市","name":"立川市"}}')).toBe('organization.name');
    expect(check('{"normalContacts":[{"email":"a@x.jp"},{"email":"b@x.jp","email":"c@x.jp"}]}')).toBe('normalContacts[1].email');
    expect(check('{"a":1,"\\u0061":2}')).toBe('a');
    expect(check('[{"x":1},{"y":[{"z":1,"z":2}]}]')).toBe('[1].y[0].z');
  });

  it('finds none where keys repeat only across objects, or colons and quotes sit inside strings', () => {
    expect(check('{"a":{"name":1},"b":{"name":2}}')).toBeUndefined();
    expect(check('{"at":"2026-12-07T09:00:00+09:00","note":"a \\"quoted\\": b","url":"https://x.jp/a:b"}')).toBeUndefined();
    expect(check('[]')).toBeUndefined();
    expect(check('"text: with colon"')).toBeUndefined();
  });

  it('walks a body nested 100,000 deep without overflowing the stack (its depth is refused later, by name)', () => {
    const deep = `${'['.repeat(100_000)}{"a":1,"a":2}${']'.repeat(100_000)}`;
    expect(check(deep)).toMatch(/^…(\[0\])+\.a$/);
    expect(check(`${'{"x":'.repeat(50_000)}1${'}'.repeat(50_000)}`)).toBeUndefined();
  });

  it('agrees with a parse that keeps every pair, on generated bodies', () => {
    // A body built from pairs: it has a duplicate exactly when some object repeats a key.
    const pairs = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'a:b', 'é'), fc.oneof(fc.integer(), fc.string({ maxLength: 4 }))), { maxLength: 6 });
    fc.assert(
      fc.property(pairs, pairs, (outer, inner) => {
        const object = (entries: Array<[string, unknown]>) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
        const text = `{"outer":${object(outer)},"list":[${object(inner)}]}`;
        const repeats = (entries: Array<[string, unknown]>) => new Set(entries.map(([k]) => k)).size !== entries.length;
        expect(check(text) !== undefined).toBe(repeats(outer) || repeats(inner));
      }),
    );
  });
});
