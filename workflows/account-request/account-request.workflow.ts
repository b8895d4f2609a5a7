import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import {
  ALLOWED,
  ForbiddenError,
  IsNotBlank,
  ValidationFailedError,
  deny,
  displayForms,
  formCatalog,
  createInputSchema,
  localized,
  validateDto,
  type Actor,
  type Authorization,
  type CommandMetadata,
  type DecidedEvent,
  type FoldedApplication,
  type JsonObject,
  type WorkflowDefinition,
} from '@nws/engine';
import { firstReviewerFor, organOf, secondReviewerFor } from '../shared/organizations';
import { applyingBody } from '../shared/applying-body';
import { applicationNumberFor } from '../shared/application-number';
import { authorizeReviewDecision, canReadReviewed, decideReviewAction, noComment, reviewComment, reviewWaitingAt, violation } from '../shared/review-decisions';
import { ACCOUNT_REQUEST_MACHINE_VERSION, accountRequestMachine, type AccountRequestContext } from './account-request.machine';
import { accountRequestForm } from './forms/account-request.form';
import { accountHolderRequirement, recordAccountHoldersReaction } from './account-holders';
import { accountsOf } from './request-accounts';
import { recordApprovedHoldersReaction } from './approved-holders.reaction';

export const ACCOUNT_REQUEST = 'account-request';
const ACTIONS = ['submit', 'approve', 'reject', 'revise', 'withdraw', 'issue-account'] as const;
const forms = formCatalog([accountRequestForm]);
const ctxOf = (app: FoldedApplication) => app.snapshot.context as AccountRequestContext;

export class CreateAccountRequestDto {
  @Matches(/^\d{6}$/, { message: localized('6桁の全国地方公共団体コードを入力してください。', 'must be a 6-digit local government code') })
  organizationCode!: string;
  @IsIn(['アカウント発行']) category!: string;
  /** A 一部事務組合・広域連合's name (its code is not in our list); never for a listed body. */
  @IsOptional() @IsString() @IsNotBlank() @MaxLength(100) organizationName?: string;
}

function create(applicationId: string, input: JsonObject, meta: CommandMetadata): DecidedEvent[] {
  const result = validateDto(CreateAccountRequestDto, { category: 'アカウント発行', ...input });
  if (!result.ok) throw new ValidationFailedError(result.violations);
  const code = result.value.organizationCode;
  // The request is the requester's organ's: a board of education asks for its own account, not its head department's.
  const body = applyingBody({ organizationCode: code, organizationKind: meta.actor.org === code ? organOf(meta.actor) : undefined, organizationName: result.value.organizationName });
  if (Array.isArray(body)) throw new ValidationFailedError(body);
  if (meta.actor.role !== 'applicant' || meta.actor.org !== code) throw new ForbiddenError({ ja: '自機関の申請者のみが作成できます。', en: `only an applicant of ${code} may create its request` });
  return [{ type: 'ApplicationCreated', data: { applicationId, organization: { ...body }, category: 'アカウント発行' } }];
}

function authorize(action: string, app: FoldedApplication, actor: Actor): Authorization {
  const ctx = ctxOf(app);
  if (['save-form', 'submit', 'revise', 'withdraw'].includes(action)) {
    return actor.role === 'applicant' && actor.org === ctx.organization.code && organOf(actor) === ctx.organization.kind
      ? ALLOWED
      : deny(`自機関（${ctx.organization.code} ${ctx.organization.kind}）の申請者のみが行えます。`, `only applicants of the ${ctx.organization.kind} of ${ctx.organization.code} may do this`);
  }
  if (action === 'approve' || action === 'reject') return authorizeReviewDecision(app.state, ctx, actor);
  if (action === 'issue-account') {
    return actor.role === 'second-reviewer' && actor.org === 'MIC' ? ALLOWED : deny('アカウントは運営主体（総務省）が発行します。', 'accounts are issued by the network operator (MIC)');
  }
  return deny(`操作「${action}」は許可されていません。`, `action "${action}" is not allowed`);
}

