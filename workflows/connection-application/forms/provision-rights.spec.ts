import type { JsonObject } from '@nws/engine';
import { findBeppyo2Row } from '@nws/reference-catalog';
import type { SavedForms } from './cross-form-checks';
import { connectionApplicationForms } from './index';
import { delegatedProvisionViolations, provisionKey, provisionRightViolations } from './query-rights';

/** Saved 様03-07 (and 03-08) as decide.ts holds them: the examples, providing these 別表第二 rows (`項-行`), receiving those. */
function forms(rows: string[], received?: string[]): SavedForms {
  const info = (key: string) => {
    const [itemNo, rowNo] = key.split('-') as [string, string];
    return { itemNo, personalInfoName: findBeppyo2Row(itemNo, rowNo)!.personalInfo };
  };
  const f0307 = structuredClone(connectionApplicationForms.get('03-07')!.example) as { providedInformation: Array<Record<string, unknown>> };
  const template = f0307.providedInformation[0]!;
  f0307.providedInformation = rows.map((key) => ({ ...template, ...info(key) }));
  const validate = (code: string, input: unknown) => {
    const result = connectionApplicationForms.get(code)!.validate(input);
    if (!result.ok) throw new Error(`${code}: ${JSON.stringify(result.violations)}`);
    return { data: result.value };
  };
  const out: Record<string, { data: JsonObject }> = { '03-07': validate('03-07', f0307) };
  if (received) {
    const f0308 = structuredClone(connectionApplicationForms.get('03-08')!.example) as { receivedProvisions: Array<Record<string, unknown>> };
    const row = f0308.receivedProvisions[0]!;
    f0308.receivedProvisions = received.map((key) => ({ ...row, ...info(key) }));
    out['03-08'] = validate('03-08', f0308);
  }
  return out;
}

const HACHIOJI = { kind: '市町村長部局', code: '132012', name: '八王子市' };
const TOKYO = { kind: '都道府県知事部局', code: '130001', name: '東京都' };
/** 瑞穂町: a 町, which does no 都道府県知事 affair by law (大都市特例 is a 市's). */
const MIZUHO = { kind: '市町村長部局', code: '133035', name: '瑞穂町' };
const refused = (category: string, saved: SavedForms, organization: { kind: string; code?: string; name?: string }, registered?: ReadonlySet<string>) =>
  provisionRightViolations(category, saved, organization, registered).map((v) => `${v.field}:${v.rule}`);

describe('様03-07 (2): a body provides the 特定個人情報 別表第二 makes it the 情報提供者 of, or what it received by delegation (様03-08 (3))', () => {
  it('given a 市町村長部局, then its own rows (27-4 地方税関係情報: 市町村長; 27-3 生活保護関係情報: 都道府県知事等, a city with a welfare office) are accepted', () => {
    expect(refused('接続', forms(['27-4', '27-3', '26-5']), HACHIOJI)).toEqual([]);
  });

  it("given a minister's information (26-2 労働者災害補償関係情報: 厚生労働大臣; 27-5 年金給付関係情報), then it is refused (ja/en, naming the provider) whatever the category and whatever 様03-08 says", () => {
    for (const [category, received] of [['接続', undefined], ['変更', undefined], ['接続', ['26-2']]] as const) {
      expect(refused(category, forms(['27-4', '26-2', '27-5'], received ? [...received] : undefined), HACHIOJI)).toEqual([
        'forms.03-07.providedInformation[1].personalInfoName:providerOfInformation',
        'forms.03-07.providedInformation[2].personalInfoName:providerOfInformation',
      ]);
    }
    const [violation] = provisionRightViolations('接続', forms(['26-2']), HACHIOJI);
    expect(violation!.message.ja).toContain('情報提供者は「厚生労働大臣」で、地方公共団体の機関は提供しません');
    expect(violation!.message.en).toContain('is 厚生労働大臣: no local government organ provides it');
  });

  it("given another body's information (27-2 障害者関係情報: 都道府県知事) for a 町, then it needs its 様03-08 (3) row; a 変更 without 様03-08 is held to the registered delegations (connection-application.registered.ts)", () => {
    expect(refused('接続', forms(['27-2']), MIZUHO)).toEqual(['forms.03-07.providedInformation[0].personalInfoName:providerOfInformation']);
    expect(refused('接続', forms(['27-2'], ['27-2']), MIZUHO)).toEqual([]);
    expect(refused('変更', forms(['27-2'], ['27-4']), MIZUHO)).toEqual(['forms.03-07.providedInformation[0].personalInfoName:providerOfInformation']);
    expect(refused('変更', forms(['27-2']), MIZUHO)).toEqual([]);
    const registered = (keys: string[]) => new Set(keys.map((key) => provisionKey(key.split('-')[0], findBeppyo2Row(key.split('-')[0]!, key.split('-')[1]!)!.personalInfo)));
    expect(refused('変更', forms(['27-2']), MIZUHO, registered(['27-2']))).toEqual([]);
    expect(refused('変更', forms(['27-2']), MIZUHO, registered([]))).toEqual(['forms.03-07.providedInformation[0].personalInfoName:providerOfInformation']);
  });

  it('大都市特例: a 市 may list a 都道府県知事 row (27-2) on its word (a 指定都市 or 中核市 provides it by law), as it may query such an affair', () => {
    expect(refused('接続', forms(['27-2']), HACHIOJI)).toEqual([]);
  });

  it("given a prefecture's governor department, then 都道府県知事 rows are its own and 市町村長 ones are not", () => {
    expect(refused('接続', forms(['27-2', '27-3', '27-4']), TOKYO)).toEqual(['forms.03-07.providedInformation[2].personalInfoName:providerOfInformation']);
  });
});

