import { findBeppyo2Item } from '@nws/reference-catalog';
import type { JsonObject } from '@nws/engine';
import { crossFormViolations, type SavedForms } from './cross-form-checks';
import { connectionApplicationForms } from './index';
import { variant } from './testing/form-spec.helpers';

/** Saved forms as decide.ts holds them: the validated examples, edited. */
function saved(edits: Record<string, (d: any) => void>): SavedForms {
  const out: Record<string, { data: JsonObject }> = {};
  for (const [code, edit] of Object.entries(edits)) {
    const form = connectionApplicationForms.get(code)!;
    const result = form.validate(variant(form.example, edit));
    if (!result.ok) throw new Error(`${code}: ${JSON.stringify(result.violations)}`);
    out[code] = { data: result.value };
  }
  return out;
}

const HACHIOJI = '132012';
const MAYOR = { kind: '市町村長部局', code: HACHIOJI, name: '八王子市' };
const BOARD = { kind: '市町村教育委員会', code: HACHIOJI, name: '八王子市' };
const link = (basis: string, over: Record<string, unknown> = {}) => ({
  delegatorCode: HACHIOJI,
  delegateeCode: HACHIOJI,
  basis,
  instrumentKind: '規則',
  instrumentName: '事務の委任及び補助執行に関する規則',
  delegatorHoldsByLaw: true,
  ...over,
});

/** A 変更 receiving one query affair (様03-08 (1)) along `chain`, 様03-07 (1) listing it among the example's rows. */
function receiving(itemNo: string, chain: object[]): SavedForms {
  const affairName = findBeppyo2Item(itemNo)!.affair;
  const delegators = [...new Set(chain.map((l) => (l as { delegatorCode: string }).delegatorCode))];
  return saved({
    '03-07': (d) => {
      if (!d.queryAffairs.some((r: { itemNo: string }) => r.itemNo === itemNo)) d.queryAffairs.push({ itemNo, affairName, pia: { status: '未実施', reason: '保有する特定個人情報ファイル1000人未満' } });
    },
    '03-08': (d) => {
      d.receivedQueryAffairs = [{ itemNo, affairName, delegation: { chain, delegators, delegatorConfirmed: true } }];
      d.receivedProvisions = [];
    },
  });
}
const direction = (forms: SavedForms, organization: object) => crossFormViolations('変更', forms, organization as { kind: string }).filter((v) => v.rule === 'basisDirection');

describe('様03-08: 第180条の2 hands the head’s work to a 委員会, 第180条の7 a 委員会’s work to the head', () => {
  it('given 八王子市長部局 receiving 項38 (学校保健安全法, the 教育委員会’s) from its own code under 第180条の2, when it submits, then the link’s basis is refused naming the direction', () => {
    const violations = direction(receiving('38', [link('地方自治法第180条の2')]), MAYOR);
    expect(violations.map((v) => v.field)).toEqual(['forms.03-08.receivedQueryAffairs[0].delegation.chain[0].basis']);
    // Both sides are known: the delegatee is the applicant, the delegator the one organ the law names for 項38.
    expect(violations[0]!.message.ja).toContain('地方自治法第180条の2による委任は、長（首長部局・知事部局）から委員会（教育委員会等）へのものです（委任元は市町村教育委員会、委任先は市町村長部局）');
    expect(violations[0]!.message.ja).toContain('地方自治法第180条の7によります');
    expect(violations[0]!.message.en).toContain('地方自治法第180条の2 delegates from the head (its 首長部局 or 知事部局) to a 委員会');
    expect(violations[0]!.message.en).toContain('choose 地方自治法第180条の7');
  });

  it('given the same filing under 第180条の7 (the board’s work to the head’s staff), when it submits, then nothing is refused', () => {
    expect(crossFormViolations('変更', receiving('38', [link('地方自治法第180条の7')]), MAYOR)).toEqual([]);
  });

  it('given 八王子市教育委員会 receiving 項13 (保育, the 市町村長’s) from its head under 第180条の2, then it is accepted; under 第180条の7 it is refused', () => {
    expect(direction(receiving('13', [link('地方自治法第180条の2')]), BOARD)).toEqual([]);
    const reversed = direction(receiving('13', [link('地方自治法第180条の7')]), BOARD);
    expect(reversed.map((v) => v.field)).toEqual(['forms.03-08.receivedQueryAffairs[0].delegation.chain[0].basis']);
    expect(reversed[0]!.message.ja).toContain('地方自治法第180条の7による委任は、委員会（教育委員会等）から長（首長部局・知事部局）へのものです（委任元は市町村長部局、委任先は市町村教育委員会）');
  });

  it('given a delegator that does not hold the affair by law, then only the delegatee is judged (the applicant), not a guess of who handed it on', () => {
    // 東京都 → 八王子市 (事務処理特例), then two links within 132012: which organs the middle one joins
    // is not on the form (either article may be right there); the last ends at the applicant.
    const chain = (middle: string, last: string) => [
      link('地方自治法第252条の17の2', { delegatorCode: '130001', instrumentKind: '条例', instrumentName: '市町村における東京都の事務処理の特例に関する条例' }),
      link(middle, { delegatorHoldsByLaw: false }),
      link(last, { delegatorHoldsByLaw: false }),
    ];
    expect(direction(receiving('9', chain('地方自治法第180条の2', '地方自治法第180条の7')), MAYOR)).toEqual([]);
    expect(direction(receiving('9', chain('地方自治法第180条の7', '地方自治法第180条の2')), MAYOR).map((v) => v.field)).toEqual(['forms.03-08.receivedQueryAffairs[0].delegation.chain[2].basis']);
  });

  it('given a link between two codes, or one within an association’s code (one organ), then the direction is not this rule’s to say', () => {
    // The example's links run from 東京都 to 八王子市 (第252条の17の2): between two codes, basisParties' to judge.
    expect(direction(saved({ '03-07': () => undefined, '03-08': () => undefined }), MAYOR)).toEqual([]);
    const association = '138266';
    const own = link('地方自治法第180条の2', { delegatorCode: association, delegateeCode: association });
    expect(direction(receiving('38', [own]), { kind: '一部事務組合・広域連合', code: association })).toEqual([]);
  });
});
