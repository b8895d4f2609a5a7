import { SqliteEventStore } from '@nws/event-store/sqlite';
import type { EventStore, EventToAppend, RecordedEvent } from '@nws/event-store';
import { ValidationFailedError } from './engine.errors';
import { assertStreamRequirements, unmetStreamRequirements } from './stream-requirements';
import type { ClaimRef, ClaimStatus, StreamContent } from './workflow-definition';

/**
 * Claims (StreamContent.claim) on the real SQLite store: a seat any one application may hold. The
 * claim names where its command's event goes; the engine reads it there to say whether it holds.
 */
const SEATS = 'seat-of-organ';
const event = (id: string, type: string, data: Record<string, unknown> = {}): EventToAppend => ({ id, type, data: data as never, metadata: { occurredAt: '2026-12-08T00:00:00.000Z' } });
const holderOf = (latest: RecordedEvent | undefined) => latest?.data['holder'] as { applicationId: string; claim: ClaimRef } | undefined;

function seat(applicationId: string, statuses: ClaimStatus[] = []): StreamContent {
  return {
    streamId: SEATS,
    claimsIn: (latest) => [holderOf(latest)!.claim],
    latest: (latest, claims) => {
      const holder = holderOf(latest);
      if (!holder || holder.applicationId === applicationId) return [];
      statuses.push(claims(holder.claim));
      return claims(holder.claim) === 'lost' ? [] : [{ field: 'seat', rule: 'oneHolder', message: { ja: '席は埋まっています', en: `held by ${holder.applicationId}` } }];
    },
    claim: (latest, command) => (holderOf(latest)?.applicationId === applicationId ? undefined : event(`claim-${applicationId}-${command.revision}`, 'SeatClaimed', { holder: { applicationId, claim: { streamId: command.streamId, revision: command.revision, type: 'Approved' } } })),
  };
}

const commandOf = (applicationId: string, revision: number) => ({ applicationId, streamId: `application-${applicationId}`, revision, events: [event(`approved-${applicationId}`, 'Approved')] });

describe('claims recorded at the revision checked', () => {
  let store: EventStore;
  beforeEach(() => {
    store = new SqliteEventStore({ filename: ':memory:' });
  });
  afterEach(() => store.close());

  it('given two commands checking at once, when both claim, then one is recorded and the other is checked again and refused', async () => {
    const outcomes = await Promise.allSettled(['a', 'b', 'c'].map((id) => assertStreamRequirements(store, [seat(id)], commandOf(id, 0))));
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected', 'rejected']);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ValidationFailedError);
    expect(await store.streamRevision(SEATS)).toBe(0);
  });

  it('given a claim whose command has not stored its event yet, it holds (pending); stored there, it holds (stored); another event there, it holds nobody (lost)', async () => {
    await assertStreamRequirements(store, [seat('a')], commandOf('a', 1));
    await store.append('application-a', [event('created-a', 'Created')], 'no_stream');
    const seen: ClaimStatus[] = [];
    expect(await unmetStreamRequirements(store, [seat('b', seen)])).toHaveLength(1);
    await store.append('application-a', [event('withdrawn-a', 'Withdrawn')], 0);
    expect(await unmetStreamRequirements(store, [seat('b', seen)])).toEqual([]);
    expect(seen).toEqual(['pending', 'lost']);
    // The seat is free: b claims it, and a's approval (had it been stored) would not hold it.
    await assertStreamRequirements(store, [seat('b')], commandOf('b', 0));
    await store.append('application-b', [event('approved-b', 'Approved')], 'no_stream');
    const after: ClaimStatus[] = [];
    await expect(assertStreamRequirements(store, [seat('a', after)], commandOf('a', 2))).rejects.toBeInstanceOf(ValidationFailedError);
    expect(after).toEqual(['stored']);
  });

  it('given the claim recorded by this very command (retried), nothing more is appended', async () => {
    await assertStreamRequirements(store, [seat('a')], commandOf('a', 0));
    await assertStreamRequirements(store, [seat('a')], commandOf('a', 0));
    expect(await store.streamRevision(SEATS)).toBe(0);
  });
});
