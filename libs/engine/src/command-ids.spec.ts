import { applicationIdFor, commandIdForIdempotencyKey, eventIdFor } from './command-ids';

/**
 * Stored events carry these ids, and a retried command must derive the same ones in any later
 * version: the values below were computed by the uuid package from the strings (its v5 with the
 * name and namespace as text), before the ids were derived from bytes.
 */
describe('name-based ids never change', () => {
  const commandId = '3f0c9d2e-1111-4222-8333-444455556666';

  it('event ids of a command, by index', () => {
    expect(eventIdFor(commandId, 0)).toBe('e60a9141-b614-548b-9628-83820e47c856');
    expect(eventIdFor(commandId, 12)).toBe('8f4ee2fe-33cd-5b47-b93d-c450aa347bc2');
  });

  it('the application id of a create command', () => {
    expect(applicationIdFor(commandId)).toBe('818cfd0c-f850-5131-9ead-2653b63267de');
  });

  it('the command id of an Idempotency-Key, non-ASCII keys included (UTF-8, surrogate pairs)', () => {
    expect(commandIdForIdempotencyKey({ sub: 'yamada', org: '132012', role: 'applicant' }, '申請-2026-12-06-😀')).toBe('98fac83e-f41e-5cc6-9448-76425733a266');
  });
});
