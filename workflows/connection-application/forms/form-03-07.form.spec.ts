import { findBeppyo2Item } from '@nws/reference-catalog';
import { form0307 } from './form-03-07.form';
import { expectValid, rulesOf, variant, violationsOf } from './testing/form-spec.helpers';

const example = form0307.example;

describe('様03-07 情報連携事務・特定個人情報: rows must be rows of 別表第二', () => {
  it('refuses a 項番 the law does not have, naming it', () => {
    const violations = violationsOf(form0307, variant(example, (d) => (d.queryAffairs[1].itemNo = '121')));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['queryAffairs[1].itemNo:beppyo2Item']);
    expect(violations[0]?.message.ja).toBe('queryAffairs[1].itemNo: 別表第二に第121項はありません。');
  });

  it('refuses a deleted 項 (三十六)', () => {
    const violations = violationsOf(form0307, variant(example, (d) => (d.queryAffairs[1].itemNo = '36')));
    expect(violations.map((v) => v.rule)).toEqual(['beppyo2Item']);
    expect(violations[0]?.message.ja).toContain('削除された項');
  });

  it('refuses an affair name that is not the one of that 項, naming the 項', () => {
    // 27 is 地方税; the name given is that of 26 (生活保護).
    const violations = violationsOf(form0307, variant(example, (d) => (d.queryAffairs[2].affairName = findBeppyo2Item('26')!.affair)));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['queryAffairs[2].affairName:beppyo2AffairName']);
    expect(violations[0]?.message.ja).toContain('別表第二 第27項の事務名と一致しません');
    expect(violations[0]?.message.en).toContain('item 27');
  });

  it('an affair or information name that is not text is "must be a string", not a mismatch quoting "[object Object]"; two such rows are no duplicates', () => {
    const named = variant(example, (d) => {
      d.queryAffairs[0].affairName = {};
      d.providedInformation[0].personalInfoName = [];
    });
    expect(rulesOf(form0307, named)).toEqual(['queryAffairs[0].affairName:isString', 'providedInformation[0].personalInfoName:isString']);
    const unnumbered = variant(example, (d) => {
      d.queryAffairs[0].itemNo = {};
      d.queryAffairs[1].itemNo = {};
    });
    const violations = violationsOf(form0307, unnumbered);
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['queryAffairs[0].itemNo:isString', 'queryAffairs[1].itemNo:isString']);
    expect(JSON.stringify(violations)).not.toMatch(/\[object Object\]|undefined/);
  });

  it('accepts 56の2, a 項 inserted by amendment', () => {
    expectValid(form0307, variant(example, (d) => d.queryAffairs.push({ itemNo: '56の2', affairName: findBeppyo2Item('56の2')!.affair, pia: d.queryAffairs[1].pia })));
  });

  it('refuses a 特定個人情報 that is not one of the rows of that 項', () => {
    const violations = violationsOf(form0307, variant(example, (d) => (d.providedInformation[0].personalInfoName = '住民票関係情報')));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['providedInformation[0].personalInfoName:beppyo2PersonalInfo']);
    expect(violations[0]?.message.ja).toContain('別表第二 第26項に特定個人情報「住民票関係情報」はありません');
  });

  it('lists each 項 and each 特定個人情報 once', () => {
    expect(rulesOf(form0307, variant(example, (d) => d.queryAffairs.push(d.queryAffairs[1])))).toEqual(['queryAffairs:uniqueBy']);
    expect(rulesOf(form0307, variant(example, (d) => d.providedInformation.push(d.providedInformation[0])))).toEqual(['providedInformation:uniqueBy']);
  });

  it('needs at least one row, queried or provided', () => {
    expectValid(form0307, variant(example, (d) => (d.queryAffairs = [])));
    expectValid(form0307, variant(example, (d) => (d.providedInformation = [])));
    expect(
      rulesOf(
        form0307,
        variant(example, (d) => {
          d.queryAffairs = [];
          d.providedInformation = [];
        }),
      ),
    ).toEqual(['queryAffairs:atLeastOneRow']);
  });

  it('records the catalog version it was filled against', () => {
    expect(rulesOf(form0307, variant(example, (d) => (d.catalogVersion = 'beppyo2-2024')))).toEqual(['catalogVersion:isIn']);
  });
});

