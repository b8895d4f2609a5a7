import { DELEGATION_BASIS_IDS, findBeppyo2Item } from '@nws/reference-catalog';
import { form0308 } from './form-03-08.form';
import { expectValid, rulesOf, variant, violationsOf } from './testing/form-spec.helpers';

const example = form0308.example;
const TOKYO = '130001';
const HACHIOJI = '132012';
/** A 一部事務組合 (codes of associations are not in our list; the check digit is right). */
const ASSOCIATION = '138002';

const link = (delegatorCode: string, delegateeCode: string, over: Record<string, unknown> = {}) => ({
  delegatorCode,
  delegateeCode,
  basis: '地方自治法第284条',
  instrumentKind: '規約',
  instrumentName: '多摩地域滞納整理事務組合規約',
  delegatorHoldsByLaw: true,
  ...over,
});
/** Edits the delegation of row (1)[0]. */
const withDelegation = (edit: (delegation: Record<string, any>) => void) => variant(example, (d) => edit(d.receivedQueryAffairs[0].delegation));

describe('様03-08 委任・受任: the basis of a delegation', () => {
  it('is one of the five articles of 地方自治法 of the drop-down', () => {
    expect(DELEGATION_BASIS_IDS).toEqual(['地方自治法第180条の2', '地方自治法第180条の7', '地方自治法第252条の14', '地方自治法第252条の17の2', '地方自治法第284条']);
    const violations = violationsOf(form0308, withDelegation((del) => (del['chain'][0].basis = '地方自治法第2条')));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['receivedQueryAffairs[0].delegation.chain[0].basis:delegationBasis']);
    expect(violations[0]?.message.ja).toContain('地方自治法第252条の14');
  });

  it('a guideline or notice (要綱・通知) is refused, saying it does not allow use of the network', () => {
    for (const edit of [
      (l: Record<string, unknown>) => (l['basis'] = '八王子市事務委任要綱'),
      (l: Record<string, unknown>) => (l['instrumentKind'] = '要綱'),
      (l: Record<string, unknown>) => (l['instrumentKind'] = '通知'),
      (l: Record<string, unknown>) => (l['instrumentName'] = '小児慢性特定疾病医療費の事務の取扱いに関する通知'),
      (l: Record<string, unknown>) => (l['instrumentName'] = '八王子市小児慢性特定疾病医療費事務取扱要綱'),
    ]) {
      const violations = violationsOf(form0308, withDelegation((del) => edit(del['chain'][0])));
      expect(violations.map((v) => v.rule)).toEqual(['delegationByGuidance']);
      expect(violations[0]?.message.ja).toContain('情報提供ネットワークシステムを利用できません');
      expect(violations[0]?.message.en).toContain('does not allow the delegatee to use the network');
    }
  });

  it('a 規則 that merely mentions 通知カード in its title is not a notice', () => {
    expectValid(
      form0308,
      withDelegation((del) => {
        del['chain'] = [link(HACHIOJI, HACHIOJI, { basis: '地方自治法第180条の2', instrumentKind: '規則', instrumentName: '通知カード及び個人番号カードに関する事務の委任に関する規則' })];
        del['delegators'] = [HACHIOJI];
      }),
    );
  });

  it('names the attached ordinance, rule or agreement, of a kind the article works through', () => {
    expect(rulesOf(form0308, withDelegation((del) => (del['chain'][0].instrumentName = '')))).toEqual(['receivedQueryAffairs[0].delegation.chain[0].instrumentName:isNotEmpty']);
    // 第252条の14 (事務の委託) is done by 規約, not by 条例.
    const violations = violationsOf(form0308, withDelegation((del) => (del['chain'][0] = link(TOKYO, HACHIOJI, { basis: '地方自治法第252条の14', instrumentKind: '条例' }))));
    expect(violations.map((v) => v.rule)).toEqual(['instrumentOfBasis']);
    expect(violations[0]?.message.ja).toContain('「規約」');
  });
});

