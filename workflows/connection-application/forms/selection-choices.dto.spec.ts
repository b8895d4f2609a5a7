import fc from 'fast-check';
import { ValidationFailedError, type JsonObject } from '@nws/engine';
import { specify, type GivenEvent } from '@nws/engine/testing';
import { FORM_GENERATION_INPUT_KEYS, generateForms, type FormGenerationInput } from '@nws/reference-catalog';
import { connectionApplicationV1 } from '../connection-application.workflow';
import { created, formSaved, hachiojiApplicant } from '../testing/fixtures';
import { FormGenerationInputDto, GenerateSelectionFormsDto, SELECTION_EXAMPLE, checkSelectionInput } from './selection-choices.dto';

const pia = { status: '実施済', documents: [{ number: '1', title: '住民基本台帳に関する事務 全項目評価書' }] };
const delegation = {
  chain: [{ delegatorCode: '130001', delegateeCode: '132012', basis: '地方自治法第252条の17の2', instrumentKind: '条例', instrumentName: '特別区における東京都の事務処理の特例に関する条例', delegatorHoldsByLaw: true }],
  delegators: ['130001'],
  delegatorConfirmed: true,
};
const valid: JsonObject = { body: { bodyType: '市町村長部局', localGovernmentCode: '132012' }, applicationDate: '2026/12/07', pia };

/** Any JSON, plus the shapes of the real choices, so mutations reach past the first level. */
const anything = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(pia),
  fc.constant([{ itemNo: '9', delegation }]),
  fc.constant([{ key: '27-4', delegation }]),
  fc.constant({ '27': pia, '27-4': { status: '未実施' } }),
  fc.constant(['27']),
  fc.constant(delegation),
);
const mutation = fc.dictionary(fc.constantFrom(...FORM_GENERATION_INPUT_KEYS.filter((key) => key !== 'body'), 'body'), anything, { minKeys: 1, maxKeys: 4 });

describe('selection screen input: shapes', () => {
  it('given the DTO accepts an input, the catalog never throws on it: every shape it reads is held to one', () => {
    fc.assert(
      fc.property(mutation, (change) => {
        const input = { ...valid, ...change };
        if (checkSelectionInput(FormGenerationInputDto, input).length > 0) return;
        const result = generateForms(input as unknown as FormGenerationInput);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });

  it('given any choices on a draft, then the command decides forms or refuses with named fields, never a TypeError', () => {
    const spec = specify(connectionApplicationV1);
    const connection: GivenEvent = { ...created, data: { ...created.data, category: '接続' } };
    const application = spec.given([connection, formSaved('03-06')]).application;
    const meta = { actor: hachiojiApplicant, now: '2026-12-04T16:30:00.000Z', commandId: 'c', correlationId: 'c' };
    const choices = fc.dictionary(fc.constantFrom('pia', 'piaByQuery', 'piaByProvision', 'notQuerying', 'receivedQueries', 'receivedProvisions', 'delegatedProvisions', 'alsoProviding', 'independentUse', 'extraChoices'), anything, { maxKeys: 4 });
    fc.assert(
      fc.property(choices, (payload) => {
        try {
          expect(connectionApplicationV1.decide('generate-selection-forms', application, { pia, ...payload } as JsonObject, meta).length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationFailedError);
          const violations = (error as ValidationFailedError).violations;
          expect(violations.length).toBeGreaterThan(0);
          for (const v of violations) expect(v.message.en.startsWith(`${v.field}: `)).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('given the example GET /workflows/connection-application publishes, then a draft gets 03-07, 03-09 and 03-06 ticked to match', () => {
    const spec = specify(connectionApplicationV1);
    const connection: GivenEvent = { ...created, data: { ...created.data, category: '接続' } };
    const application = spec.given([connection, formSaved('03-06')]).application;
    const events = connectionApplicationV1.decide('generate-selection-forms', application, SELECTION_EXAMPLE as JsonObject, { actor: hachiojiApplicant, now: '2026-12-04T16:30:00.000Z', commandId: 'c', correlationId: 'c' });
    expect(events.map((e) => e.data['formCode'])).toEqual(['03-07', '03-09', '03-06']);
    expect((connectionApplicationV1.guide as { selection: { example: unknown } }).selection.example).toBe(SELECTION_EXAMPLE);
  });

  it('an extra choice that is none of the screen\u2019s is refused by the input\u2019s own rule (isIn, which the published schema lists as an enum)', () => {
    const refused = checkSelectionInput(GenerateSelectionFormsDto, { ...SELECTION_EXAMPLE, extraChoices: ['政令市'] } as JsonObject);
    expect(refused.map((v) => `${v.field}:${v.rule}`)).toEqual(['extraChoices:isIn']);
    expect(checkSelectionInput(GenerateSelectionFormsDto, { ...SELECTION_EXAMPLE, extraChoices: ['中核市'] } as JsonObject)).toEqual([]);
  });

  it('names the entry of a PIA map by its key, in the field and in both messages', () => {
    const violations = checkSelectionInput(FormGenerationInputDto, { ...valid, piaByQuery: { '27': { status: '済' } }, piaByProvision: { '27-4': null } });
    expect(violations.map((v) => [v.field, v.message.ja.split(': ')[0], v.message.en.split(': ')[0]])).toEqual([
      ['piaByQuery.27.status', 'piaByQuery.27.status', 'piaByQuery.27.status'],
      ['piaByProvision.27-4', 'piaByProvision.27-4', 'piaByProvision.27-4'],
    ]);
  });

  it('accepts the choices of a real selection: 受任, 委任, PIA per row, 独自利用事務', () => {
    const input = {
      ...valid,
      piaByQuery: { '27': pia },
      receivedQueries: [{ itemNo: '9', delegation }],
      delegatedProvisions: [{ key: '27-4', delegateeCode: '131016' }],
      independentUse: [{ affairName: '就学援助に準ずる学用品費等の支給に関する事務', ordinanceName: '八王子市個人番号の利用に関する条例', ordinanceArticle: '別表第1の3の項', notification: { number: '132012-2026-001', date: '2026/06/30' } }],
    };
    expect(checkSelectionInput(FormGenerationInputDto, input)).toEqual([]);
  });
});