describe('様03-07: 特定個人情報保護評価 (PIA) of each row', () => {
  const withPia = (pia: unknown) => variant(example, (d) => (d.queryAffairs[1].pia = pia));
  const piaRules = (pia: unknown) => rulesOf(form0307, withPia(pia));

  it('done: at least one evaluation', () => {
    const violations = violationsOf(form0307, withPia({ status: '実施済' }));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['queryAffairs[1].pia.documents:piaDocuments']);
    expect(violations[0]?.message.ja).toContain('該当する全ての特定個人情報保護評価書');
    expect(piaRules({ status: '実施済', documents: [] })).toEqual(['queryAffairs[1].pia.documents:piaDocuments']);
  });

  it('done: every evaluation with its number and title', () => {
    const pia = { status: '実施済', documents: [{ number: '1', title: '個人住民税に関する事務 全項目評価書' }, { number: '', title: '' }] };
    expect(piaRules(pia)).toEqual(['queryAffairs[1].pia.documents[1].number:matches', 'queryAffairs[1].pia.documents[1].title:isNotEmpty']);
    expect(piaRules({ status: '実施済', documents: [{ number: '第1号', title: '個人住民税' }] })).toEqual(['queryAffairs[1].pia.documents[0].number:matches']);
    // A serial from 1, as printed: not 0, not zero-padded.
    for (const number of ['0', '000000', '01']) expect([number, piaRules({ status: '実施済', documents: [{ number, title: '個人住民税' }] })]).toEqual([number, ['queryAffairs[1].pia.documents[0].number:matches']]);
  });

  it('one report once in a row (its number and title): two evaluating organs’ No.1 may stand side by side', () => {
    const twice = { status: '実施済', documents: [{ number: '91', title: '個人住民税' }, { number: '91', title: '個人 住民税' }] };
    expect(piaRules(twice)).toEqual(['queryAffairs[1].pia.documents:uniqueBy']);
    expect(piaRules({ status: '実施済', documents: [{ number: '1', title: '市長 個人住民税' }, { number: '1', title: '教育委員会 就学援助' }] })).toEqual([]);
  });


  it('done: no reason for not doing it', () => {
    expect(piaRules({ status: '実施済', documents: [{ number: '91', title: '個人住民税' }], reason: 'その他' })).toEqual(['queryAffairs[1].pia.reason:piaReason']);
  });

  it('not done: the reason is 1000人未満 or その他', () => {
    expectValid(form0307, withPia({ status: '未実施', reason: '保有する特定個人情報ファイル1000人未満' }));
    const violations = violationsOf(form0307, withPia({ status: '未実施' }));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['queryAffairs[1].pia.reason:piaReason']);
    expect(violations[0]?.message.ja).toContain('保有する特定個人情報ファイル1000人未満');
    expect(piaRules({ status: '未実施', reason: '予定なし' })).toEqual(['queryAffairs[1].pia.reason:piaReason']);
  });

  it('not done for その他: the written reason is required', () => {
    const violations = violationsOf(form0307, withPia({ status: '未実施', reason: 'その他' }));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['queryAffairs[1].pia.reasonText:piaReasonText']);
    expect(violations[0]?.message.ja).toContain('具体的な理由');
    expect(piaRules({ status: '未実施', reason: 'その他', reasonText: '   ' })).toEqual(['queryAffairs[1].pia.reasonText:piaReasonText']);
    expectValid(form0307, withPia({ status: '未実施', reason: 'その他', reasonText: '令和9年4月の事務開始に合わせて評価を実施予定のため' }));
  });

  it('not done: no evaluation listed, and a written reason only with その他', () => {
    expect(piaRules({ status: '未実施', reason: '保有する特定個人情報ファイル1000人未満', documents: [{ number: '91', title: 'x' }] })).toEqual([
      'queryAffairs[1].pia.documents:piaDocuments',
    ]);
    expect(piaRules({ status: '未実施', reason: '保有する特定個人情報ファイル1000人未満', reasonText: '少ないため' })).toEqual(['queryAffairs[1].pia.reasonText:piaReasonText']);
  });

  it('the status is one of 実施済 / 未実施', () => {
    expect(piaRules({ status: '一部実施' })).toEqual(['queryAffairs[1].pia.status:isIn']);
  });

  it('applies to provided information too', () => {
    expect(rulesOf(form0307, variant(example, (d) => (d.providedInformation[0].pia = { status: '未実施' })))).toEqual(['providedInformation[0].pia.reason:piaReason']);
  });
});
