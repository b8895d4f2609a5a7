import { withValueAt } from './json-path';

describe('withValueAt', () => {
  it('replaces one value in a copy of the path only: the original is untouched and everything else is shared', () => {
    // given a document with a list of contacts and a sibling branch
    const doc = { data: { contacts: [{ name: '田中', phone: '0426207200' }, { name: '高橋' }], other: { n: 1 } }, metadata: { actor: { name: '山田' } } };
    const before = structuredClone(doc);
    // when one contact's phone is replaced
    const out = withValueAt(doc, ['data', 'contacts', 0, 'phone'], 'enc:v1:x');
    // then the copy has it, the original does not, and untouched branches are the same objects
    expect(out.data.contacts[0]).toEqual({ name: '田中', phone: 'enc:v1:x' });
    expect(doc).toEqual(before);
    expect(Array.isArray(out.data.contacts)).toBe(true);
    expect(out.data.contacts[1]).toBe(doc.data.contacts[1]);
    expect(out.data.other).toBe(doc.data.other);
    expect(out.metadata).toBe(doc.metadata);
    expect(out).not.toBe(doc);
  });

  it('a path through something that is not there changes nothing', () => {
    const doc = { data: { contacts: [] as unknown[] } };
    expect(withValueAt(doc, ['data', 'missing', 'phone'], 'x')).toBe(doc);
    expect(withValueAt(doc, ['data', 'contacts', 3, 'phone'], 'x')).toBe(doc);
  });
});
