import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, NotFoundException, Optional, type ExceptionFilter } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { EventStoreUnavailableError, StorageUnavailableError, asStorageError, isOutcomeUnknown, type StorageProblem } from '@nws/event-store';
import { PersonalDataErasedMeanwhileError } from '@nws/personal-data';
import { EngineMetrics } from '../metrics/metrics.registry';
import { BODY_LIMIT_BYTES, InvalidJsonException, UnsupportedContentEncodingException } from './json-body';
import {
  ActionNotAllowedInStateError,
  ApplicationNotFoundError,
  RevisionNotFoundError,
  NotYetCreatedError,
  ChangedMeanwhileError,
  ConcurrencyConflictError,
  DomainError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  IdempotencyKeyUnverifiableError,
  RevisionMismatchError,
  UnknownActionError,
  UnknownWorkflowError,
  ValidationFailedError,
  type LocalizedMessage, quoted } from '@nws/engine';

interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  /** English, for logs and tools that expect a string. */
  message: string;
  messages: LocalizedMessage;
  [extra: string]: unknown;
}

const STATUS_OF: Array<[new (...args: never[]) => DomainError, number]> = [
  [ApplicationNotFoundError, HttpStatus.NOT_FOUND],
  [RevisionNotFoundError, HttpStatus.NOT_FOUND],
  [NotYetCreatedError, HttpStatus.NOT_FOUND],
  [UnknownActionError, HttpStatus.NOT_FOUND],
  [UnknownWorkflowError, HttpStatus.BAD_REQUEST],
  [ValidationFailedError, HttpStatus.BAD_REQUEST],
  [ForbiddenError, HttpStatus.FORBIDDEN],
  [ActionNotAllowedInStateError, HttpStatus.CONFLICT],
  [ConcurrencyConflictError, HttpStatus.CONFLICT],
  [ChangedMeanwhileError, HttpStatus.CONFLICT],
  [RevisionMismatchError, HttpStatus.PRECONDITION_FAILED],
  [IdempotencyKeyReusedError, HttpStatus.UNPROCESSABLE_ENTITY],
  [IdempotencyKeyUnverifiableError, HttpStatus.UNPROCESSABLE_ENTITY],
  [PersonalDataErasedMeanwhileError, HttpStatus.CONFLICT],
];

/** A body that ended (the connection closed) before the length its Content-Length declares. */
export const BODY_CUT_SHORT: LocalizedMessage = { ja: '(Content-Length): 本文が Content-Length の長さに達する前に接続が閉じられました。', en: '(Content-Length): the connection ended before the body reached the length Content-Length declares' };

const REFUSAL_LOG_EVERY_MS = 10_000;

/** Violations listed in one answer: enough for any form, not a megabyte for a hostile body. */
const MAX_VIOLATIONS = 100;

