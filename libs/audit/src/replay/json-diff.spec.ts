import { childPath, diffJson } from './json-diff';

describe('diffJson: field by field, only what differs', () => {
  const before = {
    contactManager: { title: '情報政策担当部長', name: '佐藤 一郎' },
    normalContacts: [
      { priority: 1, name: '田中 三郎', phone: '042-620-7200' },
      { priority: 2, name: '高橋 四郎', phone: '042-620-7201' },
    ],
    emergencyContacts: [{ priority: 1, mobile: '090-1234-5678' }],
    note: 'x',
  };

  it('reports exactly the changed leaves, the added and the removed subtrees, with before and after', () => {
    const after = {
      contactManager: { title: '情報政策担当部長', name: '佐藤 一郎' },
      normalContacts: [{ priority: 1, name: '田中 三郎', phone: '042-620-7300' }],
      emergencyContacts: [
        { priority: 1, mobile: '090-1234-5678' },
        { priority: 2, mobile: '080-0000-0000' },
      ],
      remarks: '夜間は携帯へ',
    };
    expect(diffJson(before, after)).toEqual([
      { path: 'normalContacts[0].phone', kind: 'changed', before: '042-620-7200', after: '042-620-7300' },
      { path: 'normalContacts[1]', kind: 'removed', before: { priority: 2, name: '高橋 四郎', phone: '042-620-7201' } },
      { path: 'emergencyContacts[1]', kind: 'added', after: { priority: 2, mobile: '080-0000-0000' } },
      { path: 'note', kind: 'removed', before: 'x' },
      { path: 'remarks', kind: 'added', after: '夜間は携帯へ' },
    ]);
  });

  it('finds nothing in equal documents whatever the key order, and a type change is one change', () => {
    expect(diffJson(before, JSON.parse(JSON.stringify({ ...before, note: 'x' })))).toEqual([]);
    expect(diffJson({ a: { b: 1 } }, { a: [1] })).toEqual([{ path: 'a', kind: 'changed', before: { b: 1 }, after: [1] }]);
    expect(diffJson({ a: null }, { a: 0 })).toEqual([{ path: 'a', kind: 'changed', before: null, after: 0 }]);
    expect(diffJson(undefined, { a: 1 })).toEqual([{ path: '', kind: 'added', after: { a: 1 } }]);
  });

  it('writes paths the way validation errors name fields; other keys are quoted', () => {
    expect(childPath('', 'contacts')).toBe('contacts');
    expect(childPath('contacts', 0)).toBe('contacts[0]');
    expect(childPath('contacts[0]', 'phone')).toBe('contacts[0].phone');
    expect(childPath('form', '機関名')).toBe('form["機関名"]');
    expect(childPath('', 'a.b')).toBe('["a.b"]');
  });
});
