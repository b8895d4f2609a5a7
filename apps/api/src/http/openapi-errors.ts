import type { OpenAPIObject } from '@nestjs/swagger';
import type { HeadersObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type Responses = Operation['responses'];

const LOCALIZED = {
  type: 'object',
  required: ['ja', 'en'],
  properties: { ja: { type: 'string' }, en: { type: 'string' } },
  additionalProperties: false,
};

/** The one error body every refusal has (DomainExceptionFilter), for client generators and validators. */
export const ERROR_SCHEMAS = {
  ErrorResponse: {
    type: 'object',
    description: 'Every error: the status, a stable `code`, the message in Japanese and English, and the details the code carries.',
    required: ['statusCode', 'error', 'code', 'message', 'messages'],
    properties: {
      statusCode: { type: 'integer', minimum: 400, maximum: 599 },
      error: { type: 'string', description: 'the status as a name (BAD_REQUEST, NOT_FOUND, …)' },
      code: { type: 'string', description: 'stable: VALIDATION_FAILED, UNAUTHORIZED, FORBIDDEN, APPLICATION_NOT_FOUND, ACTION_NOT_ALLOWED_IN_STATE, CHANGED_MEANWHILE, PERSONAL_DATA_ERASED_MEANWHILE, REVISION_MISMATCH, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_UNVERIFIABLE, TOO_MANY_REQUESTS, STORAGE_UNAVAILABLE, …' },
      message: { type: 'string', description: 'English, for logs and tools that expect one string' },
      messages: { ...LOCALIZED, description: 'what users read, in Japanese and English' },
      violations: { type: 'array', items: { $ref: '#/components/schemas/Violation' }, maxItems: 100, description: '400 VALIDATION_FAILED: each field and rule refused (the first 100)' },
      moreViolations: { type: 'integer', minimum: 1, description: 'how many violations there are beyond the 100 listed, when there are' },
      state: { type: 'string', description: '409: the state the application is in' },
      allowedActions: { type: 'array', items: { type: 'string' }, description: '409: what the state offers' },
      currentRevision: { type: 'integer', description: '409/412: the revision the application is at' },
      storage: { type: 'string', description: '503 STORAGE_UNAVAILABLE: the problem (full, read-only, io-error, cannot-open, busy)' },
      outcome: { type: 'string', enum: ['not-recorded', 'unknown'], description: '503 on a write: whether it may have been recorded' },
    },
    additionalProperties: true,
  },
  Violation: {
    type: 'object',
    required: ['field', 'rule', 'message'],
    properties: {
      field: { type: 'string', description: 'the field as the client sent it (forms.02-02.normalContacts[0].phone, If-Match, …)' },
      rule: { type: 'string', description: 'the rule it broke (isEmail, requiredForm, firstRegistration, …)' },
      message: LOCALIZED,
    },
    additionalProperties: false,
  },
} as const;

const RETRY_AFTER: HeadersObject = { 'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } } };

function error(description: string, headers?: HeadersObject): ResponseObject {
  return { description, ...(headers ? { headers } : {}), content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } };
}

/**
 * The refusals each operation can answer with, from what the operation is: every authenticated
 * route can be 401, 403, 429 and 503; every one 400 (a query parameter it does not take, and any
 * input it does); one on a resource named in its path 404; one answering in several media types 406; one with a body 413; any but GET 415; a command on an application 409, 412 (If-Match) and 422 (an
 * Idempotency-Key reused for another request); 409 too where a state or a setting refuses (conflictOf). Descriptions an operation already gives are kept.
 */
function errorsOf(path: string, method: string, operation: Operation): Record<number, ResponseObject> {
  const out: Record<number, ResponseObject> = {};
  const parameters = (operation.parameters ?? []) as Array<{ in?: string; name?: string }>;
  const header = (name: string) => parameters.some((p) => p.in === 'header' && p.name?.toLowerCase() === name.toLowerCase());
  const authenticated = (operation.security ?? []).length > 0;
  // Every operation refuses a query parameter it does not take (UndeclaredQueryGuard), so every one can be a 400.
  out[400] = error(
    parameters.some((p) => p.in === 'query' || p.in === 'path') || operation.requestBody || header('If-Match') || header('Idempotency-Key') || header('Last-Event-ID') || header('X-Access-Purpose')
      ? 'a value that breaks a rule: `violations` names each field and rule, in Japanese and English'
      : 'a query parameter this operation does not take, named in `violations`',
  );
  if (authenticated) {
    out[401] = error('no bearer token, or one that is forged, expired or not for this API');
    out[403] = error('the caller may not do this (role, body, or a policy such as "nobody reviews their own body")');
  }
  if (path.includes('{')) out[404] = error('nothing of that name or id that the caller may read (or an unknown action)');
  if (operation.requestBody) out[413] = error('the body is larger than the API takes');
  // An answer in more than one media type is negotiated (wantsMermaid): an Accept naming none of them, or SVG, is refused.
  const ok = operation.responses['200'] as ResponseObject | undefined;
  if (Object.keys(ok?.content ?? {}).length > 1) out[406] = error(`Accept names none of ${Object.keys(ok!.content!).join(', ')} (the message says which are), or asks for SVG (\`?format=svg\`, \`image/svg+xml\`: not rendered server-side)`);
  // Any body sent is parsed as JSON, whether the operation reads one or not.
  if (operation.requestBody || method !== 'get') out[415] = error('the body is not JSON (Content-Type), or is compressed (Content-Encoding)');
  const conflict = conflictOf(path, method);
  if (conflict) out[409] = error(conflict);
  if (header('If-Match')) out[412] = error('If-Match names a revision the application has moved on from (`currentRevision`)');
  if (header('Idempotency-Key')) out[422] = error('the Idempotency-Key was used before for another request');
  if (authenticated) {
    out[429] = error('too many requests from this caller or address', RETRY_AFTER);
    out[503] = error('the store cannot be written or read now (disk full, read-only, EventStoreDB unreachable); on a write, `outcome` says whether it may have been recorded', RETRY_AFTER);
  }
  return out;
}

/** Why an operation can answer 409, where it can: a state or a setting it meets, not the caller's input. */
function conflictOf(path: string, method: string): string | undefined {
  if (method !== 'get' && path.startsWith('/applications/{id}')) {
    return 'the state does not offer this action (`allowedActions` lists what it does), another command changed the application meanwhile, or a person the command copies was erased while it ran (`PERSONAL_DATA_ERASED_MEANWHILE`: retry)';
  }
  if (path === '/applications/{id}/diff') return 'the application has no round to compare with: never rejected, or not resubmitted since';
  if (path === '/projections/parked/{position}/replay') return 'the event failed again: it stays parked, with the error';
  if (['/distribution/{consumer}/events', '/distribution/{consumer}/stream', '/distribution/{consumer}/events/{position}'].includes(path)) {
    return "the consumer is not read this way (an HTTP consumer's events are pulled or streamed; an esdb-persistent one's come from its EventStoreDB group)";
  }
  if (path === '/distribution/{consumer}/parked/{eventId}/replay') return "the consumer is an esdb-persistent one: its parked events are replayed in its EventStoreDB group";
  return undefined;
}

/** Adds the error body's schema and each operation's refusals to the generated document, in place. */
export function documentErrorResponses(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas = { ...(document.components.schemas ?? {}), ...(ERROR_SCHEMAS as unknown as Record<string, object>) };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const responses: Responses = operation.responses;
      for (const [status, documented] of Object.entries(errorsOf(path, method, operation))) {
        const given = responses[status] as { description?: string } | undefined;
        responses[status] = given?.description ? { ...documented, description: given.description } : documented;
      }
    }
  }
  return document;
}
