import { LruMap } from './lru-map';

describe('LruMap', () => {
  it('keeps at most its limit, dropping the least recently read or written entry', () => {
    // given a full map of three, where a was read after b and c were written
    const map = new LruMap<string, number>(3);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect(map.get('a')).toBe(1);

    // when a fourth comes, then b (the least recently used) goes
    map.set('d', 4);
    expect(map.size).toBe(3);
    expect([map.peek('a'), map.peek('b'), map.peek('c'), map.peek('d')]).toEqual([1, undefined, 3, 4]);

    // peek does not count as use: c was peeked, yet it goes before a re-written a
    map.set('a', 10);
    map.set('e', 5);
    expect([map.peek('a'), map.peek('c'), map.peek('d'), map.peek('e')]).toEqual([10, undefined, 4, 5]);
  });

  it('a limit of 0 keeps nothing; a limit that is not a whole number is refused', () => {
    const none = new LruMap<string, number>(0);
    none.set('a', 1);
    expect([none.size, none.get('a')]).toEqual([0, undefined]);
    expect(() => new LruMap(-1)).toThrow(RangeError);
    expect(() => new LruMap(1.5)).toThrow(/whole number/);
  });
});