/**
 * One error format for every failure: status, a stable code, the message in Japanese and
 * English, and the details a client needs (violations, allowed actions, current revision).
 * Client input never yields a 500: anything unexpected is logged with the request and answered
 * as an internal error without internals.
 */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(@Optional() private readonly metrics?: EngineMetrics) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    // Any writer's storage failure — typed by its adapter, or raw (SQLITE_FULL, ENOSPC, EROFS…) from one that is not.
    const storage = asStorageError(exception, 'storage');
    if (storage instanceof StorageUnavailableError) {
      this.metrics?.storageRefusals.inc({ problem: storage.problem });
      this.logRefusal(storage.problem, `${request.method} ${request.url} → 503: ${storage.message}`);
      void response.header('Retry-After', String(storage.retryAfterSeconds)).status(HttpStatus.SERVICE_UNAVAILABLE).send(storageUnavailable(storage, request.method));
      return;
    }
    // The client closed (or reset) its connection in the middle of the body: its own doing, and
    // nobody is left to read the answer (Node's parser answers a half-closed one). Not a 500 logged
    // as an error, which would page an operator for every dropped mobile connection.
    if (clientWentAway(exception)) {
      void response.status(HttpStatus.BAD_REQUEST).send(make(HttpStatus.BAD_REQUEST, 'MALFORMED_REQUEST', BODY_CUT_SHORT));
      return;
    }
    const body = noRoute(exception, request, response) ?? this.toBody(exception, response);
    if (body.statusCode >= 500) {
      this.logger.error(`${request.method} ${request.url} → ${body.statusCode}: ${exception instanceof Error ? exception.stack : String(exception)}`);
    }
    void response.status(body.statusCode).send(body);
  }

  /**
   * One line per problem every 10 s, with how many were refused since: a full disk under load
   * refused every write, each logged on its own line (hundreds a minute), and the line that said
   * why was lost among them. /metrics counts every one (nws_storage_refused_writes_total).
   */
  private logRefusal(problem: string, line: string): void {
    const now = Date.now();
    const last = this.refusalsLogged.get(problem);
    if (last && now - last.at < REFUSAL_LOG_EVERY_MS) {
      last.since += 1;
      return;
    }
    this.logger.warn(last && last.since > 0 ? `${line} (and ${last.since} more refused for the same reason since the last line)` : line);
    this.refusalsLogged.set(problem, { at: now, since: 0 });
  }

  private readonly refusalsLogged = new Map<string, { at: number; since: number }>();

  private toBody(exception: unknown, response: FastifyReply): ErrorBody {
    if (exception instanceof DomainError) {
      const status = STATUS_OF.find(([type]) => exception instanceof type)?.[1] ?? HttpStatus.BAD_REQUEST;
      const body = make(status, exception.code, exception.detail);
      if (exception instanceof ValidationFailedError) {
        // A body of 5,000 unknown keys was answered with 5,000 violations (1.1 MB): the first ones, and how many more.
        body['violations'] = exception.violations.slice(0, MAX_VIOLATIONS);
        if (exception.violations.length > MAX_VIOLATIONS) body['moreViolations'] = exception.violations.length - MAX_VIOLATIONS;
      }
      // An unknown workflow is a field's refusal like any other: named with its rule.
      if (exception instanceof UnknownWorkflowError) body['violations'] = [{ field: 'workflow', rule: 'isIn', message: exception.detail }];
      if (exception instanceof ActionNotAllowedInStateError) {
        body['state'] = exception.state;
        body['allowedActions'] = exception.allowedActions;
      }
      if (exception instanceof RevisionMismatchError) body['currentRevision'] = exception.actual;
      if (exception instanceof IdempotencyKeyUnverifiableError) {
        body['applicationId'] = exception.applicationId;
        body['recordedRevision'] = exception.recordedRevision;
      }
      if (exception instanceof ChangedMeanwhileError) {
        body['state'] = exception.state;
        body['currentRevision'] = exception.revision;
      }
      return body;
    }
    if (exception instanceof EventStoreUnavailableError) {
      void response.header('Retry-After', String(exception.retryAfterSeconds));
      return make(HttpStatus.SERVICE_UNAVAILABLE, 'EVENT_STORE_UNAVAILABLE', {
        ja: `イベントストアに一時的に接続できません。${exception.retryAfterSeconds}秒後に再実行してください（操作は記録されていません）。`,
        en: `the event store is temporarily unavailable; retry in ${exception.retryAfterSeconds} s (nothing was recorded)`,
      });
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (exception instanceof UnsupportedContentEncodingException) {
        void response.header('Accept-Encoding', 'identity');
        return make(status, 'UNSUPPORTED_CONTENT_ENCODING', {
          ja: `(Content-Encoding): 圧縮された本文（${exception.encoding}）は受け付けません。圧縮せずに送ってください。`,
          en: `(Content-Encoding): a compressed body (${exception.encoding}) is not accepted; send it uncompressed`,
        });
      }
      // Fastify's length check, over the body decoded as UTF-8: with the framing left to Node's
      // parser, the only way to fail it is bytes that are not UTF-8 (each becomes U+FFFD).
      if (status === HttpStatus.BAD_REQUEST && exception.message === FASTIFY_DECODED_LENGTH_MISMATCH) {
        return make(status, 'INVALID_JSON', { ja: '(body): UTF-8 の文字として読めないバイトが含まれています（JSON は UTF-8 で送ってください）。', en: '(body): holds bytes that are not UTF-8 text (JSON must be sent in UTF-8)' });
      }
      if (exception instanceof InvalidJsonException) {
        return make(HttpStatus.BAD_REQUEST, 'INVALID_JSON', { ja: '(body): JSON として解析できません。', en: `(body): is not valid JSON (${exception.reason})` });
      }
      // Fastify's own refusals before any handler runs, which Nest passes on as bare HttpExceptions.
      if (status === HttpStatus.PAYLOAD_TOO_LARGE) {
        return make(status, 'BODY_TOO_LARGE', {
          ja: `(body): 本文が大きすぎます（上限 ${BODY_LIMIT_BYTES} バイト）。`,
          en: `(body): the request body is larger than the limit of ${BODY_LIMIT_BYTES} bytes`,
        });
      }
      if (status === HttpStatus.UNSUPPORTED_MEDIA_TYPE) {
        return make(status, 'UNSUPPORTED_MEDIA_TYPE', {
          ja: '(Content-Type): 本文は application/json（文字コード UTF-8）で送ってください。',
          en: '(Content-Type): the request body must be application/json, in UTF-8',
        });
      }
      if (status === HttpStatus.UNAUTHORIZED) void response.header('WWW-Authenticate', 'Bearer');
      const raw = exception.getResponse();
      const detail = isLocalized(raw) ? raw : { ja: exception.message, en: exception.message };
      return make(status, httpCode(status), detail);
    }
    return make(HttpStatus.INTERNAL_SERVER_ERROR, 'INTERNAL_ERROR', { ja: 'サーバー内部でエラーが発生しました。', en: 'internal error' });
  }
}

