import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

export const BODY_LIMIT_BYTES = 256 * 1024;

/** The body is not JSON; `reason` is the parser's, e.g. "Unexpected end of JSON input". */
export class InvalidJsonException extends BadRequestException {
  constructor(readonly reason: string) {
    super(reason);
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
 * - a charset other than UTF-8 is refused (415), not decoded as UTF-8 by mistake.
 *
 * A parse failure is an InvalidJsonException (400 INVALID_JSON, with the parser's reason); the
 * size limit is Fastify's (413 before the body is read).
 */
export function useJsonBody(fastify: FastifyInstance): void {
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
    try {
      done(null, JSON.parse(text) as unknown);
    } catch (error) {
      done(new InvalidJsonException(error instanceof Error ? error.message : String(error)), undefined);
    }
  });
}
