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
