import { ValidationFailedError, type CommandMetadata, type DecidedEvent, type FieldViolation, type FoldedApplication, type JsonObject } from '@nws/engine';
import type { ConnectionApplicationContext } from './connection-application.machine';
import { OPTIONAL_FORMS, REQUIRED_FORMS, connectionApplicationForms, crossFormViolations } from './forms';
import { firstReviewerFor, forwardingOrganFor, organOf, secondReviewerFor } from '../shared/organizations';
import { applicationNumberFor } from '../shared/application-number';
import { decideReviewAction, noComment, reviewComment, violation } from '../shared/review-decisions';
import { generateSelectionForms } from './connection-application.selection';
import { delegationOutcome, type CounterpartFilings, type DelegationFiling } from './master-data/delegation-matching';
import { sameWords } from '../shared/japanese-text';
import { japanWallClock } from '@nws/reference-catalog';

const ctxOf = (app: FoldedApplication) => app.snapshot.context as ConnectionApplicationContext;
const fail = (...violations: FieldViolation[]): never => {
  throw new ValidationFailedError(violations);
};

function saveForm(app: FoldedApplication, payload: JsonObject): DecidedEvent[] {
  const formCode = String(payload['formCode'] ?? '');
  const form = connectionApplicationForms.get(formCode);
  if (!form) {
    const known = connectionApplicationForms.forms.map((f) => f.code).join(', ');
    return fail(violation('formCode', 'knownForm', `「${formCode}」は様式コードではありません（${known}）。`, `"${formCode}" is not a form code (${known})`));
  }
  // Only the forms of the application's 申請区分: a 様03-07 saved into a 登録 would register affairs
  // that no 接続 was reviewed for.
  const { category } = ctxOf(app);
  const taken = [...(REQUIRED_FORMS[category] ?? []), ...(OPTIONAL_FORMS[category] ?? [])];
  if (!taken.includes(formCode)) {
    return fail(
      violation('formCode', 'formOfCategory', `申請区分「${category}」の申請には様${formCode}を提出しません（提出する様式: ${taken.join(', ')}）。`, `a ${category} application takes forms ${taken.join(', ')}, not ${formCode}`),
    );
  }
  const result = form.validate(payload['form']);
  if (!result.ok) throw new ValidationFailedError(result.violations);
  if (formCode === '03-08' && category !== '変更' && delegationRows(result.value) === 0) {
    return fail(
      violation(
        'receivedQueryAffairs',
        'atLeastOneRow',
        '委任・受任の行を少なくとも1件入力してください（委任・受任がない場合、様03-08は提出しません。登録済みの委任・受任をすべて終えるときは、変更申請で行のない様03-08を提出します）。',
        'list at least one delegation (a body without any does not file form 03-08; to end every registered delegation, file a form 03-08 without rows in a 変更)',
      ),
    );
  }
  return [{ type: 'FormSaved', data: { formCode, form: withApplicationCategory(formCode, form.schema, result.value, category) } }];
}

/**
 * The rows of a 様03-08. None is what a 変更 files when the body's delegations have all ended (an
 * ordinance repealed): a 変更 without 様03-08 carries the registered ones over, so without it a
 * body could never drop its last. Elsewhere a 様03-08 without rows says nothing and is refused.
 */
const delegationRows = (form: JsonObject): number =>
  ['receivedQueryAffairs', 'delegatedProvisions', 'receivedProvisions'].reduce((sum, key) => sum + (Array.isArray(form[key]) ? (form[key] as unknown[]).length : 0), 0);

/**
 * A form's own 申請区分 (様02-01, 03-07, 03-08, 03-09) says the same as its application's: left out,
 * it is filled from it; a 様02-01 marked 変更 in a 登録 (or 登録 in a 変更) is refused, since
 * reviewers would read a change where there is a first registration. A 接続's package keeps what
 * the applicant chose (the selection screen writes 登録 into it).
 */
