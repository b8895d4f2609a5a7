import { DELEGATION_BASES, arabicArticle, basisOrgansProblem, findDelegationBasis, isGuidanceInstrumentTitle, isGuidanceOnly, kanjiNumber } from './delegation-bases.catalog';

describe('delegation bases of 様03-08 (地方自治法)', () => {
  it('reads kanji article numbers', () => {
    expect(kanjiNumber('二百五十二')).toBe(252);
    expect(kanjiNumber('百八十')).toBe(180);
    expect(kanjiNumber('十七')).toBe(17);
    expect(arabicArticle('第二百五十二条の十七の二')).toBe('第252条の17の2');
  });

  it('offers the five articles of the drop-down, with their law text', () => {
    expect(DELEGATION_BASES.map((b) => b.id)).toEqual(['地方自治法第180条の2', '地方自治法第180条の7', '地方自治法第252条の14', '地方自治法第252条の17の2', '地方自治法第284条']);
    expect(findDelegationBasis('地方自治法第252条の14')?.text).toContain('協議により規約を定め');
  });

  it('knows which instrument each article works through', () => {
    expect(findDelegationBasis('地方自治法第252条の14')?.instruments).toEqual(['規約']);
    expect(findDelegationBasis('地方自治法第284条')?.instruments).toEqual(['規約']);
    expect(findDelegationBasis('地方自治法第252条の17の2')?.instruments).toContain('条例');
  });

  it('recognises a guideline or notice', () => {
    expect(isGuidanceOnly('要綱')).toBe(true);
    expect(isGuidanceOnly('地方自治法第284条')).toBe(false);
    expect(isGuidanceInstrumentTitle('八王子市事務取扱要綱')).toBe(true);
    expect(isGuidanceInstrumentTitle('通知カード及び個人番号カードに関する規則')).toBe(false);
    // A bracketed note (an excerpt, a copy) does not hide the kind; a note saying 通知 is the kind.
    for (const title of ['東京都事務委任要綱（抜粋）', '東京都事務委任要綱 (写し)', '事務の委任について（通知）', '事務の委任について(通知)', '東京都事務委任要領', '事務処理要領【別添】（抜粋）', '八王子市事務取扱要綱　', '事務委任要綱〔抜粋〕', '事務委任要綱「抜粋」', '事務委任要綱《抜粋》', '事務委任要綱〈抜粋〉', '事務委任要綱＜抜粋＞', '事務委任要綱。', '事務委任要綱（抜粋）。', '事務委任要綱 抜粋', '事務委任要綱（抜粋', '事務の委任について〔通知〕', '事務取扱要項', '事務の委任について（依命通達）', '事務処理要綱第3条', '事務処理要綱等', '事務処理要　綱', '委任に関する事務連絡']) {
      expect([title, isGuidanceInstrumentTitle(title)]).toEqual([title, true]);
    }
    for (const title of ['八王子市事務委任規則（抜粋）', '東京都後期高齢者医療広域連合規約（写し）', '事務の委託に関する規約', '通知カードに関する事務の委任に関する規則（抜粋）', '八王子市事務委任規則〔抜粋〕', '事務の委託に関する規約 写し', '規則［抜粋］', '通知カードに関する規則。']) {
      expect([title, isGuidanceInstrumentTitle(title)]).toEqual([title, false]);
    }
  });
});

describe('which organ of one body delegates to which (第180条の2, 第180条の7)', () => {
  const mayor = { organ: 'head', kind: '市町村長部局' } as const;
  const board = { organ: 'committee', kind: '市町村教育委員会' } as const;

  it('publishes the direction of the two articles within one body, and none for the others', () => {
    expect(findDelegationBasis('地方自治法第180条の2')?.organs).toEqual({ delegator: 'head', delegatee: 'committee' });
    expect(findDelegationBasis('地方自治法第180条の7')?.organs).toEqual({ delegator: 'committee', delegatee: 'head' });
    expect(DELEGATION_BASES.filter((b) => b.organs !== undefined).map((b) => b.id)).toEqual(['地方自治法第180条の2', '地方自治法第180条の7']);
  });

  it('given the head’s department as delegatee of 第180条の2, then it is refused naming the article, its direction and the article for the other way', () => {
    const problem = basisOrgansProblem('地方自治法第180条の2', { delegatee: mayor });
    expect(problem?.[0]).toBe('地方自治法第180条の2による委任は、長（首長部局・知事部局）から委員会（教育委員会等）へのものです（委任先は市町村長部局）。委員会（教育委員会等）から長（首長部局・知事部局）への委任・補助執行は地方自治法第180条の7によります。');
    expect(problem?.[1]).toContain('(the delegatee is a 市町村長部局); from a 委員会 (e.g. the 教育委員会) to the head (its 首長部局 or 知事部局), choose 地方自治法第180条の7');
    expect(basisOrgansProblem('地方自治法第180条の7', { delegator: mayor })?.[0]).toContain('（委任元は市町村長部局）');
  });

  it('given sides that fit, or none known, or an article between bodies, then nothing is said', () => {
    expect(basisOrgansProblem('地方自治法第180条の2', { delegator: mayor, delegatee: board })).toBeUndefined();
    expect(basisOrgansProblem('地方自治法第180条の7', { delegator: board, delegatee: mayor })).toBeUndefined();
    expect(basisOrgansProblem('地方自治法第180条の2', {})).toBeUndefined();
    expect(basisOrgansProblem('地方自治法第252条の14', { delegatee: mayor })).toBeUndefined();
    expect(basisOrgansProblem('要綱', { delegatee: mayor })).toBeUndefined();
  });
});
