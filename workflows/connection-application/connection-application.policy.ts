import { ALLOWED, deny, type Actor, type Authorization, type FoldedApplication } from '@nws/engine';
import type { ConnectionApplicationContext } from './connection-application.machine';
import { MIC, isMicDistributor, organOf } from '../shared/organizations';
import { authorizeReviewDecision, canReadReviewed } from '../shared/review-decisions';

export const SYSTEM_ACTOR: Actor = { sub: 'system', org: MIC, role: 'system' as Actor['role'], name: 'workflow engine' };

const isSystem = (actor: Actor): boolean => actor.sub === SYSTEM_ACTOR.sub && actor.role === SYSTEM_ACTOR.role;

const context = (app: FoldedApplication): ConnectionApplicationContext => app.snapshot.context as ConnectionApplicationContext;

function applicantOfBody(app: FoldedApplication, actor: Actor): Authorization {
  const { organization } = context(app);
  if (actor.role !== 'applicant') return deny('申請者のみが行える操作です。', 'only an applicant may do this');
  if (actor.org !== organization.code) {
    return deny(`自機関（${organization.code}）の申請のみ操作できます。`, `only applicants of ${organization.code} may do this`);
  }
  if (organOf(actor) !== organization.kind) {
    return deny(`この申請は${organization.kind}の申請です（あなたは${organOf(actor) ?? '不明'}）。`, `this is an application of the ${organization.kind} of ${organization.code}, not of ${organOf(actor) ?? 'an unknown organ'}`);
  }
  return ALLOWED;
}

/** 首長部局を経由: only the head's department of the same body forwards its board of education. */
function forwardingOrgan(app: FoldedApplication, actor: Actor): Authorization {
  const ctx = context(app);
  if (actor.role !== 'applicant' || actor.org !== ctx.organization.code || organOf(actor) !== ctx.forwardVia) {
    return deny(`この申請は${ctx.organization.code}の${ctx.forwardVia ?? '首長部局'}が経由（進達）します。`, `this application is forwarded by the ${ctx.forwardVia ?? 'head department'} of ${ctx.organization.code}`);
  }
  return ALLOWED;
}

/**
 * Who may send each command: roles × bodies, in one place. Proven by the full matrix in
 * connection-application.policy.spec.ts (every role × body relation × action × state).
 *
 * | action                 | who                                                                      |
 * |------------------------|--------------------------------------------------------------------------|
 * | save-form, remove-form, generate-selection-forms, submit, revise, withdraw | applicants of the application's own body and organ (機関種類) |
 * | approve, reject        | first review: first-reviewers of the routed body (取りまとめ都道府県, J-LIS for 都道府県知事部局); second review: second-reviewers of MIC who did not decide the first; never the own body |
 * | confirm-distribution   | distributors of MIC (the operator's distribution systems), or the system  |
 * | register-master-data   | the system only                                                          |
 * | forward                | applicants of the head's department (首長部局) of the same body, for its board of education |
 * | anything, auditors     | nothing: auditors read only                                              |
 */
export function authorizeConnectionApplication(action: string, app: FoldedApplication, actor: Actor): Authorization {
  switch (action) {
    case 'save-form':
    case 'remove-form':
    case 'generate-selection-forms':
    case 'submit':
    case 'revise':
    case 'withdraw':
      return applicantOfBody(app, actor);
    case 'forward':
      return forwardingOrgan(app, actor);
    case 'approve':
    case 'reject':
      return authorizeReviewDecision(app.state, context(app), actor);
    case 'confirm-distribution':
      // The system confirms on its own once every downstream consumer acknowledged the version.
      return isMicDistributor(actor) || isSystem(actor)
        ? ALLOWED
        : deny('運営主体（総務省）の配信担当のみが配信を確認できます。', 'only a distributor of the network operator (MIC) may confirm distribution');
    case 'register-master-data':
      return isSystem(actor)
        ? ALLOWED
        : deny('マスタデータはシステムが登録します。', 'master data is registered by the system only');
    default:
      return deny(`操作「${action}」は許可されていません。`, `action "${action}" is not allowed`);
  }
}

/** Who may read an application at all: as in every two-stage workflow, and MIC's distributors once it has master data. */
export function canReadConnectionApplication(app: FoldedApplication, actor: Actor): boolean {
  const ctx = context(app);
  const byReview = canReadReviewed(ctx, actor, app.state);
  if (byReview !== undefined) return byReview;
  if (actor.role === 'distributor') return ctx.masterData !== null && isMicDistributor(actor);
  // The engine's own actor, by role too: an operator token whose subject is "system" read every application.
  return isSystem(actor);
}

/** Requests about the personal data of a body's staff (個人情報の開示等), by data subject. */
export const PERSONAL_DATA_REQUESTS = ['list-subjects', 'disclose', 'erase', 'suspend', 'resume', 'read-access-log'] as const;
export type PersonalDataRequest = (typeof PERSONAL_DATA_REQUESTS)[number];

/**
 * Who may handle a request about the personal data of a body's staff (subject: an organ of a code):
 * - the body's own applicants: the body supplied its staff's data and is their employer, so it
 *   answers its staff's requests (開示・消去・利用停止) and reads who accessed their data. A body is
 *   an organ: a 市町村教育委員会 does not answer for its 市町村長部局's staff, nor the reverse;
 * - second-reviewers of MIC: the network operator holds the data and, like the 全国センター in the
 *   seeds (§5 開示等), answers the person's own requests after checking their identity;
 * - auditors: the whole access log, nothing else (they change nothing, and 開示 hands out 緊急連絡先);
 * - nobody else: not other bodies, not first reviewers, not J-LIS, not distributors.
 * Correction (訂正・追加・削除 of a value) is not here: it is a change application (申請区分 変更).
 */
export function authorizePersonalDataRequest(request: PersonalDataRequest, subject: { readonly code: string; readonly organ: string }, actor: Actor): Authorization {
  const ownBody = actor.role === 'applicant' && actor.org === subject.code && organOf(actor) === subject.organ;
  const operator = actor.role === 'second-reviewer' && actor.org === MIC;
  if (request === 'read-access-log') {
    return ownBody || actor.role === 'auditor'
      ? ALLOWED
      : deny('アクセス記録は監査担当又は当該機関の申請者のみが閲覧できます。', 'only auditors, or applicants of the body concerned, may read the access log');
  }
  const body = `${subject.code}（${subject.organ}）`;
  return ownBody || operator
    ? ALLOWED
    : deny(
        `機関 ${body} の職員の個人情報に関する請求は、当該機関の申請者又は運営主体（総務省）の二次審査者のみが扱えます。`,
        `requests about the personal data of the staff of ${subject.code} (${subject.organ}) are handled by applicants of that body or second-reviewers of MIC only`,
      );
}