function withApplicationCategory(formCode: string, schema: JsonObject, form: JsonObject, category: string): JsonObject {
  // 様03-06's own category is 接続 only: the forms concerned are those whose category may be the application's.
  const choices = ((schema['properties'] as { category?: { enum?: unknown[] } } | undefined)?.category?.enum ?? []) as unknown[];
  if ((category !== '登録' && category !== '変更') || !choices.includes(category)) return form;
  const own = form['category'];
  // Left out, or null (which the form's @IsOptional takes as left out).
  if (own === undefined || own === null) return { ...form, category };
  if (own === category) return form;
  return fail(violation('category', 'sameAsApplication', `様${formCode}の申請区分は、申請の申請区分（${category}）と同じにしてください。`, `form ${formCode} must have the application's 申請区分 (${category}), not ${String(own)}`));
}

/** Cross-form checks, run at submit. */
function submissionViolations(ctx: ConnectionApplicationContext, submittedAt?: string): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const code of REQUIRED_FORMS[ctx.category] ?? []) {
    if (!ctx.forms[code]) out.push(violation(`forms.${code}`, 'requiredForm', `申請区分「${ctx.category}」では様${code}が必要です。`, `form ${code} is required for category ${ctx.category}`));
  }
  if (ctx.category !== '登録' && Object.keys(ctx.forms).length === 0) {
    out.push(violation('forms', 'requiredForm', '少なくとも1つの様式を保存してください。', 'save at least one form before submitting'));
  }
  const responsible = (ctx.forms['02-01']?.data['structure'] as { systemResponsible?: { title?: string; name?: string } } | undefined)?.systemResponsible;
  const reporter = ctx.forms['02-06']?.data['reporter'] as { title?: string; name?: string } | undefined;
  if (responsible && reporter && (!sameWords(responsible.name, reporter.name) || !sameWords(responsible.title, reporter.title))) {
    out.push(
      violation(
        'forms.02-06.reporter',
        'reporterIsSystemResponsible',
        `報告者は様02-01の情報システム責任者（${responsible.title ?? ''} ${responsible.name ?? ''}）と同一である必要があります。`,
        `the reporter must be the 情報システム責任者 of form 02-01 (${responsible.title ?? ''} ${responsible.name ?? ''})`,
      ),
    );
  }
  out.push(...crossFormViolations(ctx.category, ctx.forms, ctx.organization));
  // A board of education's forms reach the first reviewer when its head department forwards them:
  // dated that day, they are not late at its own submission (the forward holds them to its day).
  if (submittedAt !== undefined) out.push(...applicationDateViolations(ctx.forms, submittedAt, { notAfter: forwardingOrganFor(ctx.organization) === null }));
  return out;
}

/**
 * 申請年月日 is the day the form is sent to the first reviewer (申請書を一次審査者へ送付する年月日), and a
 * 報告年月日 (様02-06) a day it was reported: neither after the day in Japan the application is
 * submitted (2099/01/01 was accepted), nor before 番号法 was promulgated (1900/01/01 was).
 */
function applicationDateViolations(forms: ConnectionApplicationContext['forms'], submittedAt: string, check: { readonly notAfter: boolean; readonly notBefore?: boolean; readonly day?: { readonly ja: string; readonly en: string } } = { notAfter: true }): FieldViolation[] {
  const day = check.day ?? { ja: '提出日', en: 'the day it is submitted' };
  const today = japanWallClock(submittedAt)?.slice(0, 10).replaceAll('-', '/');
  if (today === undefined) return [];
  const out: FieldViolation[] = [];
  for (const [code, form] of Object.entries(forms)) {
    for (const [key, ja, en] of DATED_FIELDS) {
      const date = form?.data[key];
      if (typeof date !== 'string' || !/^\d{4}\/\d{2}\/\d{2}$/.test(date)) continue;
      const field = `forms.${code}.${key}`;
      if (date > today && check.notAfter) {
        out.push(violation(field, 'notAfterSubmission', `${ja}（${date}）が${day.ja}（${today}）より後です。`, `the ${en} (${date}) is after ${day.en} (${today})`));
      } else if (date < MY_NUMBER_ACT_PROMULGATED && check.notBefore !== false) {
        out.push(violation(field, 'notBeforeMyNumberAct', `${ja}（${date}）が番号法の公布日（${MY_NUMBER_ACT_PROMULGATED}）より前です。`, `the ${en} (${date}) is before the My Number Act was promulgated (${MY_NUMBER_ACT_PROMULGATED})`));
      }
    }
  }
  return out;
}