describe('様03-08: whom each article delegates between', () => {
  const only = (edit: (l: Record<string, unknown>) => void) => rulesOf(form0308, withDelegation((del) => edit(del['chain'][0])));
  it('第252条の17の2 (事務処理の特例): a prefecture to a 市区町村 of that prefecture', () => {
    expect(only((l) => Object.assign(l, { delegatorCode: TOKYO, delegateeCode: HACHIOJI }))).toEqual([]);
    // A city to a city, a prefecture to another prefecture's city (横浜市), a city to an association.
    for (const [from, to] of [['132021', HACHIOJI], [TOKYO, '141003'], [HACHIOJI, ASSOCIATION]] as const) {
      const violations = violationsOf(form0308, withDelegation((del) => Object.assign(del['chain'][0], { delegatorCode: from, delegateeCode: to })));
      expect([from, to, violations.filter((v) => v.rule === 'basisParties').map((v) => v.field)]).toEqual([from, to, ['receivedQueryAffairs[0].delegation.chain[0].basis']]);
    }
  });

  it('第180条の2 and 第180条の7: between organs of one local government (one code); 第252条の14 and 第284条: to another body, never to itself', () => {
    const sameBody = { basis: '地方自治法第180条の2', instrumentKind: '規則', instrumentName: '八王子市長の権限に属する事務の委任に関する規則' };
    expect(
      rulesOf(
        form0308,
        withDelegation((del) => {
          Object.assign(del['chain'][0], sameBody, { delegatorCode: HACHIOJI, delegateeCode: HACHIOJI });
          del['delegators'] = [HACHIOJI];
        }),
      ),
    ).toEqual([]);
    expect(only((l) => Object.assign(l, sameBody, { delegatorCode: TOKYO, delegateeCode: HACHIOJI }))).toContain('receivedQueryAffairs[0].delegation.chain[0].basis:basisParties');
    for (const basis of ['地方自治法第252条の14', '地方自治法第284条']) {
      const toItself = { basis, instrumentKind: '規約', instrumentName: '事務の委託に関する規約', delegatorCode: HACHIOJI, delegateeCode: HACHIOJI };
      const violations = violationsOf(form0308, withDelegation((del) => Object.assign(del['chain'][0], toItself)));
      expect(violations.filter((v) => v.rule === 'basisParties').map((v) => v.message.en)).toEqual([expect.stringContaining('(delegator 132012, delegatee 132012)')]);
      expect(only((l) => Object.assign(l, toItself, { delegatorCode: HACHIOJI, delegateeCode: ASSOCIATION }))).not.toContain('receivedQueryAffairs[0].delegation.chain[0].basis:basisParties');
    }
    // 第284条 is to the association its members set up: not between two cities.
    expect(only((l) => Object.assign(l, { basis: '地方自治法第284条', instrumentKind: '規約', instrumentName: '組合規約', delegatorCode: '132021', delegateeCode: HACHIOJI }))).toContain('receivedQueryAffairs[0].delegation.chain[0].basis:basisParties');
  });
});

describe('様03-08: the delegators', () => {
  it('at least one, each a local government code with a valid check digit', () => {
    expect(rulesOf(form0308, withDelegation((del) => (del['delegators'] = [])))).toContain('receivedQueryAffairs[0].delegation.delegators:arrayMinSize');
    const violations = violationsOf(
      form0308,
      withDelegation((del) => {
        del['chain'][0].delegatorCode = '130002';
        del['delegators'] = ['130002', HACHIOJI];
        del['chain'].push(link(HACHIOJI, HACHIOJI, { basis: '地方自治法第180条の2', instrumentKind: '規則', instrumentName: '八王子市長の権限に属する事務の委任に関する規則' }));
      }),
    );
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual([
      'receivedQueryAffairs[0].delegation.chain[0].delegatorCode:localGovernmentCode',
      'receivedQueryAffairs[0].delegation.delegators:localGovernmentCode',
    ]);
    expect(violations[1]?.message.ja).toBe('receivedQueryAffairs[0].delegation.delegators: 「130002」は全国地方公共団体コード（6桁、検査数字付き）ではありません。');
  });

  it('all of them: an association working for several municipalities lists every one, each with its basis', () => {
    const members = ['132012', '132128', '132063']; // 八王子市, 日野市, 府中市
    const joint = {
      chain: members.map((m) => link(m, ASSOCIATION)),
      delegators: members,
      delegatorConfirmed: true,
    };
    expectValid(form0308, withDelegation((del) => Object.assign(del, joint)));

    const oneForgotten = withDelegation((del) => Object.assign(del, { ...joint, delegators: members.slice(0, 2) }));
    const violations = violationsOf(form0308, oneForgotten);
    expect(violations.map((v) => v.rule)).toEqual(['everyDelegatorListed']);
    expect(violations[0]?.message.ja).toContain('不足: 132063');

    const listedWithoutBasis = withDelegation((del) => Object.assign(del, { ...joint, chain: joint.chain.slice(0, 2) }));
    expect(violationsOf(form0308, listedWithoutBasis)[0]?.message.ja).toContain('根拠のない委任元: 132063');
  });

  it('each once', () => {
    expect(rulesOf(form0308, withDelegation((del) => (del['delegators'] = [TOKYO, TOKYO])))).toEqual(['receivedQueryAffairs[0].delegation.delegators:uniqueBy']);
  });

  it('the delegator has confirmed the entry (委任元機関による確認)', () => {
    for (const value of [false, undefined, 'true']) {
      const violations = violationsOf(form0308, withDelegation((del) => (del['delegatorConfirmed'] = value)));
      expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['receivedQueryAffairs[0].delegation.delegatorConfirmed:isChecked']);
      expect(violations[0]?.message.ja).toContain('委任元機関に記載内容の確認');
    }
  });
});

