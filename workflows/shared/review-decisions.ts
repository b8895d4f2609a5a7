import { ALLOWED, ValidationFailedError, ZERO_WIDTH_CHARACTERS, deny, isBlankText, textFault, textViolation, type Actor, type Authorization, type CommandMetadata, type DecidedEvent, type FieldViolation, type JsonObject } from '@nws/engine';
import { forwardingOrganFor, organOf, organizationName, reviewingBodyOf } from './organizations';

export interface ReviewerRecord {
  sub: string;
  org: string;
  orgName: string;
  department: string | null;
  name: string | null;
}

export const violation = (field: string, rule: string, ja: string, en: string): FieldViolation => ({
  field,
  rule,
  message: { ja: `${field}: ${ja}`, en: `${field}: ${en}` },
});

/** Vague words that are not, on their own, a reason the applicant can act on. */
const VAGUE = /^(否認|不可|不備|不備あり|ng|no|却下|差戻し|差し戻し|修正してください|再提出|要修正|確認してください|ダメ|だめ|x|-|―|なし)[。.!！]*$/i;
export const MIN_REJECTION_COMMENT_LENGTH = 10;
/** "ああああああああああ" and "__________" are ten characters and say nothing. */
const MIN_DISTINCT_CHARACTERS = 5;
const distinctWordCharacters = (text: string): number => new Set(text.match(/[\p{L}\p{N}]/gu) ?? []).size;
/**
 * An e-mail address, or a Japanese phone number: 10 or 11 digits from 0, or 9 or 10 after +81,
 * with what people put between a number's digits between any two of them: a space on either side
 * of up to two marks — hyphens and every dash or rule (‐ – — ― − ─ ━ ⁃), the long-vowel mark ー,
 * wave dashes and tildes (〜 〰 ~), dots, brackets, 中黒, slashes, underscores, * + = | # —
 * (042(620)7200, 042.620.7200, 0 9 0 …, 090ー1234ー5678, 090〜1234〜5678, 090 - 1234 - 5678,
 * 090・1111・2223, 090/1234/5678). Not colons or commas (、), so times, dates and postal codes listed
 * one after another (10:00、10:30; 192-0001、192-0002) are no number. Checked on the text as NFKC
 * makes it, without zero-width characters, kanji numerals read as digits (〇九〇…).
 */
const PHONE_MARKS = '\\-().\\/_~*+=|#\\u2010-\\u2015\\u2043\\u2212\\u2500\\u2501\\u30fb\\u30fc\\u301c\\u3030\\ufe63\\u300e\\u300f';
const CONTACT_DETAIL = new RegExp(`[^\\s@]+@[^\\s@]+\\.[A-Za-z]{2,}|(?:\\+\\s*81|(?<!\\d)0)(?:\\s?[${PHONE_MARKS}]{0,2}\\s?\\d){9,10}(?!\\d)`);
const ZERO_WIDTH = new RegExp(`[${ZERO_WIDTH_CHARACTERS}]`, 'gu');
const KANJI_DIGITS = '〇一二三四五六七八九';
/** The longest 氏名 and 部署名 a review records from a token: the forms' own bounds on them. */
const REVIEWER_TEXT_MAX: Readonly<Record<string, number>> = { 'reviewer.name': 50, 'reviewer.department': 100 };
const asDigits = (text: string) => text.replace(/[〇一二三四五六七八九]/g, (c) => String(KANJI_DIGITS.indexOf(c)));

/**
 * 審査コメント of a review decision. A 否認 must carry a concrete reason the applicant can act on
 * (DOMAIN.md): at least ten characters and not a bare "不備" or "NG".
 */
