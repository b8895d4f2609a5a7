import { generateForms, type DelegationEntry, type FormGenerationInput, type FormGenerationOutput } from './beppyo2-form-generation';

const fromTokyo: DelegationEntry = {
  chain: [{ delegatorCode: '130001', delegateeCode: '132012', basis: '地方自治法第252条の17の2', instrumentKind: '条例', instrumentName: '市町村における東京都の事務処理の特例に関する条例', delegatorHoldsByLaw: true }],
  delegators: ['130001'],
  delegatorConfirmed: true,
};
const base: FormGenerationInput = {
  body: { bodyType: '市町村長部局', localGovernmentCode: '132012' },
  applicationDate: '2026/11/20',
  pia: { status: '実施済', documents: [{ number: '1', title: '個人住民税に関する事務 全項目評価書' }] },
};

function generate(input: FormGenerationInput): FormGenerationOutput {
  const result = generateForms(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}
type Rows = Array<{ itemNo: string; personalInfoName?: string; pia?: unknown }>;
const queryItems = (out: FormGenerationOutput) => (out.forms['03-07']['queryAffairs'] as Rows).map((r) => r.itemNo);
const provided = (out: FormGenerationOutput) => (out.forms['03-07']['providedInformation'] as Rows).map((r) => `${r.itemNo}:${r.personalInfoName}`);

describe('様式作成: generating 様03-07/03-08/03-09 from the selection', () => {
  it('with no marks: 様03-07 lists every affair and every provision of the body, 様03-08/03-09 are not generated', () => {
    const out = generate(base);
    expect(queryItems(out)).toHaveLength(37);
    expect((out.forms['03-07']['providedInformation'] as Rows).length).toBeGreaterThan(100);
    expect(out.forms['03-08']).toBeUndefined();
    expect(out.forms['03-09']).toBeUndefined();
    expect(out.checklist).toEqual({ form0308: false, form0309: false });
    expect(out.forms['03-07']).toMatchObject({ applicationDate: '2026/11/20', category: '登録', catalogVersion: 'beppyo2-2015' });
  });

  it('情報照会を行わない removes the affair; a PIA per affair overrides the default', () => {
    const out = generate({ ...base, notQuerying: ['93', '94'], piaByQuery: { '27': { status: '未実施', reason: 'その他', reasonText: '評価中' } } });
    expect(queryItems(out)).not.toContain('93');
    expect(queryItems(out)).not.toContain('94');
    expect((out.forms['03-07']['queryAffairs'] as Rows).find((r) => r.itemNo === '27')?.pia).toEqual({ status: '未実施', reason: 'その他', reasonText: '評価中' });
  });

  it('受任事務 goes to 03-07 (1) and 03-08 (1), in the order of the law', () => {
    const out = generate({ ...base, receivedQueries: [{ itemNo: '9', procedure: '医療費支給認定の申請受付', delegation: fromTokyo }] });
    expect(queryItems(out)[0]).toBe('9');
    expect(out.forms['03-08']?.['receivedQueryAffairs']).toEqual([expect.objectContaining({ itemNo: '9', procedure: '医療費支給認定の申請受付', delegation: fromTokyo })]);
    expect(out.checklist.form0308).toBe(true);
  });

  it('委任した特定個人情報 leaves 03-07 (2) and goes to 03-08 (2) with its delegatee', () => {
    const out = generate({ ...base, delegatedProvisions: [{ key: '27-4', delegateeCode: '138002' }] });
    expect(provided(out).some((p) => p.startsWith('27:地方税関係情報又は住民票関係情報'))).toBe(false);
    expect(out.forms['03-08']?.['delegatedProvisions']).toEqual([{ itemNo: '27', personalInfoName: '地方税関係情報又は住民票関係情報であって主務省令で定めるもの', delegateeCode: '138002' }]);
  });

  it('受任により情報提供 goes to 03-07 (2) and 03-08 (3); 情報提供を行わない removes a row', () => {
    const out = generate({ ...base, receivedProvisions: [{ key: '27-2', delegation: fromTokyo }], notProviding: ['1-2'] });
    expect(provided(out)).toContain('27:障害者関係情報であって主務省令で定めるもの');
    expect(provided(out).filter((p) => p.startsWith('1:地方税法その他'))).toEqual([]); // 1-2
    expect(provided(out).filter((p) => p.startsWith('1:医療保険各法'))).toHaveLength(1); // 1-1 stays
    expect(out.forms['03-08']?.['receivedProvisions']).toEqual([{ itemNo: '27', personalInfoName: '障害者関係情報であって主務省令で定めるもの', delegation: fromTokyo }]);
  });

  it('独自利用事務 produce 様03-09 and tick it', () => {
    const affair = { affairName: '就学援助に準ずる事務', ordinanceName: '八王子市個人番号条例', ordinanceArticle: '別表第1の3の項', notification: { number: '132012-2026-001', date: '2026/06/30' } };
    const out = generate({ ...base, independentUse: [affair] });
    expect(out.forms['03-09']).toEqual({ applicationDate: '2026/11/20', category: '登録', affairs: [affair] });
    expect(out.checklist.form0309).toBe(true);
  });

  it('an association takes its members\u2019 rows only as 受任', () => {
    const joint = { ...base, body: { bodyType: '一部事務組合・広域連合', extraChoices: ['市町村長の事務を共同処理'] } };
    const nothing = generate(joint);
    expect(queryItems(nothing)).toEqual([]);
    const out = generate({ ...joint, receivedQueries: [{ itemNo: '27', delegation: fromTokyo }] });
    expect(queryItems(out)).toEqual(['27']);
  });

  it('refuses marks that do not fit the selection, naming each', () => {
    const result = generateForms({
      ...base,
      notQuerying: ['1'],
      receivedQueries: [{ itemNo: '36', delegation: fromTokyo }],
      delegatedProvisions: [{ key: '27-2', delegateeCode: '138002' }],
      receivedProvisions: [{ key: '27-4', delegation: fromTokyo }],
      notProviding: ['27-4'],
      alsoProviding: ['27-4'],
    });
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual([
      'notQuerying[0]',
      'receivedQueries[0]',
      'delegatedProvisions[0]',
      'receivedProvisions[0]',
      'alsoProviding[0]',
      'alsoProviding[0]',
    ]);
  });

  it('refuses a PIA for a row the forms do not list, and a mark given twice, naming each: none is dropped unseen', () => {
    const other = { status: '未実施', reason: 'その他', reasonText: '評価中' } as const;
    const result = generateForms({
      ...base,
      // 項9 and row 27-2 are 東京都's: 八王子市 lists them only by taking them by delegation (受任), as below.
      piaByQuery: { '9999': other, abc: other, '': other, '27': other, '9': other },
      piaByProvision: { 'zz-1': other, '1-2': other, '27-4': other, '27-2': other },
      notQuerying: ['27', '27'],
      notProviding: ['1-2'],
      delegatedProvisions: [{ key: '27-4', delegateeCode: '138002' }],
      alsoProviding: [],
    });
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => [p.field, p.message.en])).toEqual([
      ['notQuerying[1]', 'notQuerying[1]: "27" is listed twice'],
      ['piaByQuery.9', 'piaByQuery.9: "9" is not an affair this body queries'],
      ['piaByQuery.27', 'piaByQuery.27: "27" is also marked as not queried'],
      ['piaByQuery.9999', 'piaByQuery.9999: "9999" is not a 項番 of 別表第二'],
      ['piaByQuery.abc', expect.stringContaining('is not a 項番 of 別表第二')],
      ['piaByQuery.', 'piaByQuery.: "" is not a 項番 of 別表第二'],
      ['piaByProvision.zz-1', expect.stringContaining('is not a row (項番-行内連番) of 別表第二')],
      ['piaByProvision.1-2', expect.stringContaining('is also marked as not provided')],
      ['piaByProvision.27-4', expect.stringContaining('is also marked as delegated')],
      ['piaByProvision.27-2', expect.stringContaining('is not information this body provides')],
    ]);
    for (const p of problems) expect([p.message.ja.startsWith(`${p.field}: `), p.message.ja]).toEqual([true, expect.not.stringMatching(/undefined/)]);
    // The same PIA maps over rows the forms list are taken.
    const taken = generate({ ...base, piaByQuery: { '9': other }, piaByProvision: { '27-2': other }, receivedQueries: [{ itemNo: '9', delegation: fromTokyo }], receivedProvisions: [{ key: '27-2', delegation: fromTokyo }] });
    expect((taken.forms['03-07']['queryAffairs'] as Rows).find((r) => r.itemNo === '9')?.pia).toEqual(other);
    expect((taken.forms['03-07']['providedInformation'] as Rows).find((r) => r.personalInfoName?.startsWith('障害者関係情報'))?.pia).toEqual(other);
  });

  it('refuses a row marked twice in any list of marks', () => {
    const result = generateForms({ ...base, notProviding: ['1-2', '1-2'], delegatedProvisions: [{ key: '27-4', delegateeCode: '138002' }, { key: '27-4', delegateeCode: '138002' }] });
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual(['notProviding[1]', 'delegatedProvisions[1]']);
  });

  it('refuses a body selection the screen would refuse', () => {
    const result = generateForms({ ...base, body: { bodyType: '市役所' } });
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual(['body.bodyType']);
    // The message names the field as the problem does, so a client can show one next to the other.
    expect(result.ok ? [] : result.problems.map((p) => [p.message.ja.split(':')[0], p.message.en.split(':')[0]])).toEqual([['body.bodyType', 'body.bodyType']]);
  });
});
