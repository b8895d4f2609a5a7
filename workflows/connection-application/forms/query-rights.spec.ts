import type { JsonObject } from '@nws/engine';
import { findBeppyo2Item } from '@nws/reference-catalog';
import type { SavedForms } from './cross-form-checks';
import { connectionApplicationForms } from './index';
import { queryRightViolations } from './query-rights';

/** Saved 様03-07 (and 03-08) as decide.ts holds them: the examples, with the query rows of these 項番. */
function forms(itemNos: string[], form0308?: { receivedQueryAffairs: string[] }): SavedForms {
  const f0307 = structuredClone(connectionApplicationForms.get('03-07')!.example) as { queryAffairs: Array<Record<string, unknown>> };
  const template = f0307.queryAffairs[0]!;
  f0307.queryAffairs = itemNos.map((itemNo) => ({ ...template, itemNo, affairName: findBeppyo2Item(itemNo)!.affair }));
  const out: Record<string, { data: JsonObject }> = {};
  const validate = (code: string, input: unknown) => {
    const result = connectionApplicationForms.get(code)!.validate(input);
    if (!result.ok) throw new Error(`${code}: ${JSON.stringify(result.violations)}`);
    return { data: result.value };
  };
  out['03-07'] = validate('03-07', f0307);
  if (form0308) {
    const f0308 = structuredClone(connectionApplicationForms.get('03-08')!.example) as { receivedQueryAffairs: Array<Record<string, unknown>> };
    const row = f0308.receivedQueryAffairs[0]!;
    f0308.receivedQueryAffairs = form0308.receivedQueryAffairs.map((itemNo) => ({ ...row, itemNo, affairName: findBeppyo2Item(itemNo)!.affair }));
    out['03-08'] = validate('03-08', f0308);
  }
  return out;
}

const HACHIOJI = { kind: '市町村長部局', code: '132012' };
const TOKYO = { kind: '都道府県知事部局', code: '130001' };
const refused = (category: string, saved: SavedForms, organization: { kind: string; code?: string; name?: string }) =>
  queryRightViolations(category, saved, organization).map((v) => `${v.field}:${v.rule}`);

