import { ALLOWED, deny, type Actor, type Authorization, type FoldedApplication } from '@nws/engine';
import type { ConnectionApplicationContext } from './connection-application.machine';
import { MIC } from '../shared/organizations';

export const SYSTEM_ACTOR: Actor = { sub: 'system', org: MIC, role: 'system' as Actor['role'], name: 'workflow engine' };

const isSystem = (actor: Actor): boolean => actor.sub === SYSTEM_ACTOR.sub && actor.role === SYSTEM_ACTOR.role;

const context = (app: FoldedApplication): ConnectionApplicationContext => app.snapshot.context as ConnectionApplicationContext;

function applicantOfBody(app: FoldedApplication, actor: Actor): Authorization {
  const { organization } = context(app);
  if (actor.role !== 'applicant') return deny('申請者のみが行える操作です。', 'only an applicant may do this');
  if (actor.org !== organization.code) {
    return deny(`自機関（${organization.code}）の申請のみ操作できます。`, `only applicants of ${organization.code} may do this`);
  }
  return ALLOWED;
}

function reviewer(app: FoldedApplication, actor: Actor): Authorization {
  const ctx = context(app);
  const stage = app.state === 'firstReview' ? 'first' : 'second';
  const role = stage === 'first' ? 'first-reviewer' : 'second-reviewer';
  const body = stage === 'first' ? ctx.firstReviewer : ctx.secondReviewer;
  if (actor.role !== role) return deny(`${stage === 'first' ? '一次' : '二次'}審査者のみが行える操作です。`, `only a ${role} may decide this review`);
  if (actor.org !== body) return deny(`この申請の${stage === 'first' ? '一次' : '二次'}審査は ${body} が行います。`, `this review is routed to ${body}, not ${actor.org}`);
  if (actor.org === ctx.organization.code) return deny('自機関の申請は審査できません。', 'nobody reviews an application of their own body');
  if (stage === 'second' && actor.sub === ctx.firstDecidedBy) {
    return deny('一次審査を決定した者は二次審査を決定できません。', 'the person who decided the first review may not decide the second');
  }
  return ALLOWED;
}

/** Who may send each command: roles × bodies, in one place. */
export function authorizeConnectionApplication(action: string, app: FoldedApplication, actor: Actor): Authorization {
  switch (action) {
    case 'save-form':
    case 'submit':
    case 'revise':
    case 'withdraw':
      return applicantOfBody(app, actor);
    case 'approve':
    case 'reject':
      return reviewer(app, actor);
    case 'confirm-distribution':
      // The system confirms on its own once every downstream consumer acknowledged the version.
      return actor.role === 'distributor' || isSystem(actor)
        ? ALLOWED
        : deny('配信担当のみが配信を確認できます。', 'only a distributor may confirm distribution');
    case 'register-master-data':
      return isSystem(actor)
        ? ALLOWED
        : deny('マスタデータはシステムが登録します。', 'master data is registered by the system only');
    default:
      return deny(`操作「${action}」は許可されていません。`, `action "${action}" is not allowed`);
  }
}

/** Who may read an application at all. */
export function canReadConnectionApplication(app: FoldedApplication, actor: Actor): boolean {
  const ctx = context(app);
  switch (actor.role) {
    case 'applicant':
      return actor.org === ctx.organization.code;
    case 'first-reviewer':
      return ctx.firstReviewer !== null && actor.org === ctx.firstReviewer;
    case 'second-reviewer':
      return ctx.secondReviewer !== null && actor.org === ctx.secondReviewer;
    case 'auditor':
      return true;
    case 'distributor':
      return ctx.masterData !== null;
    default:
      return actor.sub === SYSTEM_ACTOR.sub;
  }
}
