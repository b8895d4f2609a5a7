import { findBeppyo2Item } from '@nws/reference-catalog';
import type { JsonObject } from '@nws/engine';
import { crossFormViolations, type SavedForms } from './cross-form-checks';
import { connectionApplicationForms } from './index';
import { variant } from './testing/form-spec.helpers';

/** Saved forms as decide.ts holds them: the validated examples, optionally edited. */
function saved(codes: string[], edits: Record<string, (d: any) => void> = {}): SavedForms {
  const out: Record<string, { data: JsonObject }> = {};
  for (const code of codes) {
    const form = connectionApplicationForms.get(code)!;
    const input = variant(form.example, edits[code] ?? (() => undefined));
    const result = form.validate(input);
    if (!result.ok) throw new Error(`${code}: ${JSON.stringify(result.violations)}`);
    out[code] = { data: result.value };
  }
  return out;
}
const fieldsOf = (category: string, forms: SavedForms, organization?: { kind: string; code?: string; name?: string }) => crossFormViolations(category, forms, organization).map((v) => `${v.field}:${v.rule}`);
const ALL = ['03-06', '03-07', '03-08', '03-09'];

describe('crossFormViolations: the 様03-06 checklist and the forms saved', () => {
  it('every ticked form saved and every saved form ticked: nothing to say', () => {
    expect(fieldsOf('接続', saved(ALL), { kind: '市町村長部局' })).toEqual([]);
    expect(fieldsOf('接続', saved(ALL), { kind: '市町村長部局', code: '132012' })).toEqual([]);
  });

  it('様02-01\'s organisation block is the applicant\'s: a local government\'s organ in its prefecture; 取りまとめ都道府県 a governor department only', () => {
    const hachioji = { kind: '市町村長部局', code: '132012', name: '八王子市', prefectureCode: '130001' };
    expect(fieldsOf('登録', saved(['02-01']), hachioji)).toEqual([]);
    const typed = (d: any) => (d.organization = { category1: 'その他', category2: '大阪府', name: '八王子市', classification: '取りまとめ都道府県' });
    expect(fieldsOf('登録', saved(['02-01'], { '02-01': typed }), hachioji)).toEqual([
      'forms.02-01.organization.category1:applicantBody',
      'forms.02-01.organization.category2:applicantBody',
      'forms.02-01.organization.classification:applicantBody',
    ]);
    const tokyo = { kind: '都道府県知事部局', code: '130001', name: '東京都', prefectureCode: '130001' };
    expect(fieldsOf('登録', saved(['02-01'], { '02-01': (d: any) => Object.assign(d.organization, { classification: '取りまとめ都道府県', name: '東京都' }) }), tokyo)).toEqual([]);
  });

  it("様02-01's 機関名 names the applicant: another body's form (the published example is 八王子市's) is refused, the body's name written more fully is not", () => {
    const tokyo = { kind: '都道府県知事部局', code: '130001', name: '東京都', prefectureCode: '130001' };
    const copied = crossFormViolations('登録', saved(['02-01']), tokyo);
    expect(copied.map((v) => `${v.field}:${v.rule}`)).toEqual(['forms.02-01.organization.name:applicantBody']);
    expect(copied[0]!.message.ja).toContain('機関名は申請者「東京都」の名称です');
    expect(copied[0]!.message.en).toContain('機関名 names the applicant, 東京都');
    const board = { kind: '市町村教育委員会', code: '132012', name: '八王子市', prefectureCode: '130001' };
    for (const name of ['八王子市', '東京都八王子市', '八王子市教育委員会', '八王子市 教育委員会', '八王子市\u3000教育委員会']) {
      expect([name, fieldsOf('登録', saved(['02-01'], { '02-01': (d: any) => (d.organization.name = name) }), board)]).toEqual([name, []]);
    }
    expect(fieldsOf('登録', saved(['02-01'], { '02-01': (d: any) => (d.organization.name = '八王子') }), board)).toEqual(['forms.02-01.organization.name:applicantBody']);
    // 龍ケ崎市 (082082) is listed with ケ; written with the small ヶ it is the same name.
    const ryugasaki = { kind: '市町村長部局', code: '082082', name: '龍ケ崎市', prefectureCode: '080004' };
    expect(fieldsOf('登録', saved(['02-01'], { '02-01': (d: any) => Object.assign(d.organization, { name: '龍ヶ崎市', category2: '茨城県' }) }), ryugasaki)).toEqual([]);
  });

  it('様03-08 is the linking body\'s: what it received ends with it, what it delegated went to another body', () => {
    const hachioji = { kind: '市町村長部局', code: '132012' };
    // Filed by 立川市 (132021) with 八王子市's rows: the chains end at 八王子市, and 27-2 "delegated" to 132021 is to itself.
    expect(fieldsOf('接続', saved(['03-07', '03-08'], { '03-08': (d: any) => (d.delegatedProvisions = [{ itemNo: '27', personalInfoName: d.receivedProvisions[0].personalInfoName, delegateeCode: '132021' }]) }), { kind: '市町村長部局', code: '132021' })).toEqual([
      'forms.03-08.delegatedProvisions[0]:delegatedRowNotProvided',
      'forms.03-08.receivedQueryAffairs[0].delegation.chain[0].delegateeCode:chainEndsAtApplicant',
      'forms.03-08.receivedProvisions[0].delegation.chain[0].delegateeCode:chainEndsAtApplicant',
    ]);
    expect(fieldsOf('接続', saved(['03-07', '03-08']), hachioji)).toEqual([]);
  });

  it('a delegation to another organ of the applicant\u2019s own code (地方自治法第180条の2: 市長 to 教育委員会) is filed by the delegating side too; an association (one organ) delegates to itself to nobody', () => {
    const delegatedToOwnCode = (code: string) => (d: any) => {
      d.delegatedProvisions = [{ itemNo: '27', personalInfoName: d.receivedProvisions[0].personalInfoName, delegateeCode: code }];
      d.receivedQueryAffairs = [];
      d.receivedProvisions = [];
    };
    const delegated = (f: string) => f.startsWith('forms.03-08.delegatedProvisions');
    expect(fieldsOf('接続', saved(['03-07', '03-08'], { '03-08': delegatedToOwnCode('132012') }), { kind: '市町村長部局', code: '132012' }).filter(delegated).filter((f) => !f.endsWith(':delegatedRowNotProvided'))).toEqual([]);
    expect(fieldsOf('接続', saved(['03-07', '03-08'], { '03-08': delegatedToOwnCode('138266') }), { kind: '一部事務組合・広域連合', code: '138266' }).filter(delegated)).toContain(
      'forms.03-08.delegatedProvisions[0].delegateeCode:delegateeIsAnotherBody',
    );
  });

  it('様03-09 ticked (条例連携) but not saved', () => {
    const violations = crossFormViolations('接続', saved(['03-06', '03-07', '03-08']));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['forms.03-09:attachedFormSaved']);
    expect(violations[0]?.message.ja).toContain('様03-09が保存されていません');
  });

  it('様03-09 saved but not ticked (no 条例連携 declared)', () => {
    const noLinkage = (d: any) => {
      d.independentUseLinkage = false;
      d.attachments.form0309 = false;
    };
    expect(fieldsOf('接続', saved(ALL, { '03-06': noLinkage }))).toEqual(['forms.03-06.attachments.form0309:attachedFormSaved']);
    expect(fieldsOf('接続', saved(['03-06', '03-07', '03-08'], { '03-06': noLinkage }))).toEqual([]);
  });

  it('様03-08 ticked but not saved, and saved but not ticked', () => {
    expect(fieldsOf('接続', saved(['03-06', '03-07', '03-09']))).toEqual(['forms.03-08:attachedFormSaved']);
    const noDelegation = (d: any) => (d.attachments.form0308 = false);
    expect(fieldsOf('接続', saved(ALL, { '03-06': noDelegation }))).toEqual(['forms.03-06.attachments.form0308:attachedFormSaved']);
    expect(fieldsOf('接続', saved(['03-06', '03-07', '03-09'], { '03-06': noDelegation }))).toEqual([]);
  });

  it('様03-06 belongs to a 接続 application only', () => {
    expect(fieldsOf('登録', saved(['03-06']))).toEqual(['forms.03-06:connectionOnly']);
  });

  it('the body type on 様03-06 is the applicant\u2019s', () => {
    // (Its 市町村長 affairs and information in 様03-07 are not a board's either: query-rights.spec.ts.)
    const ofRights = (f: string) => f.endsWith(':querierOfAffair') || f.endsWith(':providerOfInformation');
    expect(fieldsOf('接続', saved(ALL), { kind: '市町村教育委員会' }).filter((f) => !ofRights(f))).toEqual(['forms.03-06.bodyType:bodyTypeOfApplicant']);
    const wideArea = (d: any) => {
      d.bodyType = '後期高齢者医療広域連合';
    };
    expect(fieldsOf('接続', saved(ALL, { '03-06': wideArea }), { kind: '一部事務組合・広域連合' }).filter((f) => !ofRights(f))).toEqual([]);
  });

  it('a 後期高齢者医療広域連合 is the association its name says is one: it says so on 様03-06, another association may not', () => {
    const wideArea = (d: any) => {
      d.bodyType = '後期高齢者医療広域連合';
    };
    const association = (d: any) => {
      d.bodyType = '一部事務組合・広域連合';
      d.interfaceAspUse = true;
    };
    const union = { kind: '一部事務組合・広域連合', code: '138266', name: '東京都後期高齢者医療広域連合' };
    const other = { kind: '一部事務組合・広域連合', code: '138266', name: '西多摩衛生組合' };
    const bodyType = (forms: SavedForms, organization: { kind: string; code: string; name: string }) => fieldsOf('接続', forms, organization).filter((f) => f.startsWith('forms.03-06.bodyType'));
    expect(bodyType(saved(ALL, { '03-06': wideArea }), union)).toEqual([]);
    expect(bodyType(saved(ALL, { '03-06': association }), other)).toEqual([]);
    expect(bodyType(saved(ALL, { '03-06': wideArea }), other)).toEqual(['forms.03-06.bodyType:bodyTypeOfApplicant']);
    expect(bodyType(saved(ALL, { '03-06': association }), union)).toEqual(['forms.03-06.bodyType:bodyTypeOfApplicant']);
    expect(crossFormViolations('接続', saved(ALL, { '03-06': association }), union).find((v) => v.field === 'forms.03-06.bodyType')?.message.ja).toContain('「後期高齢者医療広域連合」を選択');
  });
});