/**
 * What Fastify refuses before routing, so before Nest and its filters (`frameworkErrors`): a path
 * that does not decode as a URL. Answered in the same shape as every other refusal.
 */
export function frameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : HttpStatus.BAD_REQUEST;
  const body =
    error.code === 'FST_ERR_BAD_URL'
      ? make(HttpStatus.BAD_REQUEST, 'BAD_URL', {
          ja: '(path): URL として解釈できません（% の後には16進数2桁が必要で、% で表したバイト列は UTF-8 の文字でなければなりません）。',
          en: '(path): is not a valid URL (a % must be followed by two hexadecimal digits, and the bytes written with % must be UTF-8 text)',
        })
      : make(status, httpCode(status), { ja: `(request): ${error.message}`, en: `(request): ${error.message}` });
  void reply.status(body.statusCode).send(body);
}

/** FST_ERR_CTP_INVALID_CONTENT_LENGTH's message, all Nest passes on of it (the code is lost on the way). */
const FASTIFY_DECODED_LENGTH_MISMATCH = 'Request body size did not match Content-Length';

/** What is wrong with the disk, as the start of a sentence. */
const STORAGE_PROBLEMS: Record<StorageProblem, LocalizedMessage> = {
  full: { ja: 'サーバーのディスクの空き容量が不足しているため', en: 'the server\'s disk is full' },
  'read-only': { ja: 'サーバーのデータ領域が読み取り専用になっているため', en: 'the server\'s data directory is read-only' },
  'io-error': { ja: 'サーバーのディスクで入出力エラーが発生したため', en: 'the server\'s disk reported an I/O error' },
  'cannot-open': { ja: 'サーバーのデータ領域にファイルを作成できないため', en: 'a file cannot be created in the server\'s data directory' },
  busy: { ja: 'サーバーのデータ領域のファイルを別のプロセスがロックしているため', en: 'another process holds a lock on a file in the server\'s data directory' },
};

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * 503 for what the disk refused. A write: what happened, whether it was recorded (`outcome`:
 * `not-recorded`, or `unknown` when the disk failed while making it durable — the same
 * Idempotency-Key then tells the outcome without recording it twice), that reads still work. A
 * read (it needed a file the disk cannot give now): that this data cannot be read now.
 */
