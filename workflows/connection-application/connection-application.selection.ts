import { NOT_A_JSON_OBJECT, ValidationFailedError, isJsonObject, type DecidedEvent, type FieldViolation, type JsonObject } from '@nws/engine';
import { FORM_GENERATION_INPUT_KEYS, generateForms, japanWallClock, type FormGenerationInput } from '@nws/reference-catalog';
import type { ConnectionApplicationContext } from './connection-application.machine';
import { connectionApplicationForms } from './forms';
import { delegatedProvisionViolations, delegatorHoldsByLawViolations, provisionRightViolations, queryRightViolations } from './forms/query-rights';
import { delegationDirectionViolations } from './forms/delegation-direction';
import { GenerateSelectionFormsDto, checkSelectionInput, violationUnder } from './forms/selection-choices.dto';
import { violation } from '../shared/review-decisions';
import { isLateElderlyUnion } from '../shared/applying-body';

/** The applicant's choices on the selection screen; the body, the date and the category come from the application. */
const CHOICES = ['extraChoices', ...FORM_GENERATION_INPUT_KEYS.filter((key) => key !== 'body' && key !== 'applicationDate' && key !== 'category')];

/** The command names the body's extra choices at the top level, not in a `body` (it is the application's). */
const outOfBody = (text: string) => text.replace(/^body\./, '');

/** 申請年月日 as on the paper forms: the day in Japan when the command was made. */
function japaneseDate(now: string): string {
  return japanWallClock(now)!.slice(0, 10).replaceAll('-', '/');
}

/**
 * 申請前情報選択画面 → the draft: generates 様03-07 (and 03-08/03-09 when there is anything to put
 * in them) for the application's own body and organ, and saves them in one append with 様03-06's
 * checklist brought in line, so the draft never holds half a selection. Each generated form is
 * held to its form's rules like any form the applicant saves.
 */
export function generateSelectionForms(ctx: ConnectionApplicationContext, payload: JsonObject, now: string): DecidedEvent[] {
  if (!isJsonObject(payload)) throw new ValidationFailedError([NOT_A_JSON_OBJECT]);
  const unknown = Object.keys(payload).filter((key) => !CHOICES.includes(key));
  if (unknown.length > 0) {
    throw new ValidationFailedError(
      unknown.map((key) =>
        violation(key, 'selectionChoice', `選択できる項目ではありません（機関・申請年月日は申請から決まります。選択項目: ${CHOICES.join(', ')}）。`, `is not a choice (the body and date come from the application; choices: ${CHOICES.join(', ')})`),
      ),
    );
  }
  if (ctx.category === '登録') {
    throw new ValidationFailedError([violation('category', 'selectionCategory', '申請区分「登録」には様03-07を添付しません（「接続」または「変更」で作成してください）。', 'a 登録 application has no form 03-07 (use 接続 or 変更)')]);
  }
  const shapes = checkSelectionInput(GenerateSelectionFormsDto, payload);
  if (shapes.length > 0) throw new ValidationFailedError(shapes);
  const { extraChoices, ...choices } = payload;
  const input = {
    ...choices,
    body: { bodyType: selectionBodyType(ctx), localGovernmentCode: ctx.organization.code, ...(extraChoices !== undefined ? { extraChoices } : {}) },
    applicationDate: japaneseDate(now),
    category: ctx.category === '変更' ? '変更' : '登録',
  } as unknown as FormGenerationInput;
  const generated = generateForms(input);
  if (!generated.ok) {
    throw new ValidationFailedError(generated.problems.map((p): FieldViolation => ({ field: outOfBody(p.field), rule: 'selection', message: { ja: outOfBody(p.message.ja), en: outOfBody(p.message.en) } })));
  }
  const { forms, checklist } = generated.value;
  const toSave: Array<[string, unknown]> = Object.entries(forms).filter(([, form]) => form !== undefined);
  const cover = ctx.forms['03-06']?.data;
  if (cover) {
    const attachments = { ...(cover['attachments'] as JsonObject | undefined), form0308: checklist.form0308, form0309: checklist.form0309 };
    toSave.push(['03-06', { ...cover, attachments, independentUseLinkage: checklist.form0309 }]);
  }
  const events = toSave.map(([formCode, form]): DecidedEvent => {
    const result = connectionApplicationForms.get(formCode)!.validate(form);
    if (!result.ok) throw new ValidationFailedError(result.violations.map((v) => violationUnder(v, `forms.${formCode}`)));
    return { type: 'FormSaved', data: { formCode, form: result.value } };
  });
  // What the law gives the body, who holds what it received, and which way 第180条の2/第180条の7 hand
  // it: refused now, not at submission (a 受任 of 項1 from anyone, or of 項80 from 東京都, was
  // generated and then refused by submit).
  const generatedForms = Object.fromEntries(events.map((e) => [String(e.data['formCode']), { data: e.data['form'] as JsonObject }]));
  const unlawful = [...queryRightViolations(ctx.category, generatedForms, ctx.organization), ...provisionRightViolations(ctx.category, generatedForms, ctx.organization), ...delegatedProvisionViolations(generatedForms, ctx.organization), ...delegatorHoldsByLawViolations(generatedForms), ...delegationDirectionViolations(generatedForms, ctx.organization)];
  if (unlawful.length > 0) throw new ValidationFailedError(unlawful);
  // A choice without delegations or 条例連携 leaves no 様03-08 / 03-09: one saved by an earlier choice
  // goes (様03-06's checklist says none now, and the submission would refuse it as not ticked).
  const stale = ['03-08', '03-09'].filter((code) => ctx.forms[code] !== undefined && !(code in generatedForms));
  return [...events, ...stale.map((formCode): DecidedEvent => ({ type: 'FormRemoved', data: { formCode } }))];
}

/**
 * The body type the screen reads the law for: the application's organ, except a 一部事務組合・広域連合
 * that is a 後期高齢者医療広域連合 by its name (the law names those by themselves: 項80, 81 and their
 * rows); before, such a body got no affairs at all from the screen, then only once its 様03-06 said
 * so (a 変更 files none), and any association whose 様03-06 said so got them.
 */
function selectionBodyType(ctx: ConnectionApplicationContext): string {
  return isLateElderlyUnion(ctx.organization) === true ? '後期高齢者医療広域連合' : ctx.organization.kind;
}