function decide(action: string, app: FoldedApplication, payload: JsonObject, meta: CommandMetadata): DecidedEvent[] {
  const ctx = ctxOf(app);
  const review = decideReviewAction(action, app.state, ctx.round, payload, meta);
  if (review) return review;
  switch (action) {
    case 'save-form': {
      const form = forms.get(String(payload['formCode']));
      if (!form) throw new ValidationFailedError([violation('formCode', 'knownForm', `様式コードは ${accountRequestForm.code} です。`, `the form code is ${accountRequestForm.code}`)]);
      const result = form.validate(payload['form']);
      if (!result.ok) throw new ValidationFailedError(result.violations);
      return [{ type: 'FormSaved', data: { formCode: form.code, form: result.value } }];
    }
    case 'submit':
      noComment(action, payload);
      if (!ctx.forms[accountRequestForm.code]) throw new ValidationFailedError([violation(`forms.${accountRequestForm.code}`, 'requiredForm', '申請書を保存してください。', 'save the request form first')]);
      return [
        {
          type: 'ApplicationSubmitted',
          data: {
            round: ctx.round,
            applicationNumber: ctx.applicationNumber ?? applicationNumberFor(meta.now, ctx.organization.code, ctx.applicationId, 'AR-'),
            firstReviewer: firstReviewerFor(ctx.organization),
            secondReviewer: secondReviewerFor(),
          },
        },
      ];
    case 'issue-account': {
      const accounts = accountsOf(ctx);
      if (accounts.length === 0) {
        throw new ValidationFailedError([
          violation(`forms.${accountRequestForm.code}.holders`, 'holdersErased', '申請書の利用者の個人情報はすべて消去されています。発行できるアカウントはありません。', "every holder's personal data was erased since the request was approved: there is nobody to issue an account to"),
        ]);
      }
      // The holders' organ travels with them: the event's actor is MIC, whose people they are not.
      return [{ type: 'AccountIssued', data: { accounts, organization: { ...ctx.organization }, comment: reviewComment(payload, false) } }];
    }
    default:
      throw new Error(`account-request: no decision for ${action}`);
  }
}

const EVENT_FOR: Record<string, (app: FoldedApplication) => string | undefined> = {
  'save-form': () => 'FormSaved',
  submit: () => 'ApplicationSubmitted',
  approve: (app) => (app.state === 'firstReview' ? 'FirstReviewApproved' : app.state === 'secondReview' ? 'SecondReviewApproved' : undefined),
  reject: (app) => (app.state === 'firstReview' ? 'FirstReviewRejected' : app.state === 'secondReview' ? 'SecondReviewRejected' : undefined),
  revise: () => 'ApplicationRevised',
  withdraw: () => 'ApplicationWithdrawn',
  'issue-account': () => 'AccountIssued',
};

let createInput: WorkflowDefinition['createInput'] | undefined;

/** 情報共有サイト アカウント発行申請: a second workflow on the same engine, added without changing it. */
export const accountRequestV1: WorkflowDefinition = {
  name: ACCOUNT_REQUEST,
  machineVersion: ACCOUNT_REQUEST_MACHINE_VERSION,
  title: { ja: '情報共有サイト アカウント発行申請', en: 'Information-sharing site account request' },
  machine: accountRequestMachine,
  actions: ACTIONS,
  commands: [...ACTIONS, 'save-form'],
  forms,
  get createInput() {
    // Computed once, on first use: by then every DTO's metadata is loaded.
    createInput ??= { schema: createInputSchema(ACCOUNT_REQUEST, CreateAccountRequestDto, ['category']), example: { workflow: ACCOUNT_REQUEST, organizationCode: '132012' } };
    return createInput;
  },
  create,
  eventFor: (action, app) => EVENT_FOR[action]?.(app),
  authorize,
  canRead: (app, actor) => canReadReviewed(ctxOf(app), actor, app.state) ?? false,
  // One account per address across the organ's requests: checked when submitted and when issued.
  commandRequires: (action, app) => {
    // At the second approval too: approved, the request can only be issued (or nothing), and an
    // address another request was issued meanwhile left it stuck there; refused at the approval, it
    // shows under refusedActions and the reviewer rejects it instead.
    if (action !== 'submit' && action !== 'issue-account' && !(action === 'approve' && app.state === 'secondReview')) return [];
    const ctx = ctxOf(app);
    const holders = (ctx.forms[accountRequestForm.code]?.data['holders'] ?? []) as Array<{ email?: unknown }>;
    // The approval and the issue record the holders as they pass the check: nothing between them.
    const status = action === 'issue-account' ? 'issued' : action === 'approve' ? 'approved' : undefined;
    return [accountHolderRequirement(ctx.organization, ctx.applicationId, holders, status && { status, accounts: accountsOf(ctx), organization: ctx.organization })];
  },
  reactions: [recordAccountHoldersReaction, recordApprovedHoldersReaction],
  decide,
  view: (app) => {
    const ctx = ctxOf(app);
    return {
      organization: ctx.organization,
      category: 'アカウント発行',
      round: ctx.round,
      applicationNumber: ctx.applicationNumber,
      routing: { firstReviewer: ctx.firstReviewer, secondReviewer: ctx.secondReviewer },
      forms: displayForms(forms, ctx.forms),
      reviews: ctx.reviews,
      accounts: ctx.accounts,
      // Folded from events that always carried them (their absence left round diffs without dates and authors, a withdrawal without its reason).
      createdAt: ctx.createdAt ?? null,
      submittedAt: ctx.submittedAt ?? null,
      withdrawal: ctx.withdrawal ?? null,
    } as unknown as JsonObject;
  },
  waitingAt: (app) => reviewWaitingAt(app.state, ctxOf(app)),
};