describe('様03-08: layered delegation (A→B→C) registers every basis in the chain', () => {
  // The guide's example: 地方税 of 都道府県 A delegated to municipality B, whose work association C does.
  const layered = { chain: [link(TOKYO, HACHIOJI, { basis: '地方自治法第252条の17の2', instrumentKind: '条例', instrumentName: '市町村における東京都の事務処理の特例に関する条例' }), link(HACHIOJI, ASSOCIATION, { delegatorHoldsByLaw: false })], delegators: [TOKYO, HACHIOJI], delegatorConfirmed: true };

  it('both steps registered: accepted', () => {
    expectValid(form0308, withDelegation((del) => Object.assign(del, layered)));
  });

  it('only B→C registered while B does not hold the affair by law: refused, naming B', () => {
    const onlyLast = { chain: [layered.chain[1]], delegators: [HACHIOJI], delegatorConfirmed: true };
    const violations = violationsOf(form0308, withDelegation((del) => Object.assign(del, onlyLast)));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['receivedQueryAffairs[0].delegation.chain:everyBasisInChain']);
    expect(violations[0]?.message.ja).toContain('132012 への委任の根拠がありません');
  });

  it('each step needs its basis', () => {
    const violations = violationsOf(form0308, withDelegation((del) => Object.assign(del, layered, { chain: [layered.chain[0], { ...layered.chain[1], basis: undefined }] })));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['receivedQueryAffairs[0].delegation.chain[1].basis:delegationBasis']);
  });

  it('a chain needs at least one step', () => {
    expect(rulesOf(form0308, withDelegation((del) => Object.assign(del, { chain: [], delegators: [TOKYO] })))).toContain('receivedQueryAffairs[0].delegation.chain:arrayMinSize');
  });
});

describe('様03-08: the three sections', () => {
  it('(1) received query affairs are 別表第二 rows', () => {
    expect(rulesOf(form0308, variant(example, (d) => (d.receivedQueryAffairs[0].affairName = findBeppyo2Item('27')!.affair)))).toEqual([
      'receivedQueryAffairs[0].affairName:beppyo2AffairName',
    ]);
  });

  it('(2) a provision delegated names its delegatee by code', () => {
    const row = { itemNo: '27', personalInfoName: '地方税関係情報又は住民票関係情報であって主務省令で定めるもの', delegateeCode: ASSOCIATION };
    expectValid(form0308, variant(example, (d) => d.delegatedProvisions.push(row)));
    expect(rulesOf(form0308, variant(example, (d) => d.delegatedProvisions.push({ ...row, delegateeCode: '13800' })))).toEqual(['delegatedProvisions[0].delegateeCode:localGovernmentCode']);
  });

  it('(3) a provision received carries its basis and delegators', () => {
    expect(rulesOf(form0308, variant(example, (d) => delete d.receivedProvisions[0].delegation))).toEqual(['receivedProvisions[0].delegation:isDefined']);
  });

  it('takes a form without rows (a 変更 ending every delegation; the application refuses it elsewhere: connection-application.save-form.spec.ts)', () => {
    const empty = variant(example, (d) => {
      d.receivedQueryAffairs = [];
      d.receivedProvisions = [];
    });
    expect(rulesOf(form0308, empty)).toEqual([]);
  });
});

