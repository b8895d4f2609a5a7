import { SqliteEventStore } from '@nws/event-store/sqlite';
import type { EventToAppend } from '@nws/event-store';
import { assertStreamRequirements, unmetStreamRequirements } from '../../libs/engine/src/stream-requirements';
import { firstRegistrationRequirement, firstRegistrationStream } from './first-registration';

const organization = { code: '132012', name: '八王子市', kind: '市町村長部局' };
const event = (id: string, type: string): EventToAppend => ({ id, type, data: {}, metadata: { occurredAt: '2026-12-08T00:00:00.000Z' } });

describe('one 登録 per organ, claimed at the second approval (real SQLite)', () => {
  it('given a claim lost (another event took its place), when the same approval claims again at a later revision, then it is a new claim, and the organ is held', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    try {
      const a = { applicationId: 'A', applicationNumber: null, organization };
      const approval = event('approval-of-cmd-1', 'SecondReviewApproved');
      await store.append('application-A', [0, 1, 2, 3, 4].map((i) => event(`a${i}`, 'Before')), 'no_stream');
      await assertStreamRequirements(store, [firstRegistrationRequirement(a, true)], { applicationId: 'A', streamId: 'application-A', revision: 5, events: [approval] });
      // Revision 5 is not the approval (rejected and revised meanwhile, on another replica): the claim is lost.
      await store.append('application-A', [5, 6, 7, 8].map((i) => event(`a${i}`, 'Meanwhile')), 4);
      await assertStreamRequirements(store, [firstRegistrationRequirement(a, true)], { applicationId: 'A', streamId: 'application-A', revision: 9, events: [approval] });
      await store.append('application-A', [approval], 8);
      // Was answered as a repeat of the first claim (the id was the approval's alone) and written nowhere.
      expect(await store.streamRevision(firstRegistrationStream('132012', '市町村長部局'))).toBe(1);
      const b = { applicationId: 'B', applicationNumber: null, organization };
      expect((await unmetStreamRequirements(store, [firstRegistrationRequirement(b, true)])).map((v) => v.rule)).toEqual(['firstRegistration']);
    } finally {
      await store.close();
    }
  });
});