const DATED_FIELDS = [
  ['applicationDate', '申請年月日', 'application date'],
  ['reportDate', '報告年月日', 'report date'],
] as const;

/** 行政手続における特定の個人を識別するための番号の利用等に関する法律（平成25年法律第27号）, promulgated 2013-05-31. */
const MY_NUMBER_ACT_PROMULGATED = '2013/05/31';

export function decideConnectionApplication(action: string, app: FoldedApplication, payload: JsonObject, meta: CommandMetadata): DecidedEvent[] {
  const ctx = ctxOf(app);
  const review = decideReviewAction(action, app.state, ctx.round, payload, meta);
  if (review) return review;
  switch (action) {
    case 'save-form':
      return saveForm(app, payload);
    case 'remove-form': {
      const formCode = payload['formCode'];
      const saved = Object.keys(ctx.forms);
      if (typeof formCode !== 'string' || !saved.includes(formCode)) {
        throw new ValidationFailedError([
          violation('formCode', 'savedForm', `様${String(formCode)}はこの申請に保存されていません（保存済み: ${saved.join(', ') || 'なし'}）。`, `form ${String(formCode)} is not saved in this application (saved: ${saved.join(', ') || 'none'})`),
        ]);
      }
      return [{ type: 'FormRemoved', data: { formCode } }];
    }
    case 'generate-selection-forms':
      return generateSelectionForms(ctx, payload, meta.now);
    case 'submit': {
      noComment(action, payload);
      const violations = submissionViolations(ctx, meta.now);
      if (violations.length > 0) throw new ValidationFailedError(violations);
      return [
        {
          type: 'ApplicationSubmitted',
          data: {
            round: ctx.round,
            applicationNumber: ctx.applicationNumber ?? applicationNumberFor(meta.now, ctx.organization.code, ctx.applicationId),
            firstReviewer: firstReviewerFor(ctx.organization),
            secondReviewer: secondReviewerFor(),
            forwardVia: forwardingOrganFor(ctx.organization),
          },
        },
      ];
    }
    case 'forward': {
      // Forwarding is when the board's forms are sent on to the first reviewer: not dated later.
      const early = applicationDateViolations(ctx.forms, meta.now, { notAfter: true, notBefore: false, day: { ja: '経由（一次審査者への送付）の日', en: 'the day it is forwarded to the first reviewer' } });
      if (early.length > 0) throw new ValidationFailedError(early);
      return [
        {
          type: 'ApplicationForwarded',
          data: {
            round: ctx.round,
            comment: reviewComment(payload, false),
            forwardedBy: { sub: meta.actor.sub, org: meta.actor.org, organ: organOf(meta.actor) ?? '', name: meta.actor.name ?? null, department: meta.actor.department ?? null },
          },
        },
      ];
    }
    case 'register-master-data': {
      // 委任・受任の突合, decided again from what the version was matched against (the registrar reads
      // the counterparts' versions from their master-data streams and passes them in).
      const previous = (payload['previous'] ?? null) as unknown as DelegationFiling | null;
      const counterparts = (payload['counterparts'] ?? { codes: [], filings: [] }) as unknown as CounterpartFilings;
      const outcome = delegationOutcome({ code: ctx.organization.code, kind: ctx.organization.kind }, ctx.forms['03-08']?.data, previous, counterparts);
      return [
        {
          type: 'MasterDataRegistered',
          data: {
            organizationCode: ctx.organization.code,
            organizationKind: ctx.organization.kind,
            version: Number(payload['version']),
            contentHash: String(payload['contentHash']),
            delegations: { registered: outcome.registered, pending: outcome.pending } as unknown as JsonObject,
          },
        },
      ];
    }
    case 'confirm-distribution':
      return [
        {
          type: 'MasterDataDistributed',
          data: { organizationCode: ctx.organization.code, organizationKind: ctx.organization.kind, version: ctx.masterData?.version ?? 0, comment: reviewComment(payload, false) },
        },
      ];
    default:
      throw new Error(`connection-application: no decision for ${action}`);
  }
}