describe('crossFormViolations: 様03-08 rows agree with 様03-07', () => {
  it('an affair queried by delegation is also in 03-07 (1)', () => {
    const without9 = (d: any) => (d.queryAffairs = d.queryAffairs.filter((r: { itemNo: string }) => r.itemNo !== '9'));
    const violations = crossFormViolations('変更', saved(['03-07', '03-08'], { '03-07': without9 }));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['forms.03-08.receivedQueryAffairs[0]:delegatedRowInForm0307']);
    expect(violations[0]?.message.ja).toContain('第9項');
  });

  it('information provided by delegation is also in 03-07 (2)', () => {
    const without27_2 = (d: any) => (d.providedInformation = d.providedInformation.filter((r: { personalInfoName: string }) => !r.personalInfoName.startsWith('障害者関係情報')));
    expect(fieldsOf('変更', saved(['03-07', '03-08'], { '03-07': without27_2 }))).toEqual(['forms.03-08.receivedProvisions[0]:delegatedRowInForm0307']);
  });

  it('information delegated away is not in 03-07 (2): the delegatee provides it', () => {
    const delegateTax = (d: any) => d.delegatedProvisions.push({ itemNo: '27', personalInfoName: '地方税関係情報又は住民票関係情報であって主務省令で定めるもの', delegateeCode: '138002' });
    const violations = crossFormViolations('変更', saved(['03-07', '03-08'], { '03-08': delegateTax }));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['forms.03-08.delegatedProvisions[0]:delegatedRowNotProvided']);
    expect(violations[0]?.message.en).toContain('remove it from form 03-07 (2)');
  });
});

