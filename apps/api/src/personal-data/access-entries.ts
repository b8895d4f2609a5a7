import type { FastifyRequest } from 'fastify';
import type { Actor } from '@nws/engine';
import type { AccessLogEntry, DisclosedValue } from '@nws/personal-data';
import { organOrDefault } from '@nws/workflows/shared/organizations';

/** How many personal values an answer withheld from its reader (0: the header is not sent). */
export const WITHHELD_HEADER = 'X-Personal-Data-Withheld';

/** The route pattern, never the URL: a query string could carry what must not stay in an append-only log. */
export function routeOf(request: FastifyRequest): string {
  const path = request.routeOptions.url;
  return typeof path === 'string' ? path : '(unrouted)';
}

/**
 * Routes that redact and log what they show themselves: the personal-data routes, and an
 * application's path, whose diagram (a string, also answered alone as text) is drawn from the
 * steps as the reader may see them.
 */
export function logsItsOwnReads(route: string): boolean {
  return readsItsOwnPurpose(route) || route === '/applications/:id/path';
}

/** The personal-data routes read the purpose headers themselves (AccessPurposeGuard leaves them). */
export function readsItsOwnPurpose(route: string): boolean {
  return route.startsWith('/personal-data');
}

export function requestIdOf(request: FastifyRequest): string | null {
  const id = request.headers['x-correlation-id'];
  return typeof id === 'string' && /^[\x21-\x7e]{1,200}$/.test(id) ? id : null;
}

interface EntryContext {
  readonly actor: Actor;
  readonly purpose: string;
  readonly reference: string | null;
  readonly method: string;
  readonly route: string;
  readonly at: string;
  readonly requestId: string | null;
}

/**
 * One entry per body and application read, listing every field and subject shown. Values shown
 * without their person (a round diff's: paths, not people) get an entry of their own with no
 * subject: merged into the entry of the people shown beside them (the form's saver), a reviewer's
 * read of one contact's mobile was logged, and disclosed, as a read of the saver's.
 */
export function accessEntries(disclosed: readonly DisclosedValue[], ctx: EntryContext): AccessLogEntry[] {
  const groups = new Map<string, { organizationCode: string; organizationKind: string; applicationId: string | null; subjects: Set<string>; fields: Set<string> }>();
  for (const value of disclosed) {
    // One organ's entry: a board of education reads who read its staff's data, not its head department's.
    const organizationKind = organOrDefault(value.organizationCode, value.organizationKind);
    const key = `${value.organizationCode}\u0000${organizationKind}\u0000${value.applicationId ?? ''}\u0000${value.subjectId ? 'people' : 'unattributed'}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { organizationCode: value.organizationCode, organizationKind, applicationId: value.applicationId, subjects: new Set(), fields: new Set() }));
    if (value.subjectId) group.subjects.add(value.subjectId);
    group.fields.add(value.field);
  }
  return [...groups.values()].map((group) => ({
    at: ctx.at,
    actor: { sub: ctx.actor.sub, org: ctx.actor.org, ...(ctx.actor.organ !== undefined ? { organ: ctx.actor.organ } : {}), role: ctx.actor.role },
    purpose: ctx.purpose,
    reference: ctx.reference,
    method: ctx.method,
    route: ctx.route,
    organizationCode: group.organizationCode,
    organizationKind: group.organizationKind,
    applicationId: group.applicationId,
    subjectIds: [...group.subjects],
    fields: [...group.fields],
    requestId: ctx.requestId,
  }));
}
