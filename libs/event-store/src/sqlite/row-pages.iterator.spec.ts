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