describe('crossFormViolations: one catalog version across the forms', () => {
  it('様03-08 filled against another 別表第二 version than 様03-07 is refused', () => {
    const forms = saved(['03-07', '03-08']);
    const other: SavedForms = { ...forms, '03-08': { data: { ...forms['03-08']!.data, catalogVersion: 'beppyo2-2024' } } };
    expect(fieldsOf('変更', other)).toEqual(['forms.03-08.catalogVersion:sameCatalogVersion']);
  });
});

describe('crossFormViolations: the delegation instruments of 様03-08 are attached (様03-06 その他)', () => {
  const instrument = '市町村における東京都の事務処理の特例に関する条例';

  it('the example names the ordinance in 03-08 and attaches an extract of it in 03-06', () => {
    expect(fieldsOf('接続', saved(ALL), { kind: '市町村長部局' })).toEqual([]);
  });

  it('an instrument named in 03-08 but not attached is refused, naming it', () => {
    const otherFile = (d: any) => (d.attachments.otherAttachments = [{ kind: '特定個人情報保護評価書', title: instrument }]);
    const violations = crossFormViolations('接続', saved(ALL, { '03-06': otherFile }), { kind: '市町村長部局' });
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['forms.03-06.attachments.otherAttachments:delegationInstrumentAttached']);
    expect(violations[0]?.message.ja).toContain(`「${instrument}」を添付し`);
    expect(violations[0]?.message.en).toContain(instrument);
  });

  it('every instrument of every chain is attached, not just one', () => {
    const secondDelegator = (d: any) => {
      const delegation = d.receivedProvisions[0].delegation;
      // A second holder of the row by law (its 情報提供者 is 都道府県知事) entrusting it by agreement.
      delegation.chain.push({ delegatorCode: '140007', delegateeCode: '132012', basis: '地方自治法第252条の14', instrumentKind: '規約', instrumentName: '神奈川県八王子市間の事務の委託に関する規約', delegatorHoldsByLaw: true });
      delegation.delegators.push('140007');
    };
    const violations = crossFormViolations('接続', saved(ALL, { '03-08': secondDelegator }), { kind: '市町村長部局' });
    expect(violations.map((v) => v.rule)).toEqual(['delegationInstrumentAttached']);
    expect(violations[0]?.message.ja).toContain('「神奈川県八王子市間の事務の委託に関する規約」');
    expect(violations[0]?.message.ja).not.toContain(`「${instrument}」`);
  });

  it('a delegator alone (委任 only, no basis to file) attaches nothing', () => {
    const delegatorOnly = (d: any) => {
      d.receivedQueryAffairs = [];
      d.receivedProvisions = [];
      d.delegatedProvisions = [{ itemNo: '27', personalInfoName: '地方税関係情報又は住民票関係情報であって主務省令で定めるもの', delegateeCode: '138002' }];
    };
    const noFiles = (d: any) => {
      d.attachments.other = false;
      delete d.attachments.otherAttachments;
    };
    const forms = saved(ALL, {
      '03-06': noFiles,
      '03-08': delegatorOnly,
      '03-07': (d: any) => {
        // 項27's 障害者関係情報 (都道府県知事's) was provided by delegation: without its 受任, not provided.
        d.providedInformation = d.providedInformation.filter((r: { personalInfoName: string }) => !r.personalInfoName.startsWith('地方税関係情報又は') && !r.personalInfoName.startsWith('障害者関係情報'));
        // 項9 (都道府県知事's) was queried by delegation: without its 受任, not queried.
        d.queryAffairs = d.queryAffairs.filter((r: { itemNo: string }) => r.itemNo !== '9');
      },
    });
    expect(fieldsOf('接続', forms, { kind: '市町村長部局' })).toEqual([]);
  });
});

