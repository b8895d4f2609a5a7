import type { RecordedEvent } from '@nws/event-store';
import type { ClaimStatus, StreamContent } from '@nws/engine';
import { PLACEHOLDER } from '../../libs/personal-data/src/personal-data.declaration';
import { ACCOUNT_HOLDERS_RECORDED, accountHolderRequirement, accountHoldersStream } from './account-holders';

const organ = { code: '132012', kind: '市町村教育委員会' };
const recorded = (holders: Array<{ loginId: string; name?: string; email: string; applicationId: string; status?: string; claim?: object }>) =>
  ({ id: 'e', streamId: accountHoldersStream(organ), revision: 0, position: 1, type: ACCOUNT_HOLDERS_RECORDED, data: { organization: organ, holders, sources: [] }, metadata: {}, recordedAt: '' }) as unknown as RecordedEvent;
const check = (event: RecordedEvent | undefined, applicationId: string, emails: string[], status: ClaimStatus = 'pending') =>
  (accountHolderRequirement(organ, applicationId, emails.map((email) => ({ email }))) as StreamContent).latest(event, () => status).map((v) => v.field);

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

  it('given an account issued before holders were named, listed without a name (its e-mail alone), then its address is refused too', () => {
    const unnamed = recorded([{ loginId: 'nws-3', email: 'legacy@city.hachioji.tokyo.jp', applicationId: 'ar-0' }]);
    expect(check(unnamed, 'ar-2', ['legacy@city.hachioji.tokyo.jp'])).toEqual(['forms.AR-01.holders[0].email']);
  });

  it('the list is the organ\u2019s: a board of education\u2019s is not its head department\u2019s', () => {
    expect(accountHoldersStream(organ)).not.toBe(accountHoldersStream({ code: '132012', kind: '市町村長部局' }));
  });
});

describe('the holders recorded as a request is approved or issued (the claim, appended at the revision checked)', () => {
  const accounts = [{ loginId: 'nws-9', name: '新井 六郎', email: 'arai@city.hachioji.tokyo.jp' }];
  const requirement = (status: 'approved' | 'issued') => accountHolderRequirement(organ, 'ar-9', [{ email: accounts[0]!.email }], { status, accounts, organization: { ...organ, name: '八王子市' } as never }) as StreamContent;
  const command = (type: string) => ({ streamId: 'application-ar-9', revision: 7, events: [{ id: `${type}-1`, type, data: {}, metadata: { occurredAt: '2026-12-08T01:00:00.000Z' } }] });
  const kobayashi = { loginId: 'nws-1', name: '小林 五郎', email: 'kobayashi@city.hachioji.tokyo.jp', applicationId: 'ar-1' };

  it('given the list, when the request is approved, then the claim is the whole list with its holders added, approved for issue and naming where the approval goes', () => {
    const claim = requirement('approved').claim!(recorded([kobayashi]), command('SecondReviewApproved'), () => 'pending');
    expect(claim?.data['holders']).toEqual([kobayashi, { ...accounts[0], applicationId: 'ar-9', status: 'approved', claim: { streamId: 'application-ar-9', revision: 7, type: 'SecondReviewApproved' } }]);
    expect([claim?.type, claim?.metadata['occurredAt'], claim?.metadata['causationId']]).toEqual([ACCOUNT_HOLDERS_RECORDED, '2026-12-08T01:00:00.000Z', 'SecondReviewApproved-1']);
  });

  it('given its holders claimed already (the command retried), then nothing more is claimed; given them approved, the issue claims them issued', () => {
    const approved = requirement('approved').claim!(recorded([kobayashi]), command('SecondReviewApproved'), () => 'pending')!;
    const listed = { ...recorded([]), data: approved.data } as RecordedEvent;
    expect(requirement('approved').claim!(listed, command('SecondReviewApproved'), () => 'pending')).toBeUndefined();
    const issued = requirement('issued').claim!(listed, command('AccountIssued'), () => 'stored');
    // The approval's claim was found stored: kept as a holder, no longer as a claim.
    expect(issued?.data['holders']).toEqual([kobayashi, { ...accounts[0], applicationId: 'ar-9', status: 'issued', claim: { streamId: 'application-ar-9', revision: 7, type: 'AccountIssued' } }]);
  });

  it('a holder claimed by a request whose approval was never stored (withdrawn meanwhile) refuses nobody; one pending or stored does, saying which', () => {
    const claimed = recorded([{ ...kobayashi, status: 'approved', claim: { streamId: 'application-ar-1', revision: 3, type: 'SecondReviewApproved' } }]);
    expect(check(claimed, 'ar-2', [kobayashi.email], 'lost')).toEqual([]);
    expect(check(claimed, 'ar-2', [kobayashi.email], 'pending')).toEqual(['forms.AR-01.holders[0].email']);
    const message = (status: ClaimStatus) => (accountHolderRequirement(organ, 'ar-2', [{ email: kobayashi.email }]) as StreamContent).latest(claimed, () => status)[0]?.message;
    expect(message('stored')?.en).toContain('was approved for issue');
    // Not yet found stored: the other request is said to be in the middle of it, not approved.
    expect([message('pending')?.en, message('pending')?.ja]).toEqual([expect.stringContaining('is being approved or issued'), expect.stringContaining('手続き中')]);
  });

  it('submitting claims nothing: only the second approval and the issue record holders', () => {
    expect((accountHolderRequirement(organ, 'ar-9', [{ email: 'arai@city.hachioji.tokyo.jp' }]) as StreamContent).claim).toBeUndefined();
  });
});
