import type { FieldViolation, LocalizedMessage } from './engine.types';

export type { FieldViolation };

/** Base of every error a client can cause: the API maps each to a 4xx status, never a 500. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(readonly detail: LocalizedMessage) {
    super(detail.en);
  }
}

/** What a refusal repeats of the caller's input: enough to recognise it, never the whole of a 250 kB value. */
export function quoted(value: string, max = 80): string {
  return value.length <= max ? value : `${value.slice(0, max)}…（${value.length} 文字 / characters）`;
}

export class ApplicationNotFoundError extends DomainError {
  readonly code = 'APPLICATION_NOT_FOUND';
  constructor(readonly applicationId: string) {
    super({ ja: `申請 ${quoted(applicationId)} は存在しません。`, en: `application ${quoted(applicationId)} does not exist` });
  }
}

/** A revision asked for (?asOfRevision, --as-of-revision) past the application's last one. */
export class RevisionNotFoundError extends DomainError {
  readonly code = 'REVISION_NOT_FOUND';
  constructor(
    readonly applicationId: string,
    readonly revision: number,
    readonly lastRevision: number,
  ) {
    super({
      ja: `asOfRevision: 申請 ${applicationId} に改訂番号 ${revision} はありません（最新は ${lastRevision}）。`,
      en: `asOfRevision: application ${applicationId} has no revision ${revision} (the last is ${lastRevision})`,
    });
  }
}

/** `asOf` before the application's first event: it did not exist yet (as a revision past the last does not). */
export class NotYetCreatedError extends DomainError {
  readonly code = 'NOT_YET_CREATED';
  constructor(
    readonly applicationId: string,
    readonly asOf: string,
    readonly createdAt: string,
  ) {
    super({
      ja: `asOf: 申請 ${applicationId} は ${asOf} にはまだ作成されていません（作成 ${createdAt}）。`,
      en: `asOf: application ${applicationId} did not exist yet at ${asOf} (created ${createdAt})`,
    });
  }
}

export class UnknownWorkflowError extends DomainError {
  readonly code = 'UNKNOWN_WORKFLOW';
  constructor(readonly workflow: string, readonly known: readonly string[]) {
    super({
      ja: `workflow: 「${quoted(workflow)}」は登録されていないワークフローです（${known.join(', ')} のいずれか）。`,
      en: `workflow: "${quoted(workflow)}" is not a registered workflow (one of ${known.join(', ')})`,
    });
  }
}

export class ActionNotAllowedInStateError extends DomainError {
  readonly code = 'ACTION_NOT_ALLOWED_IN_STATE';
  constructor(readonly action: string, readonly state: string, readonly allowedActions: readonly string[]) {
    super({
      ja: `操作「${action}」は状態「${state}」では行えません。可能な操作: ${allowedActions.join(', ') || 'なし'}`,
      en: `action "${action}" is not allowed in state "${state}"; allowed now: ${allowedActions.join(', ') || 'none'}`,
    });
  }
}

export class UnknownActionError extends DomainError {
  readonly code = 'UNKNOWN_ACTION';
  constructor(readonly action: string, readonly known: readonly string[]) {
    super({
      ja: `action: 「${action}」は存在しない操作です（${known.join(', ')} のいずれか）。`,
      en: `action: "${action}" is not an action of this workflow (one of ${known.join(', ')})`,
    });
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

export class RevisionMismatchError extends DomainError {
  readonly code = 'REVISION_MISMATCH';
  constructor(readonly expected: number, readonly actual: number) {
    super({
      ja: `If-Match: 申請は改訂 ${actual} に更新されています（指定 ${expected}）。最新を取得して再実行してください。`,
      en: `If-Match: the application is at revision ${actual}, not ${expected}; fetch it again and retry`,
    });
  }
}


export class ValidationFailedError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly violations: readonly FieldViolation[]) {
    // The summary names the first few: a body of 5,000 unknown keys made a message of 500 kB.
    const shown = violations.slice(0, SUMMARISED_VIOLATIONS);
    const more = violations.length - shown.length;
    super({
      ja: shown.map((v) => v.message.ja).join(' / ') + (more > 0 ? `（ほか ${more} 件）` : ''),
      en: shown.map((v) => v.message.en).join('; ') + (more > 0 ? ` (and ${more} more)` : ''),
    });
  }
}

/** Violations a ValidationFailedError's message names; all of them are in `violations`. */
const SUMMARISED_VIOLATIONS = 20;

/** A repeated Idempotency-Key with a different request: refusing is safer than guessing. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor() {
    super({
      ja: 'Idempotency-Key: このキーは別の内容の要求に使用済みです。',
      en: 'Idempotency-Key: this key was already used for a different request',
    });
  }
}

/**
 * A repeated Idempotency-Key whose first request can no longer be compared with this one: its
 * fingerprint's key was destroyed (an erasure of one of the body's people, or kept past a week).
 * Answering the first result could silently drop a different request sent under the key; the
 * client sends it again under a new key.
 */
export class IdempotencyKeyUnverifiableError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_UNVERIFIABLE';
  constructor(
    /** What the key's request recorded: the application and its revision after it. */
    readonly applicationId: string,
    readonly recordedRevision: number,
  ) {
    super({
      ja: `Idempotency-Key: このキーの要求は記録済みです（申請 ${applicationId}、改訂番号 ${recordedRevision} まで）。個人情報の消去または保管期間（1週間）の経過により、この要求と同じ内容かは照合できません。申請を読み取って確認し、別の要求は新しいキーで送ってください。`,
      en: `Idempotency-Key: this key's request was recorded (application ${applicationId}, up to revision ${recordedRevision}) and can no longer be compared with this one (a personal-data erasure in your organ since, or older than a week): read the application to see it, and send a different request under a new key`,
    });
  }
}

/**
 * Another request changed the application between this one's read and its write, and what was
 * allowed before is not any more (e.g. two first reviewers approving at once: for the loser the
 * application now waits for the second review, which is not theirs). A conflict (409), not a 403:
 * nothing is wrong with who the caller is.
 */
export class ChangedMeanwhileError extends DomainError {
  readonly code = 'CHANGED_MEANWHILE';
  constructor(readonly applicationId: string, readonly state: string, readonly revision: number) {
    super({
      ja: `申請 ${applicationId} はこの操作の処理中に別の操作で更新されました（現在の状態「${state}」、改訂 ${revision}）。最新の内容を確認してください。`,
      en: `application ${applicationId} was changed by another request while this one was processed (now in state "${state}", revision ${revision}); fetch it again`,
    });
  }
}

/** Too many concurrent writers on one application; the client may retry. */
export class ConcurrencyConflictError extends DomainError {
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(readonly applicationId: string) {
    super({
      ja: `申請 ${applicationId} は同時に更新されています。再実行してください。`,
      en: `application ${applicationId} is being changed concurrently; retry`,
    });
  }
}
