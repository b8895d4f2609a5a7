import { rowPages } from './row-pages.iterator';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe('rowPages', () => {
  it('reads nothing until the first next(), then one page at a time as the consumer gets there', async () => {
    const pages = [[1, 2], [3, 4], [5]];
    let reads = 0;
    const iterable = rowPages(() => {
      reads += 1;
      return pages.shift();
    }, (n: number) => n * 10);
    expect(reads).toBe(0);
    const iterator = iterable[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 10 });
    expect(reads).toBe(1);
    expect(await iterator.next()).toEqual({ done: false, value: 20 });
    expect(reads).toBe(1);
    expect(await iterator.next()).toEqual({ done: false, value: 30 });
    expect(reads).toBe(2);
    expect(await collect({ [Symbol.asyncIterator]: () => iterator })).toEqual([40, 50]);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('with turnBetweenPages, lets the event loop turn before each page after the first, and not within a page', async () => {
    const pages = [[1, 2], [3, 4], [5]];
    let turns = 0;
    let ticking = true;
    const tick = () => {
      if (!ticking) return;
      turns += 1;
      setImmediate(tick);
    };
    setImmediate(tick);
    const seenAtTurn: Array<[number, number]> = [];
    for await (const value of rowPages(() => pages.shift(), (n: number) => n, { turnBetweenPages: true })) seenAtTurn.push([value, turns]);
    ticking = false;
    // Values of one page come in the same turn; each later page (and the empty read that ends
    // the iteration) comes a turn later.
    expect(seenAtTurn.map(([value]) => value)).toEqual([1, 2, 3, 4, 5]);
    const turnOf = new Map(seenAtTurn);
    expect(turnOf.get(2)).toBe(turnOf.get(1));
    expect(turnOf.get(4)).toBe(turnOf.get(3));
    expect(turnOf.get(3)!).toBeGreaterThan(turnOf.get(2)!);
    expect(turnOf.get(5)!).toBeGreaterThan(turnOf.get(4)!);
  });

  it('without it, a whole read resolves without the event loop turning (reads of one stream stay as fast as they were)', async () => {
    const pages = [[1, 2], [3, 4], [5]];
    let turned = false;
    setImmediate(() => (turned = true));
    const values: number[] = [];
    for await (const value of rowPages(() => pages.shift(), (n: number) => n)) values.push(value);
    expect(values).toEqual([1, 2, 3, 4, 5]);
    expect(turned).toBe(false);
  });

  it('skips rows the conversion drops, across empty-looking pages', async () => {
    const pages = [[1, 2], [4, 6], [7]];
    expect(await collect(rowPages(() => pages.shift(), (n: number) => (n % 2 === 1 ? n : undefined)))).toEqual([1, 7]);
  });

  it('a read error rejects next() (not the creation), and the iteration is over', async () => {
    const iterable = rowPages<number, number>(() => {
      throw new Error('disk I/O error');
    }, (n) => n);
    const iterator = iterable[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toThrow('disk I/O error');
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('stops reading when the consumer breaks out', async () => {
    let reads = 0;
    const iterable = rowPages(() => {
      reads += 1;
      return [reads];
    }, (n: number) => n);
    for await (const n of iterable) if (n === 3) break;
    expect(reads).toBe(3);
  });
});
