import { APPLICATION_NUMBER_PATTERN, applicationNumberFor } from './application-number';

describe('申請番号', () => {
  const id = 'afea8a9d-2d47-57cf-b68b-fe4b3a4ff973';

  it('carries the day in Japan of the first submission: 08:30 JST on 8 December is 23:30 UTC on the 7th', () => {
    expect(applicationNumberFor('2026-12-07T23:30:00.000Z', '132012', id)).toBe('20261208-132012-AFEA8A');
    expect(applicationNumberFor('2026-12-07T14:59:59.999Z', '132012', id)).toBe('20261207-132012-AFEA8A');
    expect(applicationNumberFor('2026-12-07T15:00:00.000Z', '132012', id)).toBe('20261208-132012-AFEA8A');
  });

  it('takes a prefix (the account request is AR-) and refuses what is not an instant', () => {
    expect(applicationNumberFor('2026-12-31T15:00:00.000Z', '130001', id, 'AR-')).toBe('AR-20270101-130001-AFEA8A');
    expect(() => applicationNumberFor('yesterday', '132012', id)).toThrow(RangeError);
  });

  it('is what APPLICATION_NUMBER_PATTERN (the list filter) takes', () => {
    for (const prefix of ['', 'AR-']) expect(applicationNumberFor('2026-12-07T23:30:00.000Z', '132012', id, prefix)).toMatch(APPLICATION_NUMBER_PATTERN);
    expect('20261208-132012-afea8a').not.toMatch(APPLICATION_NUMBER_PATTERN);
  });
});
