import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { ValidationFailedError } from '@nws/engine';
import { duplicateKeyPath } from './duplicate-keys';

export const BODY_LIMIT_BYTES = 256 * 1024;

/** The body is not JSON; `reason` is the parser's, e.g. "Unexpected end of JSON input". */
export class InvalidJsonException extends BadRequestException {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** A body sent compressed (`Content-Encoding: gzip`, …); the API reads only plain bodies. */
export class UnsupportedContentEncodingException extends UnsupportedMediaTypeException {
  constructor(readonly encoding: string) {
    super(encoding);
  }
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * The API's one body parser, in place of Fastify's defaults (JSON, and text/plain, which no route
 * takes: any other body is a 415 that says to send JSON):
 * - an empty body is no body (as `curl -X POST -H 'Content-Type: application/json'` sends for
 *   actions without input), not a refusal;
 * - keys named `__proto__` or `constructor` are kept as own properties (JSON.parse pollutes
 *   nothing) so the validation pipe refuses them by name and field, where the default parser's
 *   refusal only says "invalid JSON";
 * - a charset other than UTF-8 is refused (415), not decoded as UTF-8 by mistake;
 * - a compressed body (`Content-Encoding` other than identity) is refused (415), before it is read;
 * - a key given twice in one object is refused (400 `duplicateKey`, naming it), not the last kept.
 *
 * A parse failure is an InvalidJsonException (400 INVALID_JSON, with the parser's reason); the
 * size limit is Fastify's (413 before the body is read).
 */
export function useJsonBody(fastify: FastifyInstance): void {
  // Before the body is read: decoded as UTF-8, a compressed body fails Fastify's length check,
  // whose message ("did not match Content-Length") would name the wrong thing.
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const encoding = request.headers['content-encoding'];
    if (encoding === undefined || encoding.trim().toLowerCase() === 'identity') done(null, payload);
    else done(new UnsupportedContentEncodingException(encoding), undefined);
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (request, body, done) => {
    const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new UnsupportedMediaTypeException(), undefined);
      return;
    }
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch (error) {
      done(new InvalidJsonException(error instanceof Error ? error.message : String(error)), undefined);
      return;
    }
    const duplicate = duplicateKeyPath(text, parsed);
    if (duplicate !== undefined) {
      done(new ValidationFailedError([{ field: duplicate, rule: 'duplicateKey', message: { ja: `${duplicate}: 同じ項目が2回以上あります（どちらを採るか決められません）。1回だけ送ってください。`, en: `${duplicate}: is given more than once in one object (which one is meant cannot be told): send it once` } }]), undefined);
      return;
    }
    done(null, parsed);
  });
}