describe('様03-08: a value of the wrong type is said as such, not as a missing row or a wrong code', () => {
  it('the number 27 as 項番 is "must be a string", not "別表第二 has no item 27"; the number 130001 as a code is "must be a string", not "not a local government code"', () => {
    const numbered = variant(example, (d) => {
      d.receivedProvisions[0].itemNo = 27;
      d.receivedQueryAffairs[0].delegation.delegators = [Number(TOKYO)];
      d.receivedQueryAffairs[0].delegation.chain[0].delegatorCode = Number(TOKYO);
    });
    const violations = violationsOf(form0308, numbered);
    expect(violations.filter((v) => /itemNo$|delegators$|delegatorCode$/.test(v.field)).map((v) => `${v.field}:${v.rule}`)).toEqual([
      'receivedQueryAffairs[0].delegation.chain[0].delegatorCode:isString',
      'receivedQueryAffairs[0].delegation.delegators:isString',
      'receivedProvisions[0].itemNo:isString',
    ]);
    expect(JSON.stringify(violations)).not.toContain('別表第二に第27項はありません');
    expect(JSON.stringify(violations)).not.toContain('全国地方公共団体コード');
  });

  it('a step that is no object ([], [[…]], 1) is said at the step; the checks across the chain wait for well-formed steps, never saying "missing: undefined"', () => {
    const step = 'receivedProvisions[0].delegation.chain[0]';
    for (const wrong of [[], [[1]], [{}], 1]) {
      const violations = violationsOf(form0308, variant(example, (d) => (d.receivedProvisions[0].delegation.chain[0] = wrong)));
      expect([JSON.stringify(wrong), violations.map((v) => `${v.field}:${v.rule}`)]).toEqual([JSON.stringify(wrong), [`${step}:nestedValidation`]]);
      expect(violations[0]?.message).toEqual({ ja: `${step}: オブジェクトで指定してください。`, en: `${step}: must be an object` });
    }
    const missing = violationsOf(form0308, variant(example, (d) => delete d.receivedProvisions[0].delegation.chain[0].delegatorCode));
    expect(missing.map((v) => v.field)).toEqual([`${step}.delegatorCode`]);
    expect(JSON.stringify(missing)).not.toMatch(/undefined/);
    // Said as missing, not as the string a missing code also is not.
    expect(missing[0]).toMatchObject({ rule: 'isDefined', message: { ja: `${step}.delegatorCode: 必須です。`, en: `${step}.delegatorCode: is required` } });
    // A list of delegators that is not all codes is its own rule's to refuse, and not compared with the chain.
    const delegators = violationsOf(form0308, withDelegation((del) => (del['delegators'] = [{}, {}])));
    expect(delegators.map((v) => `${v.field}:${v.rule}`)).toEqual(['receivedQueryAffairs[0].delegation.delegators:isString']);
  });

  it('an instrument kind that is not text is refused without quoting "undefined" back', () => {
    const violations = violationsOf(form0308, withDelegation((del) => delete del['chain'][0].instrumentKind));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['receivedQueryAffairs[0].delegation.chain[0].instrumentKind:instrumentOfBasis']);
    expect(violations[0]?.message.en).toBe('receivedQueryAffairs[0].delegation.chain[0].instrumentKind: under 地方自治法第252条の17の2 the instrument must be one of 「条例」, 「規則」');
  });
});

describe('様03-08: a chain gives each step once and never leads back', () => {
  const chained = (links: ReturnType<typeof link>[]) =>
    withDelegation((delegation) => {
      delegation['chain'] = links;
      delegation['delegators'] = [...new Set(links.map((l) => l.delegatorCode))];
    });

  it('the same step twice is refused (chainWithoutRepeats, ja/en)', () => {
    const refused = violationsOf(form0308, chained([link(ASSOCIATION, HACHIOJI), link(ASSOCIATION, HACHIOJI)])).filter((v) => v.field.endsWith('.chain'));
    expect(refused.map((v) => `${v.field}:${v.rule}`)).toEqual(['receivedQueryAffairs[0].delegation.chain:chainWithoutRepeats']);
    expect(refused[0]!.message.en).toContain('repeats a step or leads back');
  });

  it('steps that lead back to a body they came from are refused; a fan-in of several delegators, and a step within one code (第180条の2), are chains', () => {
    const MACHIDA = '132098';
    const FUCHU = '132063';
    expect(rulesOf(form0308, chained([link(TOKYO, MACHIDA), link(MACHIDA, FUCHU), link(FUCHU, MACHIDA, { delegatorHoldsByLaw: false }), link(MACHIDA, HACHIOJI)]))).toContain(
      'receivedQueryAffairs[0].delegation.chain:chainWithoutRepeats',
    );
    expect(rulesOf(form0308, chained([link(TOKYO, ASSOCIATION), link(MACHIDA, ASSOCIATION)]))).not.toContain('receivedQueryAffairs[0].delegation.chain:chainWithoutRepeats');
    expect(rulesOf(form0308, chained([link(HACHIOJI, HACHIOJI, { basis: '地方自治法第180条の2' })]))).not.toContain('receivedQueryAffairs[0].delegation.chain:chainWithoutRepeats');
  });
});
