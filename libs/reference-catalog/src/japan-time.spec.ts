import { japanWallClock } from './japan-time';

describe('japanWallClock: the wall clock in Japan at an instant', () => {
  it('is nine hours ahead of UTC, the day changing at 15:00 UTC, whatever offset the instant was written with', () => {
    expect(japanWallClock('2026-12-07T14:59:59.999Z')).toBe('2026-12-07T23:59:59.999');
    expect(japanWallClock('2026-12-07T15:00:00.000Z')).toBe('2026-12-08T00:00:00.000');
    expect(japanWallClock('2026-12-08T00:30:00+09:00')).toBe('2026-12-08T00:30:00.000');
    expect(japanWallClock(Date.UTC(2026, 11, 31, 15))).toBe('2027-01-01T00:00:00.000');
  });

  it('is undefined for what is not an instant', () => {
    expect([japanWallClock('not a time'), japanWallClock(Number.NaN)]).toEqual([undefined, undefined]);
  });
});
