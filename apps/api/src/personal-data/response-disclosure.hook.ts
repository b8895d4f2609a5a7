import type { FastifyInstance, FastifyReply } from 'fastify';
import { redactResponse, type EncryptingEventStore, type SqliteAccessLog } from '@nws/personal-data';
import type { Clock } from '../infrastructure/tokens';
import { applicationIdOf, type Actor } from '@nws/engine';
import { defaultKindFor } from '@nws/workflows/shared/organizations';
import { WITHHELD_HEADER, accessEntries, logsItsOwnReads, requestIdOf, routeOf } from './access-entries';
import type { StatedPurpose } from './access-purpose';
import type { DisclosingRequest } from './access-purpose.guard';
import { markWithheldContent } from './withheld-content';


const NO_PURPOSE: StatedPurpose = { purpose: null, reference: null };

/** What redacting and logging an answer needs. */
export interface DisclosureDeps {
  readonly store: EncryptingEventStore;
  readonly accessLog: SqliteAccessLog;
  readonly clock: Clock;
}

/**
 * Every answer leaves through here: its personal values are found by the workflows'
 * declarations, what the caller may not see is replaced (緊急連絡先 outside the body and its
 * reviewers, anything for an auditor who stated no purpose, suspended people in published
 * views), and what was shown to someone outside the body is written to the access log — who,
 * which application and fields, when, why — before the answer leaves.
 *
 * A Fastify `preSerialization` hook, not a Nest interceptor: with one interceptor Nest runs every
 * request through an RxJS pipeline and two `AsyncResource.bind` calls (on Node 20, each builds a
 * resource and two deprecation wrappers). Measured on the HTTP line of the benchmark, three
 * alternating pairs: without the interceptor 1,594 durable saves/s against 1,345/s with it
 * (docs/benchmarks.md). AccessPurposeGuard reads the purpose headers (and refuses bad ones)
 * before the handler runs, as the interceptor did; the personal-data routes log for themselves.
 */
export function discloseResponses(fastify: FastifyInstance, deps: DisclosureDeps): void {
  fastify.addHook('preSerialization', async (request: DisclosingRequest, reply: FastifyReply, payload: unknown) => {
    const actor = request.actor;
    // Refusals carry no personal data. Skipping them also lets the 503 of an access log that
    // cannot be written, sent back through this hook, leave without a second attempt.
    if (!actor || reply.statusCode >= 400 || payload === null || typeof payload !== 'object' || Buffer.isBuffer(payload)) return payload;
    const route = routeOf(request);
    if (logsItsOwnReads(route)) return payload;
    const result = await disclose(payload, deps, request, actor, {
      publishedView: route.startsWith('/master-data') || route.startsWith('/distribution'),
      // As the handler read it: an id quoted in upper case is logged as the id it is.
      applicationId: route.startsWith('/applications/:id') ? applicationIdOf(String((request.params as Record<string, string | undefined>)['id'] ?? '')) || null : null,
    });
    if (result.withheld > 0) void reply.header(WITHHELD_HEADER, String(result.withheld));
    return result.body;
  });
}

/**
 * One body as its reader may see it, returned once what it shows is durably in the access log:
 * the answers' hook above, and distribution's Server-Sent Events, whose events no hook sees.
 */
export async function disclose(body: unknown, deps: DisclosureDeps, request: DisclosingRequest, reader: Actor, view: { readonly publishedView: boolean; readonly applicationId: string | null }): Promise<{ readonly body: unknown; readonly withheld: number }> {
  // Should a caller's answer ever come without the guard's reading of the headers, it is
  // redacted as for a reader who stated no purpose: withheld, never shown unlogged.
  const stated = request.statedPurpose ?? NO_PURPOSE;
  // A body is an organ: a board of education is not its city's head department (defaultKindFor: the organ a code alone means).
  const result = await redactResponse(body, deps.store.declarations, deps.store.keys, { reader, purpose: stated.purpose, ...view, defaultOrgan: defaultKindFor });
  await deps.accessLog.record(accessEntries(result.disclosed, { actor: reader, purpose: stated.purpose ?? 'unstated', reference: stated.reference, method: request.method, route: routeOf(request), at: deps.clock(), requestId: requestIdOf(request) }));
  // Master-data content shown without some of its personal data no longer matches its contentHash.
  return view.publishedView ? { ...result, body: markWithheldContent(result.body) } : result;
}
