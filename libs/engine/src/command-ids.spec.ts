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
    const yamada = { sub: 'yamada', org: '132012', role: 'applicant' } as const;
    const id = commandIdForIdempotencyKey(yamada, '申請-2026-12-06-😀', '0f4d6a52-8f2b-4c1e-9d3a-5b7e1c2a4f60');
    expect(id).toBe('a90c5d5f-69c5-5cfb-858a-7a9dbc04a53f');
    // One key on another application, or on a create, is another command.
    expect(commandIdForIdempotencyKey(yamada, '申請-2026-12-06-😀', '7c1e2d3f-0a4b-4c5d-8e6f-9a0b1c2d3e4f')).not.toBe(id);
    expect(commandIdForIdempotencyKey(yamada, '申請-2026-12-06-😀', 'applications/connection-application')).not.toBe(id);
    expect(commandIdForIdempotencyKey({ ...yamada, sub: 'sato' }, '申請-2026-12-06-😀', '0f4d6a52-8f2b-4c1e-9d3a-5b7e1c2a4f60')).not.toBe(id);
  });
});
