import { ValidationFailedError } from '@nws/engine';
import { noComment, reviewComment, reviewerOf } from './review-decisions';

const ruleOf = (comment: string): string | null => {
  try {
    reviewComment({ comment }, true);
    return null;
  } catch (error) {
    if (!(error instanceof ValidationFailedError)) throw error;
    return error.violations[0]!.rule;
  }
};

describe('審査コメント: no phone number or e-mail address (kept in clear for ever), however it is written', () => {
  it.each([
    '緊急連絡先の携帯番号が誤り。正しくは090・1111・2223です。修正願います。',
    '連絡先 090/1234/5678 が不通でした。確認してください。',
    '連絡先 090_1234~5678 が不通でした。確認してください。',
    '緊急連絡先の携帯番号 090ー1234ー5678 が不通でした。修正してください。',
    '緊急連絡先の携帯番号 ０９０ｰ１２３４ｰ５６７８ が不通でした。修正してください。',
    '緊急連絡先の携帯番号 090〜1234〜5678 が不通でした。修正してください。',
    '緊急連絡先の携帯番号 090─1234─5678 が不通でした。修正してください。',
    '緊急連絡先の携帯番号 090 - 1234 - 5678 が不通でした。修正してください。',
    '緊急連絡先の携帯番号 090*1234*5678 が不通でした。修正してください。',
    '緊急連絡先は〇九〇一二三四五六七八です。修正してください。',
    '電話 042（620）7200 まで修正してください。',
  ])('%s is refused (noContactDetails)', (comment) => {
    expect(ruleOf(comment)).toBe('noContactDetails');
  });

  it.each([
    '様02-02の通常連絡先1の電話番号を課の直通番号にしてください。',
    '2026/12/07 10:00 に電話で確認しました。様03-07の項番1、2、3を見直してください。',
    '申請番号 20261207-132012-ABCDEF の様03-06、本庁所在地の郵便番号を修正してください。',
    '様03-07 第27項の特定個人情報（一、二、三行目）を見直してください。',
    '10:00、10:30、11:00 に電話しましたが不在でした。修正願います。',
    '受付日 2026/12/01、2026/12/05 の2回にわたり不備を確認しました。様02-02を修正してください。',
    '郵便番号 192-0001、192-0002 のどちらが正しいか確認してください。',
  ])('%s is a reason', (comment) => {
    expect(ruleOf(comment)).toBeNull();
  });
});

describe('actions that record no comment (submit, revise) refuse one rather than drop it', () => {
  it('a comment on submit is a 400 naming comment (notRecorded, ja/en); none, or null, is nothing to refuse', () => {
    const error = (() => {
      try {
        noComment('submit', { comment: '担当 山田です。よろしくお願いします。' });
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).violations).toEqual([
      expect.objectContaining({ field: 'comment', rule: 'notRecorded', message: { ja: expect.stringContaining('コメントを記録しません'), en: 'comment: submit records no comment: send it without one (what the application says goes in its forms)' } }),
    ]);
    expect(() => noComment('submit', {})).not.toThrow();
    expect(() => noComment('revise', { comment: null })).not.toThrow();
    expect(() => noComment('submit', { comment: '  ' })).not.toThrow();
  });
});

describe('a comment nothing is seen of is no comment, as one of spaces is none', () => {
  it.each(['\u200B', '\u00AD\u00AD', '\u2800\u2800', ' \u3164 ', '\u200E'])('%j is recorded as no comment (null), refused on a submit as nothing, and is no reason for a rejection', (comment) => {
    expect(reviewComment({ comment }, false)).toBeNull();
    expect(() => noComment('submit', { comment })).not.toThrow();
    expect(ruleOf(comment)).toBe('concreteReason');
  });
});

describe('the reviewer a review records from the token', () => {
  const meta = (name: string, department: string) => ({ actor: { sub: 'r-1', org: 'MIC', role: 'second-reviewer', name, department }, now: '2026-12-07T00:00:00.000Z', commandId: 'c', correlationId: 'c' });
  const rulesOf = (name: string, department: string) => {
    try {
      reviewerOf(meta(name, department) as never);
      return [];
    } catch (error) {
      if (!(error instanceof ValidationFailedError)) throw error;
      return error.violations.map((v) => `${v.field}:${v.rule}`);
    }
  };

  it('a name or department of nothing visible is none (recordedOnReview); one longer than the forms take is refused (maxLength)', () => {
    expect(rulesOf('\u00AD', '\u2800')).toEqual(['reviewer.name:recordedOnReview', 'reviewer.department:recordedOnReview']);
    expect(rulesOf('総'.repeat(51), '住'.repeat(101))).toEqual(['reviewer.name:maxLength', 'reviewer.department:maxLength']);
    expect(rulesOf('総務 花子', '住民制度課')).toEqual([]);
  });
});
