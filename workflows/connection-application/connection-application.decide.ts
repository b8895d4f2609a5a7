import { ValidationFailedError, type CommandMetadata, type DecidedEvent, type FieldViolation, type FoldedApplication, type JsonObject } from '@nws/engine';
import type { ConnectionApplicationContext } from './connection-application.machine';
import type { Reviewer } from './connection-application.events';
import { REQUIRED_FORMS, connectionApplicationForms } from './forms';
import { firstReviewerFor, organizationName, secondReviewerFor } from './connection-application.routing';

const ctxOf = (app: FoldedApplication) => app.snapshot.context as ConnectionApplicationContext;
const violation = (field: string, rule: string, ja: string, en: string): FieldViolation => ({ field, rule, message: { ja: `${field}: ${ja}`, en: `${field}: ${en}` } });
const fail = (...violations: FieldViolation[]): never => {
  throw new ValidationFailedError(violations);
};

/** Vague words that are not, on their own, a reason the applicant can act on. */
const VAGUE = /^(否認|不可|不備|不備あり|ng|no|却下|差戻し|差し戻し|修正してください|再提出|要修正|確認してください|ダメ|だめ|x|-|―|なし)[。.!！]*$/i;
export const MIN_REJECTION_COMMENT_LENGTH = 10;

function comment(payload: JsonObject, required: boolean): string | null {
  const value = payload['comment'];
  if (value === undefined || value === null) {
    if (!required) return null;
    return fail(violation('comment', 'concreteReason', '否認には具体的な理由（審査コメント）が必要です。', 'a rejection needs a concrete reason (審査コメント)'));
  }
  if (typeof value !== 'string') return fail(violation('comment', 'isString', '文字列で指定してください。', 'must be a string'));
  const trimmed = value.trim();
  if (trimmed.length > 2000) return fail(violation('comment', 'maxLength', '2000文字以内で入力してください。', 'must be at most 2000 characters'));
  if (required && (trimmed.length < MIN_REJECTION_COMMENT_LENGTH || VAGUE.test(trimmed))) {
    return fail(
      violation(
        'comment',
        'concreteReason',
        `否認の理由は、申請者が修正できるよう具体的に${MIN_REJECTION_COMMENT_LENGTH}文字以上で記入してください（どの様式のどの項目をどう直すか）。`,
        `a rejection reason must be concrete, at least ${MIN_REJECTION_COMMENT_LENGTH} characters, saying which form and field to fix and how`,
      ),
    );
  }
  return trimmed.length === 0 ? null : trimmed;
}

function reviewerOf(meta: CommandMetadata): Reviewer {
  return {
    sub: meta.actor.sub,
    org: meta.actor.org,
    orgName: organizationName(meta.actor.org),
    department: meta.actor.department ?? null,
    name: meta.actor.name ?? null,
  };
}

/** 申請番号: readable, sorts by date of first submission, never changes across rounds. */
export function applicationNumberFor(ctx: ConnectionApplicationContext, now: string): string {
  return `${now.slice(0, 10).replaceAll('-', '')}-${ctx.organization.code}-${ctx.applicationId.replaceAll('-', '').slice(0, 6).toUpperCase()}`;
}

function saveForm(app: FoldedApplication, payload: JsonObject): DecidedEvent[] {
  const formCode = String(payload['formCode'] ?? '');
  const form = connectionApplicationForms.get(formCode);
  if (!form) {
    const known = connectionApplicationForms.forms.map((f) => f.code).join(', ');
    return fail(violation('formCode', 'knownForm', `「${formCode}」は様式コードではありません（${known}）。`, `"${formCode}" is not a form code (${known})`));
  }
  const result = form.validate(payload['form']);
  if (!result.ok) throw new ValidationFailedError(result.violations);
  void app;
  return [{ type: 'FormSaved', data: { formCode, form: result.value } }];
}

/** Cross-form checks, run at submit. */
function submissionViolations(ctx: ConnectionApplicationContext): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const code of REQUIRED_FORMS[ctx.category] ?? []) {
    if (!ctx.forms[code]) out.push(violation(`forms.${code}`, 'requiredForm', `申請区分「${ctx.category}」では様${code}が必要です。`, `form ${code} is required for category ${ctx.category}`));
  }
  if (ctx.category !== '登録' && Object.keys(ctx.forms).length === 0) {
    out.push(violation('forms', 'requiredForm', '少なくとも1つの様式を保存してください。', 'save at least one form before submitting'));
  }
  const responsible = (ctx.forms['02-01']?.data['structure'] as { systemResponsible?: { title?: string; name?: string } } | undefined)?.systemResponsible;
  const reporter = ctx.forms['02-06']?.data['reporter'] as { title?: string; name?: string } | undefined;
  if (responsible && reporter && (responsible.name !== reporter.name || responsible.title !== reporter.title)) {
    out.push(
      violation(
        'forms.02-06.reporter',
        'reporterIsSystemResponsible',
        `報告者は様02-01の情報システム責任者（${responsible.title ?? ''} ${responsible.name ?? ''}）と同一である必要があります。`,
        `the reporter must be the 情報システム責任者 of form 02-01 (${responsible.title ?? ''} ${responsible.name ?? ''})`,
      ),
    );
  }
  return out;
}

export function decideConnectionApplication(action: string, app: FoldedApplication, payload: JsonObject, meta: CommandMetadata): DecidedEvent[] {
  const ctx = ctxOf(app);
  const stage = app.state === 'secondReview' ? 'Second' : 'First';
  switch (action) {
    case 'save-form':
      return saveForm(app, payload);
    case 'submit': {
      const violations = submissionViolations(ctx);
      if (violations.length > 0) throw new ValidationFailedError(violations);
      return [
        {
          type: 'ApplicationSubmitted',
          data: {
            round: ctx.round,
            applicationNumber: ctx.applicationNumber ?? applicationNumberFor(ctx, meta.now),
            firstReviewer: firstReviewerFor(ctx.organization),
            secondReviewer: secondReviewerFor(),
          },
        },
      ];
    }
    case 'approve':
      return [{ type: `${stage}ReviewApproved`, data: { round: ctx.round, comment: comment(payload, false), reviewer: { ...reviewerOf(meta) } } }];
    case 'reject':
      return [{ type: `${stage}ReviewRejected`, data: { round: ctx.round, comment: comment(payload, true), reviewer: { ...reviewerOf(meta) } } }];
    case 'revise':
      return [{ type: 'ApplicationRevised', data: { round: ctx.round + 1 } }];
    case 'withdraw':
      return [{ type: 'ApplicationWithdrawn', data: { reason: comment(payload, false) } }];
    case 'register-master-data':
      return [
        {
          type: 'MasterDataRegistered',
          data: { organizationCode: ctx.organization.code, version: Number(payload['version']), contentHash: String(payload['contentHash']) },
        },
      ];
    case 'confirm-distribution':
      return [
        {
          type: 'MasterDataDistributed',
          data: { organizationCode: ctx.organization.code, version: ctx.masterData?.version ?? 0, comment: comment(payload, false) },
        },
      ];
    default:
      throw new Error(`connection-application: no decision for ${action}`);
  }
}