describe('様03-08 (2): a body delegates the provision of what it provides (by law, or received: 様03-08 (3))', () => {
  /** 様03-08 with these 委任 rows (`項-行` → delegatee) and these 受任 rows. */
  function delegating(rows: Array<[string, string]>, received: string[] = []): SavedForms {
    const info = (key: string) => {
      const [itemNo, rowNo] = key.split('-') as [string, string];
      return { itemNo, personalInfoName: findBeppyo2Row(itemNo, rowNo)!.personalInfo };
    };
    const f0308 = structuredClone(connectionApplicationForms.get('03-08')!.example) as Record<string, Array<Record<string, unknown>>>;
    const receivedRow = f0308['receivedProvisions']![0]!;
    f0308['receivedQueryAffairs'] = [];
    f0308['receivedProvisions'] = received.map((key) => ({ ...receivedRow, ...info(key) }));
    f0308['delegatedProvisions'] = rows.map(([key, delegateeCode]) => ({ ...info(key), delegateeCode }));
    const result = connectionApplicationForms.get('03-08')!.validate(f0308);
    if (!result.ok) throw new Error(JSON.stringify(result.violations));
    return { '03-08': { data: result.value } };
  }
  const delegated = (saved: SavedForms, organization: { kind: string; code?: string; name?: string }) => delegatedProvisionViolations(saved, organization).map((v) => `${v.field}:${v.rule}`);
  const BOARD = { kind: '都道府県教育委員会', code: '130001', name: '東京都' };

  it("given 東京都's 知事部局, then it delegates 27-2 (障害者関係情報: 都道府県知事); its 教育委員会, which does not provide it, may not (the 突合 matched it with a 市's 受任)", () => {
    expect(delegated(delegating([['27-2', '132063']]), TOKYO)).toEqual([]);
    const refused = delegatedProvisionViolations(delegating([['27-2', '132063']]), BOARD);
    expect(refused.map((v) => `${v.field}:${v.rule}`)).toEqual(['forms.03-08.delegatedProvisions[0].personalInfoName:delegatorProvides']);
    expect(refused[0]!.message.en).toContain('a body delegates only what it provides');
  });

  it("given a 市, then a minister's information (26-2: 厚生労働大臣) is nobody's to delegate; what a 町 received it may hand on", () => {
    expect(delegated(delegating([['26-2', '132063']]), { kind: '市町村長部局', code: '132080', name: '調布市' })).toEqual(['forms.03-08.delegatedProvisions[0].personalInfoName:delegatorProvides']);
    expect(delegated(delegating([['27-2', '132063']]), MIZUHO)).toEqual(['forms.03-08.delegatedProvisions[0].personalInfoName:delegatorProvides']);
    expect(delegated(delegating([['27-2', '132063']], ['27-2']), MIZUHO)).toEqual([]);
  });
});
