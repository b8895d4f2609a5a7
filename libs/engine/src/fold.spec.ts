import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { connectionApplicationV1 } from '@nws/workflows/connection-application';
import { allFormsSaved, created, firstApproved, submitted, micReviewer, reviewerData } from '@nws/workflows/connection-application/testing/fixtures';
import type { EventMetadata } from './engine.types';
import { foldApplication, toMachineEvent } from './fold';

describe('fold', () => {
  const meta = (i: number) => ({ workflow: 'connection-application', machineVersion: '1', actor: {}, occurredAt: `2026-11-2${i % 10}T00:00:00.000Z`, commandId: `c${i}`, correlationId: 'c', causationId: `c${i}`, state: '', waitingAt: null }) as EventMetadata;
  const events = [
    created,
    ...allFormsSaved,
    submitted,
    firstApproved,
    { type: 'SecondReviewApproved', data: { round: 1, comment: null, reviewer: reviewerData(micReviewer, '総務省') } },
    { type: 'MasterDataRegistered', data: { organizationCode: '132012', version: 1, contentHash: 'sha256:x' } },
    { type: 'MasterDataDistributed', data: { organizationCode: '132012', version: 1, comment: null } },
  ].map((e, i) => ({ type: e.type, data: e.data, metadata: meta(i), revision: i }));

  it('agrees with XState’s pure transition() after every event (value and context)', () => {
    let [reference] = initialTransition(connectionApplicationV1.machine) as [AnyMachineSnapshot, unknown];
    events.forEach((event, i) => {
      [reference] = transition(connectionApplicationV1.machine, reference, toMachineEvent(event)) as [AnyMachineSnapshot, unknown];
      const ours = foldApplication(connectionApplicationV1, 'app-1', events.slice(0, i + 1));
      expect(ours.snapshot.value).toEqual(reference.value);
      expect(ours.snapshot.context).toEqual(reference.context);
      expect(ours.revision).toBe(i);
    });
    expect(foldApplication(connectionApplicationV1, 'app-1', events).state).toBe('distributed');
  });

  it('is deterministic: folding twice gives equal snapshots', () => {
    const a = foldApplication(connectionApplicationV1, 'app-1', events);
    const b = foldApplication(connectionApplicationV1, 'app-1', events);
    expect(a.snapshot.context).toEqual(b.snapshot.context);
  });
});
