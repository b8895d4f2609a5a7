import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ValidationFailedError, commandIdForIdempotencyKey, type Actor, type CommandMetadata } from '@nws/engine';
import type { AuthenticatedRequest } from '../auth/current-actor.decorator';

export interface CommandHeaders {
  /** From If-Match: the revision the client last saw. */
  readonly expectedRevision: number | undefined;
  readonly idempotencyKey: string | undefined;
  readonly correlationId: string;
}

const fieldError = (field: string, rule: string, ja: string, en: string) =>
  new ValidationFailedError([{ field, rule, message: { ja: `${field}: ${ja}`, en: `${field}: ${en}` } }]);

/** Parses If-Match (`"3"`, `W/"3"`, `3`), Idempotency-Key and X-Correlation-Id. */
export function parseCommandHeaders(headers: Record<string, string | string[] | undefined>): CommandHeaders {
  const ifMatch = headers['if-match'];
  let expectedRevision: number | undefined;
  if (typeof ifMatch === 'string' && ifMatch.trim() !== '' && ifMatch.trim() !== '*') {
    // A revision is a whole number from 0, and one a stream can reach: not "-1", nor 10^23 (read as 1e+23).
    // Quoted or not, but not half-quoted (`"3` is not an entity tag).
    const match = /^(?:W\/)?(?:"(\d{1,15})"|(\d{1,15}))$/.exec(ifMatch.trim());
    if (!match) throw fieldError('If-Match', 'revision', 'ETag で返された改訂番号（例 "3"）を指定してください。', 'must be the revision returned in ETag, e.g. "3"');
    expectedRevision = Number(match[1] ?? match[2]);
  }
  const key = headers['idempotency-key'];
  if (key !== undefined && (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key))) {
    throw fieldError('Idempotency-Key', 'printableAscii', '1〜200文字の表示可能なASCII文字で指定してください。', 'must be 1 to 200 printable ASCII characters');
  }
  const correlation = headers['x-correlation-id'];
  const correlationId = typeof correlation === 'string' && /^[\x21-\x7e]{1,200}$/.test(correlation) ? correlation : randomUUID();
  return { expectedRevision, idempotencyKey: key, correlationId };
}

export const Headers = createParamDecorator((_: unknown, context: ExecutionContext): CommandHeaders => {
  return parseCommandHeaders(context.switchToHttp().getRequest<AuthenticatedRequest>().headers);
});

/** `scope`: what the command is about (the application's id; the collection, for a create): an Idempotency-Key counts within it. */
export function commandMetadata(actor: Actor, headers: CommandHeaders, now: string, scope: string): CommandMetadata {
  const base = { actor, now, correlationId: headers.correlationId };
  return headers.idempotencyKey ? { ...base, commandId: commandIdForIdempotencyKey(actor, headers.idempotencyKey, scope) } : { ...base, commandId: randomUUID(), freshCommandId: true };
}