describe('様03-07 (1): a body queries the affairs 別表第二 makes it the 情報照会者 of, or those received by delegation', () => {
  it('given a 市町村長部局, then its own affairs (市町村長, 都道府県知事等 for a city) are accepted', () => {
    expect(refused('接続', forms(['26', '27', '42']), HACHIOJI)).toEqual([]);
  });

  it('given an affair of a minister or a national body (項1: 厚生労働大臣, 項30: 社会福祉協議会), then it is refused whatever the category and whatever 様03-08 says', () => {
    for (const category of ['接続', '変更']) {
      expect(refused(category, forms(['1', '27', '30']), HACHIOJI)).toEqual(['forms.03-07.queryAffairs[0].itemNo:querierOfAffair', 'forms.03-07.queryAffairs[2].itemNo:querierOfAffair']);
      expect(refused(category, forms(['1'], { receivedQueryAffairs: ['1'] }), HACHIOJI)).toEqual(['forms.03-07.queryAffairs[0].itemNo:querierOfAffair']);
    }
    const [message] = queryRightViolations('接続', forms(['1']), HACHIOJI);
    expect(message?.message.ja).toContain('情報照会者は「厚生労働大臣」');
  });

  it('given another kind’s affair (項37: 都道府県教育委員会) for a 市町村長部局, then it needs its 様03-08 (1) row; a 変更 without 様03-08 is held to the registered delegations elsewhere (connection-application.registered.ts)', () => {
    expect(refused('接続', forms(['37', '27']), HACHIOJI)).toEqual(['forms.03-07.queryAffairs[0].itemNo:querierOfAffair']);
    expect(refused('接続', forms(['37', '27'], { receivedQueryAffairs: ['37'] }), HACHIOJI)).toEqual([]);
    expect(refused('変更', forms(['37']), HACHIOJI)).toEqual([]);
    expect(refused('変更', forms(['37', '27'], { receivedQueryAffairs: ['27'] }), HACHIOJI)).toEqual(['forms.03-07.queryAffairs[0].itemNo:querierOfAffair']);
    const [message] = queryRightViolations('接続', forms(['37']), HACHIOJI);
    expect(message?.message).toEqual({
      ja: expect.stringContaining('情報照会者は「文部科学大臣又は都道府県教育委員会」で、市町村長部局の事務ではありません。委任を受けた事務であれば、様03-08（1）'),
      en: expect.stringContaining('list it in form 03-08 (1)'),
    });
  });

  it('大都市特例: a 市 may list a 都道府県知事 affair (項9) on its word (a 指定都市 or 中核市 does it by law); a 町 may not without its 様03-08 (1) row', () => {
    expect(refused('接続', forms(['9']), HACHIOJI)).toEqual([]);
    expect(refused('接続', forms(['9']), { kind: '市町村長部局', code: '141003' })).toEqual([]);
    expect(refused('接続', forms(['9']), { kind: '市町村長部局', code: '133035' })).toEqual(['forms.03-07.queryAffairs[0].itemNo:querierOfAffair']);
  });

  it('an affair only 指定都市 do for their residents (精神保健福祉法第51条の12: 項22) is a 指定都市’s by its code, not another 市’s word (項9, which 中核市 do too, still is)', () => {
    expect(refused('接続', forms(['22']), { kind: '市町村長部局', code: '141003' })).toEqual([]);
    expect(refused('接続', forms(['22']), HACHIOJI)).toEqual(['forms.03-07.queryAffairs[0].itemNo:querierOfAffair']);
    expect(refused('接続', forms(['9']), HACHIOJI)).toEqual([]);
  });

  it('given a prefecture’s governor department, then 都道府県知事 affairs are its own and 市町村長 ones are not', () => {
    expect(refused('接続', forms(['9', '26']), TOKYO)).toEqual([]);
    expect(refused('接続', forms(['27']), TOKYO)).toEqual(['forms.03-07.queryAffairs[0].itemNo:querierOfAffair']);
  });

  it('given the bodies the law names one by one (項89: 広島市長・長崎市長), then 広島市 is a querier and 八王子市 is not; a condition the product cannot know (a 保健所 of the city) is the body’s word, but a 町 runs none', () => {
    expect(refused('接続', forms(['89']), { kind: '市町村長部局', code: '341002' })).toEqual([]);
    expect(refused('接続', forms(['89']), HACHIOJI)).toEqual(['forms.03-07.queryAffairs[0].itemNo:querierOfAffair']);
    expect(refused('接続', forms(['97']), HACHIOJI)).toEqual([]);
    expect(refused('接続', forms(['97']), { kind: '市町村長部局', code: '133035' })).toEqual(['forms.03-07.queryAffairs[0].itemNo:querierOfAffair']);
  });

  it('given a board of education, then a 市町村長 affair is not its own', () => {
    expect(refused('接続', forms(['27']), { kind: '市町村教育委員会', code: '132012' })).toEqual(['forms.03-07.queryAffairs[0].itemNo:querierOfAffair']);
  });

  it('given a 一部事務組合・広域連合, then 後期高齢者医療広域連合 affairs (項80) are its own only when its name says it is one', () => {
    const union = { kind: '一部事務組合・広域連合', code: '138266', name: '東京都後期高齢者医療広域連合' };
    expect(refused('接続', forms(['80']), union)).toEqual([]);
    expect(refused('接続', forms(['80']), { ...union, name: '東京都　後期高齢者医療広域連合' })).toEqual([]);
    expect(refused('接続', forms(['80']), { ...union, name: '西多摩衛生組合' })).toEqual(['forms.03-07.queryAffairs[0].itemNo:querierOfAffair']);
    // The words alone are not the union: its prefecture's, exactly (one per prefecture).
    for (const name of ['東京都後期高齢者医療広域連合職員互助会', '大阪府後期高齢者医療広域連合', '後期高齢者医療広域連合ではない清掃一部事務組合']) {
      expect([name, refused('接続', forms(['80']), { ...union, name })]).toEqual([name, ['forms.03-07.queryAffairs[0].itemNo:querierOfAffair']]);
    }
  });
});