describe('crossFormViolations: a 委任元 holding the affair by law is one the law names for the row', () => {
  const link = (delegatorCode: string, over: Record<string, unknown> = {}) => ({
    delegatorCode,
    delegateeCode: '132012',
    basis: '地方自治法第252条の14',
    instrumentKind: '規約',
    instrumentName: '事務の委託に関する規約',
    delegatorHoldsByLaw: true,
    ...over,
  });
  const only = (edit: (d: any) => void) => crossFormViolations('接続', saved(ALL, { '03-08': edit }), { kind: '市町村長部局', code: '132012' }).filter((v) => v.rule === 'holderByLaw');

  it('the example (東京都知事 for 項9, a 都道府県知事 affair, and row 27-2) holds them by law', () => {
    expect(only(() => undefined)).toEqual([]);
  });

  it('a 町 (瑞穂町) as holder of 項9, whose 情報照会者 is 都道府県知事, is refused naming the link (a 市 may be one by 大都市特例)', () => {
    const violations = only((d) => {
      d.receivedQueryAffairs[0].delegation.chain = [link('133035')];
      d.receivedQueryAffairs[0].delegation.delegators = ['133035'];
    });
    expect(violations.map((v) => v.field)).toEqual(['forms.03-08.receivedQueryAffairs[0].delegation.chain[0].delegatorHoldsByLaw']);
    expect(violations[0]!.message.ja).toContain('情報照会者（「都道府県知事」）ではありません');
    expect(only((d) => {
      d.receivedQueryAffairs[0].delegation.chain = [link('132128')];
      d.receivedQueryAffairs[0].delegation.delegators = ['132128'];
    })).toEqual([]);
  });

  it('a provision row whose 情報提供者 is a prefecture (27-2) received from a 町 by law is refused', () => {
    const violations = only((d) => {
      d.receivedProvisions[0].delegation.chain = [link('133035')];
      d.receivedProvisions[0].delegation.delegators = ['133035'];
    });
    expect(violations.map((v) => v.field)).toEqual(['forms.03-08.receivedProvisions[0].delegation.chain[0].delegatorHoldsByLaw']);
    expect(violations[0]!.message.en).toContain('情報提供者');
  });

  it('a board of education handing its affair to the head’s staff (第180条の7, one code) holds it by law: the 委任元 is any organ of its code', () => {
    const violations = only((d) => {
      d.receivedQueryAffairs[0].itemNo = '38';
      d.receivedQueryAffairs[0].affairName = findBeppyo2Item('38')!.affair;
      d.receivedQueryAffairs[0].delegation.chain = [link('132012', { basis: '地方自治法第180条の7', instrumentKind: '規則', instrumentName: '教育委員会の権限に属する事務の補助執行に関する規則' })];
      d.receivedQueryAffairs[0].delegation.delegators = ['132012'];
    });
    expect(violations).toEqual([]);
  });

  it('a chain where nobody holds the affair by law (a body to itself, links that hand it round) hands down nothing', () => {
    const violations = only((d) => {
      d.receivedQueryAffairs[0].delegation.chain = [link('132012', { basis: '地方自治法第180条の2', instrumentKind: '規則', instrumentName: '事務の委任に関する規則', delegatorHoldsByLaw: false })];
      d.receivedQueryAffairs[0].delegation.delegators = ['132012'];
    });
    expect(violations.map((v) => v.field)).toEqual(['forms.03-08.receivedQueryAffairs[0].delegation.chain']);
  });
});