export function reviewComment(payload: JsonObject, required: boolean): string | null {
  const value = payload['comment'];
  const fail = (rule: string, ja: string, en: string): never => {
    throw new ValidationFailedError([violation('comment', rule, ja, en)]);
  };
  if (value === undefined || value === null) {
    return required ? fail('concreteReason', '否認には具体的な理由（審査コメント）が必要です。', 'a rejection needs a concrete reason (審査コメント)') : null;
  }
  if (typeof value !== 'string') return fail('isString', '文字列で指定してください。', 'must be a string');
  const trimmed = value.trim();
  if (trimmed.length > 2000) return fail('maxLength', '2000文字以内で入力してください。', 'must be at most 2000 characters');
  // Comments are stored in clear in events nobody can change or erase: a person's phone number or
  // mail address typed into one could never be erased with the rest of their data (the forms keep
  // those encrypted, per person). The applicant is pointed to the form and field instead.
  if (CONTACT_DETAIL.test(asDigits(trimmed.normalize('NFKC').replace(ZERO_WIDTH, '')))) {
    return fail(
      'noContactDetails',
      'コメントに電話番号やメールアドレスを書かないでください（消去できない記録として残ります）。様式と項目名で示してください（例: 様02-02 通常連絡先1の電話番号）。',
      'must not hold a phone number or an e-mail address (comments are kept for ever and cannot be erased): name the form and field instead (e.g. form 02-02, first normal contact, phone)',
    );
  }
  if (required && (trimmed.length < MIN_REJECTION_COMMENT_LENGTH || VAGUE.test(trimmed) || distinctWordCharacters(trimmed) < MIN_DISTINCT_CHARACTERS)) {
    return fail(
      'concreteReason',
      `否認の理由は、申請者が修正できるよう具体的に${MIN_REJECTION_COMMENT_LENGTH}文字以上で記入してください（どの様式のどの項目をどう直すか）。`,
      `a rejection reason must be concrete, at least ${MIN_REJECTION_COMMENT_LENGTH} characters, saying which form and field to fix and how`,
    );
  }
  // Nothing to see is no comment, as spaces alone are none (U+200B or U+2800 alone were recorded).
  return isBlankText(trimmed) ? null : trimmed;
}

/**
 * Actions that record no comment (submit, revise): a comment sent with one is refused, not dropped.
 * `{"comment": "担当 042-620-7200"}` on a submit was answered 200 and recorded nowhere, while the
 * same text on a withdrawal was refused: the sender believed it was on the record.
 */
export function noComment(action: string, payload: JsonObject): void {
  const comment = payload['comment'];
  // No comment, as a comment of spaces is none on the actions that record one.
  if (comment === undefined || comment === null || (typeof comment === 'string' && isBlankText(comment))) return;
  throw new ValidationFailedError([
    violation('comment', 'notRecorded', `「${action}」はコメントを記録しません。コメントを付けずに送ってください（申請内容は様式に記入します）。`, `${action} records no comment: send it without one (what the application says goes in its forms)`),
  ]);
}

/**
 * Who decided a review, as recorded on it: body, department and name come from the token. Every
 * review records them (DOMAIN.md, 審査者記入欄: 機関名, 部署名, 氏名): a token without them decides
 * nothing. Reviews recorded before this was checked may hold null.
 */
