import { SeededRandom } from '../../test/reliability/support/seeded-random';
import { parseBenchArguments, percentile, percentileInterval } from './bench-context';

describe('percentileInterval (the p99 line of npm run bench)', () => {
  const ranks = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('given 1,000 samples, bounds the p99 by the order statistics around the 990th', () => {
    const sorted = ranks(1_000);
    expect(percentile(sorted, 99)).toBe(991);
    // 990 ∓ 1.96·√9.9 = 983.8…996.2, widened to whole ranks (0-based 983 and 997).
    expect(percentileInterval(sorted, 99)).toEqual({ low: 984, high: 998 });
  });

  it('given 300 samples, the upper end is the slowest one: the p99 of 300 says little about the tail', () => {
    const sorted = ranks(300);
    expect(percentileInterval(sorted, 99)).toEqual({ low: 294, high: 300 });
  });

  it('given no samples, says nothing', () => {
    const { low, high } = percentileInterval([], 99);
    expect(low).toBeNaN();
    expect(high).toBeNaN();
  });

  it('given samples of a long-tailed latency (exponential), covers the true p99 in ~95 % of runs', () => {
    const random = new SeededRandom(8);
    const mean = 10;
    const trueP99 = mean * Math.log(100);
    const runs = 1_000;
    let covered = 0;
    for (let run = 0; run < runs; run++) {
      const sorted = Array.from({ length: 1_000 }, () => -mean * Math.log(1 - random.next())).sort((a, b) => a - b);
      const { low, high } = percentileInterval(sorted, 99);
      if (low <= trueP99 && trueP99 <= high) covered++;
    }
    // Widened to whole ranks, the interval is a little conservative.
    expect(covered / runs).toBeGreaterThan(0.93);
    expect(covered / runs).toBeLessThan(0.99);
  });
});

describe('npm run bench arguments', () => {
  it('--quick or nothing runs; --help asks for the usage; anything else (a typo) is refused, never the full run', () => {
    expect(parseBenchArguments([])).toEqual({ quick: false });
    expect(parseBenchArguments(['--quick'])).toEqual({ quick: true });
    expect(parseBenchArguments(['--help'])).toEqual({ help: true });
    expect(parseBenchArguments(['-h', '--quick'])).toEqual({ help: true });
    expect(parseBenchArguments(['--quik'])).toEqual({ refused: 'unknown argument: --quik' });
    expect(parseBenchArguments(['--quick', 'x', '--full'])).toEqual({ refused: 'unknown arguments: x --full' });
  });
});
