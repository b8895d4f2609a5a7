import type { RecordedEvent } from '@nws/event-store';
import type { StreamContent } from '@nws/engine';
import { PLACEHOLDER } from '../../libs/personal-data/src/personal-data.declaration';
import { ACCOUNT_HOLDERS_RECORDED, accountHolderRequirement, accountHoldersStream } from './account-holders';

const organ = { code: '132012', kind: '市町村教育委員会' };
const recorded = (holders: Array<{ loginId: string; name: string; email: string; applicationId: string }>) =>
  ({ id: 'e', streamId: accountHoldersStream(organ), revision: 0, position: 1, type: ACCOUNT_HOLDERS_RECORDED, data: { organization: organ, holders, sources: [] }, metadata: {}, recordedAt: '' }) as unknown as RecordedEvent;
const check = (event: RecordedEvent | undefined, applicationId: string, emails: string[]) =>
  (accountHolderRequirement(organ, applicationId, emails.map((email) => ({ email }))) as StreamContent).latest(event).map((v) => v.field);

describe('one account per address across an organ\u2019s requests', () => {
  const list = recorded([
    { loginId: 'nws-1', name: '小林 五郎', email: 'kobayashi@city.hachioji.tokyo.jp', applicationId: 'ar-1' },
    { loginId: 'nws-2', name: PLACEHOLDER.erased, email: PLACEHOLDER.erased, applicationId: 'ar-1' },
  ]);

  it('given an address issued before (in any case or width), then another request naming it is refused at that holder', () => {
    expect(check(list, 'ar-2', ['new@city.hachioji.tokyo.jp', 'ＫＯＢＡＹＡＳＨＩ@city.hachioji.tokyo.jp'])).toEqual(['forms.AR-01.holders[1].email']);
  });

  it('given no list yet, the request that was issued itself, or an erased holder, then nothing is refused', () => {
    expect(check(undefined, 'ar-2', ['kobayashi@city.hachioji.tokyo.jp'])).toEqual([]);
    expect(check(list, 'ar-1', ['kobayashi@city.hachioji.tokyo.jp'])).toEqual([]);
    expect(check(list, 'ar-2', [PLACEHOLDER.erased])).toEqual([]);
  });

  it('the list is the organ\u2019s: a board of education\u2019s is not its head department\u2019s', () => {
    expect(accountHoldersStream(organ)).not.toBe(accountHoldersStream({ code: '132012', kind: '市町村長部局' }));
  });
});

describe('the holders recorded as an account is issued (the claim, appended at the revision checked)', () => {
  const issue = { id: 'issued-1', type: 'AccountIssued', data: { organization: organ, accounts: [{ loginId: 'nws-9', name: '新井 六郎', email: 'arai@city.hachioji.tokyo.jp' }] }, metadata: { occurredAt: '2026-12-08T01:00:00.000Z' } };
  const claimOf = (latest: RecordedEvent | undefined, appending = [issue]) => (accountHolderRequirement(organ, 'ar-9', [{ email: 'arai@city.hachioji.tokyo.jp' }], true) as StreamContent).claim!(latest, appending);

  it('given the list, when the request is issued, then the claim is the whole list with its holders added, at the time of the issue', () => {
    const claim = claimOf(recordedList());
    expect(claim?.data['holders']).toEqual([
      { loginId: 'nws-1', name: '小林 五郎', email: 'kobayashi@city.hachioji.tokyo.jp', applicationId: 'ar-1' },
      { loginId: 'nws-9', name: '新井 六郎', email: 'arai@city.hachioji.tokyo.jp', applicationId: 'ar-9' },
    ]);
    expect([claim?.type, claim?.metadata['occurredAt'], claim?.metadata['causationId']]).toEqual([ACCOUNT_HOLDERS_RECORDED, '2026-12-08T01:00:00.000Z', 'issued-1']);
  });

  it('given the claim recorded already (the command retried), or a command that issues nothing, then nothing more is claimed', () => {
    const claim = claimOf(undefined)!;
    expect(claimOf({ ...recordedList(), id: claim.id, data: claim.data } as RecordedEvent)).toBeUndefined();
    expect(claimOf(recordedList(), [])).toBeUndefined();
  });

  it('submitting or approving claims nothing: only the issue records holders', () => {
    expect((accountHolderRequirement(organ, 'ar-9', [{ email: 'arai@city.hachioji.tokyo.jp' }]) as StreamContent).claim).toBeUndefined();
  });

  function recordedList(): RecordedEvent {
    return recorded([{ loginId: 'nws-1', name: '小林 五郎', email: 'kobayashi@city.hachioji.tokyo.jp', applicationId: 'ar-1' }]);
  }
});
