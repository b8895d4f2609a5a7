import type { OpenAPIObject } from '@nestjs/swagger';
import type { ParameterObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ACCESS_PURPOSES, ACCESS_REFERENCE_PATTERN } from '@nws/personal-data';

const PURPOSE: ParameterObject = {
  name: 'X-Access-Purpose',
  in: 'header',
  required: false,
  description: `Why the caller reads personal data, recorded in the access log with what the answer shows: ${Object.entries(ACCESS_PURPOSES)
    .map(([code, words]) => `\`${code}\` (${words.ja}: ${words.en})`)
    .join(', ')}. Reviewers read for review, distributors for distribution and applicants published contacts unless they say otherwise; an auditor who states none gets answers without personal data.`,
  schema: { type: 'string', enum: Object.keys(ACCESS_PURPOSES) },
};

const REFERENCE: ParameterObject = {
  name: 'X-Access-Reference',
  in: 'header',
  required: false,
  description: 'A ticket or case number the access log keeps beside the purpose (never a name).',
  schema: { type: 'string', pattern: ACCESS_REFERENCE_PATTERN.source },
};

/**
 * Every authenticated operation takes the access-purpose headers (AccessPurposeGuard reads them
 * before the handler; the personal-data routes read them themselves) and refuses a bad one with a
 * 400: documented on each, since a client generator reads operations, not the README.
 */
export function documentAccessHeaders(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (!operation || (operation.security ?? []).length === 0) continue;
      const parameters = (operation.parameters ?? []) as ParameterObject[];
      const has = (name: string) => parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === name.toLowerCase());
      // An operation's own description of a header (a default of its own) is kept.
      operation.parameters = [...parameters, ...[PURPOSE, REFERENCE].filter((header) => !has(header.name))];
    }
  }
  return document;
}