export function reviewerOf(meta: CommandMetadata): ReviewerRecord {
  const missing: FieldViolation[] = [];
  // Zero-width characters alone are no name (as in forms), and a name read backwards (U+202E), a
  // control character or a line break is none either: the record is permanent and shown to others.
  const unreadable = (field: string, text: string | undefined) => {
    const fault = text === undefined ? undefined : (textFault(text) ?? (/[\t\r\n\u2028\u2029]/.test(text) ? 'plainText' : undefined));
    if (fault) missing.push(textViolation(field, fault));
    // As a form's 氏名 and 部署名 are bounded: a 3,000-character name was recorded on a review for ever.
    // Counted in characters, as the forms count them (a kanji outside the BMP is one).
    else if (text !== undefined && [...text].length > (REVIEWER_TEXT_MAX[field] ?? 100)) {
      const max = REVIEWER_TEXT_MAX[field] ?? 100;
      missing.push(violation(field, 'maxLength', `${field}: トークンの値が長すぎます（${max}文字以内）。`, `${field}: the token's value is longer than ${max} characters`));
    }
  };
  if (isBlankText(meta.actor.name)) {
    missing.push(violation('reviewer.name', 'recordedOnReview', '審査には審査者の氏名を記録します。トークンに氏名（name）がありません。', 'every review records the reviewer’s name (氏名): the token carries none (claim `name`)'));
  } else unreadable('reviewer.name', meta.actor.name);
  if (isBlankText(meta.actor.department)) {
    missing.push(violation('reviewer.department', 'recordedOnReview', '審査には審査者の部署名を記録します。トークンに部署名（department）がありません。', 'every review records the reviewer’s department (部署名): the token carries none (claim `department`)'));
  } else unreadable('reviewer.department', meta.actor.department);
  if (missing.length > 0) throw new ValidationFailedError(missing);
  return {
    sub: meta.actor.sub,
    org: meta.actor.org,
    orgName: organizationName(meta.actor.org),
    department: meta.actor.department ?? null,
    name: meta.actor.name ?? null,
  };
}

/**
 * The events of the actions every two-stage workflow takes alike (approve and reject in the review
 * the application is in, revise, withdraw); undefined for the others, which each workflow decides.
 */
export function decideReviewAction(action: string, state: string, round: number, payload: JsonObject, meta: CommandMetadata): DecidedEvent[] | undefined {
  const stage = state === 'secondReview' ? 'Second' : 'First';
  switch (action) {
    case 'approve':
      return [{ type: `${stage}ReviewApproved`, data: { round, comment: reviewComment(payload, false), reviewer: { ...reviewerOf(meta) } } }];
    case 'reject':
      return [{ type: `${stage}ReviewRejected`, data: { round, comment: reviewComment(payload, true), reviewer: { ...reviewerOf(meta) } } }];
    case 'revise':
      noComment(action, payload);
      return [{ type: 'ApplicationRevised', data: { round: round + 1 } }];
    case 'withdraw':
      return [{ type: 'ApplicationWithdrawn', data: { reason: reviewComment(payload, false) } }];
    default:
      return undefined;
  }
}

/** The state a board of education's application waits in for its head department (首長部局を経由). */
export const AWAITING_FORWARD = 'awaitingForward';

/** Where an application waits in the two-stage review (一次 at its reviewer body, 二次 at MIC). */
export function reviewWaitingAt(
  state: string,
  routing: { readonly firstReviewer: string | null; readonly secondReviewer: string | null },
): { stage: string; org: string } | undefined {
  if (state === 'firstReview' && routing.firstReviewer) return { stage: 'first', org: routing.firstReviewer };
  if (state === 'secondReview' && routing.secondReviewer) return { stage: 'second', org: routing.secondReviewer };
  return undefined;
}

/**
 * Who may read an application of a two-stage workflow, by role, the same in every workflow: its
 * body's applicants, the reviewers of the body each stage is routed to once it is routed, and
 * auditors. `undefined` for the other roles, which each workflow decides for itself (MIC's
 * distributors read connection applications with master data; nobody else reads anything). An
 * org alone is not enough: MIC's distributors and operators, or a prefecture's own applicants, are
 * not its reviewers. The application list (`list-scope.policy.ts`) shows the same, by role.
 */
