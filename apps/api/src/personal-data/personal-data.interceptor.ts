import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mergeMap, type Observable } from 'rxjs';
import type { Actor } from '@nws/engine';
import { redactResponse, type AccessLogEntry, type DisclosedValue, type EncryptingEventStore, type SqliteAccessLog } from '@nws/personal-data';
import { CLOCK, type Clock } from '../infrastructure/tokens';
import { statedPurpose } from './access-purpose';
import { ACCESS_LOG, PERSONAL_DATA_STORE } from './personal-data.tokens';

export const WITHHELD_HEADER = 'X-Personal-Data-Withheld';

/**
 * Every response leaves through here: its personal values are found by the workflows'
 * declarations, what the caller may not see is replaced (緊急連絡先 outside the body and its
 * reviewers, anything for an auditor who stated no purpose, suspended people in published
 * views), and what was shown to someone outside the body is written to the access log — who,
 * which application and fields, when, why. The personal-data routes log for themselves.
 */
@Injectable()
export class PersonalDataInterceptor implements NestInterceptor {
  constructor(
    @Inject(PERSONAL_DATA_STORE) private readonly store: EncryptingEventStore,
    @Inject(ACCESS_LOG) private readonly accessLog: SqliteAccessLog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
    const actor = request.actor;
    const route = routeOf(request);
    if (!actor || route.startsWith('/personal-data')) return next.handle();
    // Checked before the handler runs: a bad header changes nothing.
    const stated = statedPurpose(request.headers, actor);
    const response = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        if (body === null || typeof body !== 'object' || Buffer.isBuffer(body)) return body;
        const result = await redactResponse(body, this.store.declarations, this.store.keys, {
          reader: actor,
          purpose: stated.purpose,
          publishedView: route.startsWith('/master-data') || route.startsWith('/distribution'),
          applicationId: route.startsWith('/applications/:id') ? String((request.params as Record<string, string | undefined>)['id'] ?? '') || null : null,
        });
        if (result.withheld > 0 && !response.sent) void response.header(WITHHELD_HEADER, String(result.withheld));
        // The body leaves only once its disclosure is durably logged.
        await this.accessLog.record(accessEntries(result.disclosed, { actor, purpose: stated.purpose ?? 'unstated', reference: stated.reference, method: request.method, route, at: this.clock(), requestId: requestIdOf(request) }));
        return result.body;
      }),
    );
  }
}

/** The route pattern, never the URL: a query string could carry what must not stay in an append-only log. */
export function routeOf(request: FastifyRequest): string {
  const path = request.routeOptions.url;
  return typeof path === 'string' ? path : '(unrouted)';
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

/** One entry per body and application read, listing every field and subject shown. */
export function accessEntries(disclosed: readonly DisclosedValue[], ctx: EntryContext): AccessLogEntry[] {
  const groups = new Map<string, { organizationCode: string; applicationId: string | null; subjects: Set<string>; fields: Set<string> }>();
  for (const value of disclosed) {
    const key = `${value.organizationCode}\u0000${value.applicationId ?? ''}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { organizationCode: value.organizationCode, applicationId: value.applicationId, subjects: new Set(), fields: new Set() }));
    if (value.subjectId) group.subjects.add(value.subjectId);
    group.fields.add(value.field);
  }
  return [...groups.values()].map((group) => ({
    at: ctx.at,
    actor: { sub: ctx.actor.sub, org: ctx.actor.org, role: ctx.actor.role },
    purpose: ctx.purpose,
    reference: ctx.reference,
    method: ctx.method,
    route: ctx.route,
    organizationCode: group.organizationCode,
    applicationId: group.applicationId,
    subjectIds: [...group.subjects],
    fields: [...group.fields],
    requestId: ctx.requestId,
  }));
}