function storageUnavailable(error: StorageUnavailableError, method: string): ErrorBody {
  const reason = STORAGE_PROBLEMS[error.problem];
  const wait = { ja: `${error.retryAfterSeconds}秒以上おいて再実行してください。`, en: `Retry in ${error.retryAfterSeconds} s or later.` };
  if (READ_METHODS.has(method.toUpperCase())) {
    const body = make(HttpStatus.SERVICE_UNAVAILABLE, 'STORAGE_UNAVAILABLE', {
      ja: `${reason.ja}、このデータを現在読み出せません。${wait.ja}`,
      en: `${reason.en}, so this data cannot be read now. ${wait.en}`,
    });
    body['storage'] = error.problem;
    return body;
  }
  const unknown = isOutcomeUnknown(error);
  const body = make(
    HttpStatus.SERVICE_UNAVAILABLE,
    'STORAGE_UNAVAILABLE',
    unknown
      ? {
          ja: `${reason.ja}、書き込みを受け付けられません。ディスクへの確定の途中で失敗したため、操作が記録されたかどうかは不明です。同じ Idempotency-Key で再実行すると結果が分かります（二重に記録されることはありません）。参照は引き続き利用できます。${wait.ja}`,
          en: `${reason.en}, so writes are refused. The disk failed while this write was being made durable, so it may or may not have been recorded: retry with the same Idempotency-Key to learn the outcome (it is never recorded twice). Reads still work. ${wait.en}`,
        }
      : {
          ja: `${reason.ja}、書き込みを受け付けられません。操作は記録されていません。参照は引き続き利用できます。${wait.ja}`,
          en: `${reason.en}, so writes are refused; nothing was recorded. Reads still work. ${wait.en}`,
        },
  );
  body['storage'] = error.problem;
  body['outcome'] = unknown ? 'unknown' : 'not-recorded';
  return body;
}

/** The API's one error shape (also written by client-error.ts, on a bare socket). */
export function make(statusCode: number, code: string, messages: LocalizedMessage): ErrorBody {
  return { statusCode, error: httpCode(statusCode), code, message: messages.en, messages };
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * A request no route takes. Nest answers it with an English-only "Cannot GET /x" (its not-found
 * handler throws exactly that). Here: a 405 with `Allow` when the path exists for other methods
 * (DELETE on an application), else a 404 that says, in both languages, that there is no such
 * endpoint and where they are listed.
 */
function noRoute(exception: unknown, request: FastifyRequest, response: FastifyReply): ErrorBody | undefined {
  if (!(exception instanceof NotFoundException) || exception.message !== `Cannot ${request.method} ${request.url}`) return undefined;
  const path = request.url.split('?', 1)[0] ?? request.url;
  const routed = (method: (typeof METHODS)[number]): boolean => {
    try {
      return request.server.findRoute({ method, url: path }) !== null;
    } catch {
      // A path the router cannot read has no route for any method.
      return false;
    }
  };
  const allowed = METHODS.filter((method) => method !== request.method && routed(method));
  // Repeated as far as it is needed to recognise it: a 15 kB path is not answered with 15 kB.
  const shown = quoted(path, 200);
  if (allowed.length > 0) {
    void response.header('Allow', allowed.join(', '));
    return make(HttpStatus.METHOD_NOT_ALLOWED, 'METHOD_NOT_ALLOWED', {
      ja: `${shown} には ${request.method} を使えません（使えるもの: ${allowed.join(', ')}）。`,
      en: `${request.method} is not allowed on ${shown} (allowed: ${allowed.join(', ')})`,
    });
  }
  return make(HttpStatus.NOT_FOUND, 'NOT_FOUND', {
    ja: `${request.method} ${shown} というエンドポイントはありません（一覧は /docs にあります）。`,
    en: `there is no endpoint ${request.method} ${shown} (they are listed at /docs)`,
  });
}

function httpCode(status: number): string {
  // Nest's enum lacks a few (431); Node's reason phrases have them all.
  return (HttpStatus[status] as string | undefined) ?? STATUS_CODES[status]?.toUpperCase().replace(/[^A-Z]+/g, '_') ?? 'ERROR';
}

/** Node's error for a request whose connection closed before its body was whole (not `instanceof Error` in every realm: duck-typed). */
function clientWentAway(exception: unknown): boolean {
  const error = exception as { message?: unknown; code?: unknown } | null;
  return typeof error === 'object' && error !== null && error.message === 'aborted' && error.code === 'ECONNRESET';
}

function isLocalized(value: unknown): value is LocalizedMessage {
  return typeof value === 'object' && value !== null && typeof (value as LocalizedMessage).ja === 'string' && typeof (value as LocalizedMessage).en === 'string';
}