export function canReadReviewed(
  ctx: {
    readonly organization: { readonly code: string; readonly kind?: string };
    readonly firstReviewer: string | null;
    readonly secondReviewer: string | null;
    /** The organ that forwards it (首長部局を経由), in workflows that forward at all. */
    readonly forwardVia?: string | null;
    /** Its latest forwarding, in workflows that forward: null until it was first forwarded. */
    readonly forwarding?: unknown;
    /** Set by its first submission. */
    readonly applicationNumber: string | null;
  },
  actor: Actor,
  state: string,
): boolean | undefined {
  // What waits for the head department's forwarding (首長部局を経由) has not reached the reviewers yet,
  // nor what was withdrawn before it was ever forwarded (it was readable again once withdrawn).
  const reachedReviewers = state !== AWAITING_FORWARD && (!ctx.forwardVia || (ctx.forwarding !== null && ctx.forwarding !== undefined));
  switch (actor.role) {
    case 'applicant':
      // A body is an organ, not a code: a 市町村教育委員会 does not read its 市町村長部局's applications
      // (their staff's 緊急連絡先 among them), nor the other way round, except the head's department
      // its board's, which it forwards (首長部局を経由).
      if (actor.org !== ctx.organization.code || ctx.organization.kind === undefined || organOf(actor) === ctx.organization.kind) return actor.org === ctx.organization.code;
      // The organ that forwards it, once it is submitted: a board's draft is the board's own, and
      // what is not forwarded (an account request) is the board's alone.
      // Submitted once (a draft withdrawn before any submission was readable once withdrawn).
      return ctx.forwardVia !== undefined && organOf(actor) === forwardingOrganFor({ kind: ctx.organization.kind }) && state !== 'draft' && ctx.applicationNumber !== null;
    case 'first-reviewer':
      return reachedReviewers && ctx.firstReviewer !== null && reviewingBodyOf(actor) === ctx.firstReviewer;
    case 'second-reviewer':
      return reachedReviewers && ctx.secondReviewer !== null && reviewingBodyOf(actor) === ctx.secondReviewer;
    case 'auditor':
      return true;
    default:
      return undefined;
  }
}

/**
 * Who may decide a review (approve / reject), the same in every two-stage workflow: the reviewer
 * role of the stage, of the body it is routed to; never the applicant's own body; and not the
 * person who decided the first review of the round.
 *
 * A body is an organ (機関) of a local government: a 都道府県教育委員会 is another body than the
 * 都道府県知事部局 of the same code, and its first review is routed to that prefecture (DOMAIN.md:
 * only governor departments go to J-LIS). Comparing codes alone would let nobody decide it.
 */
export function authorizeReviewDecision(
  state: string,
  ctx: {
    readonly organization: { readonly code: string; readonly kind?: string };
    readonly firstReviewer: string | null;
    readonly secondReviewer: string | null;
    readonly firstDecidedBy: string | null;
  },
  actor: Actor,
): Authorization {
  const stage = state === 'firstReview' ? 'first' : 'second';
  const label = stage === 'first' ? '一次' : '二次';
  const role = stage === 'first' ? 'first-reviewer' : 'second-reviewer';
  const body = stage === 'first' ? ctx.firstReviewer : ctx.secondReviewer;
  if (actor.role !== role) return deny(`${label}審査者のみが行える操作です。`, `only a ${role} may decide this review`);
  if (actor.org !== body) return deny(`この申請の${label}審査は ${body} が行います。`, `this review is routed to ${body}, not ${actor.org}`);
  if (reviewingBodyOf(actor) !== body) {
    return deny(`${body} の${label}審査は取りまとめ都道府県（都道府県知事部局）が行います（あなたは${organOf(actor) ?? '不明'}）。`, `the review of ${body} is decided by its governor's department (取りまとめ都道府県), not its ${organOf(actor) ?? 'unknown organ'}`);
  }
  const ownBody = actor.org === ctx.organization.code && (ctx.organization.kind === undefined || organOf(actor) === ctx.organization.kind);
  if (ownBody) return deny('自機関の申請は審査できません。', 'nobody reviews an application of their own body');
  if (stage === 'second' && actor.sub === ctx.firstDecidedBy) {
    return deny('一次審査を決定した者は二次審査を決定できません。', 'the person who decided the first review may not decide the second');
  }
  return ALLOWED;
}
