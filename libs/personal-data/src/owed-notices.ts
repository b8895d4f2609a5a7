import type { EventStore, RecordedEvent } from '@nws/event-store';
import type { KeyStore } from './key-store.port';
import { PERSONAL_DATA_EVENTS, PERSONAL_DATA_STREAM_PREFIX, finishErasure, publishChange, publishedChangeId, type PublishedChange } from './personal-data-requests';

/** What a catch-up of owed notices found and did. */
export interface OwedNoticesReport {
  /** Requests in the range with no PublishedPersonalDataChanged caused by them (superseded ones left out). */
  readonly owed: number;
  /** Notices appended now (or found appended meanwhile by another process: the ids are the same). */
  readonly published: number;
  /** A suspension or its lifting the key store does not hold (yet): its own retry publishes it. */
  readonly notHeld: number;
  /** Requests of subjects this key store does not know. */
  readonly unknownSubjects: number;
  /** Where the next catch-up may start: before the first request left for its retry, else the range's end. */
  readonly resumeAfter: number;
}

interface Request {
  readonly id: string;
  readonly type: string;
  readonly subjectId: string;
  readonly at: string;
  readonly position: number;
}

const REQUESTS: readonly string[] = [PERSONAL_DATA_EVENTS.erased, PERSONAL_DATA_EVENTS.suspended, PERSONAL_DATA_EVENTS.resumed];
const CHANGE_OF: Record<string, PublishedChange> = {
  [PERSONAL_DATA_EVENTS.erased]: 'erased',
  [PERSONAL_DATA_EVENTS.suspended]: 'suspended',
  [PERSONAL_DATA_EVENTS.resumed]: 'resumed',
};
const SYSTEM = { sub: 'system', role: 'system' } as const;

/**
 * Releases before PublishedPersonalDataChanged published the requests themselves
 * (PersonalDataErased, …UseSuspended, …UseResumed); consumers now take the notice only, and nothing
 * created it for requests recorded before the upgrade: a distributor kept an erased person in its
 * files. This finds every request in (after, upTo] with no notice caused by it and appends the
 * notice through publishChange, whose id derives from the request's, so a repeat (another start,
 * another replica) appends nothing. Only what the key store holds is announced: an erasure always
 * (finished here, as the erasure watcher does), a suspension or its lifting when it is the
 * subject's last request and the key store says so. A request superseded by a later one of the same
 * subject owes nothing: the later one's notice has distributors fetch what holds now.
 *
 * Streamed over the store in global order: a notice always follows its request, so only requests
 * still without one are held in memory.
 */
export async function publishOwedNotices(store: EventStore, keys: KeyStore, range: { readonly after: number; readonly upTo: number }): Promise<OwedNoticesReport> {
  const pending = new Map<string, Request>();
  const byNoticeId = new Map<string, string>();
  const suspensionOf = new Map<string, string>();
  const settle = (requestId: string | undefined): void => {
    const request = requestId === undefined ? undefined : pending.get(requestId);
    if (!request) return;
    pending.delete(request.id);
    byNoticeId.delete(publishedChangeId(request.id));
    if (suspensionOf.get(request.subjectId) === request.id) suspensionOf.delete(request.subjectId);
  };
  const filter = { eventTypes: [...REQUESTS, PERSONAL_DATA_EVENTS.publishedChanged], streamPrefixes: [PERSONAL_DATA_STREAM_PREFIX] };
  for await (const event of store.readAll({ after: range.after, filter })) {
    if (event.position > range.upTo) break;
    if (event.type === PERSONAL_DATA_EVENTS.publishedChanged) {
      const cause = event.metadata['causationId'];
      settle(typeof cause === 'string' && pending.has(cause) ? cause : byNoticeId.get(event.id));
      continue;
    }
    const request = requestOf(event);
    if (!request) continue;
    // A later request of the subject supersedes a suspension or lifting still without its notice.
    settle(suspensionOf.get(request.subjectId));
    if (request.type !== PERSONAL_DATA_EVENTS.erased) suspensionOf.set(request.subjectId, request.id);
    pending.set(request.id, request);
    byNoticeId.set(publishedChangeId(request.id), request.id);
  }
  let published = 0;
  let notHeld = 0;
  let unknownSubjects = 0;
  let resumeAfter = range.upTo;
  for (const request of pending.values()) {
    const subject = await keys.subject(request.subjectId);
    if (!subject) {
      unknownSubjects++;
      continue;
    }
    const by = { requestedBy: { ...SYSTEM, org: subject.organizationCode }, at: request.at };
    if (request.type === PERSONAL_DATA_EVENTS.erased) {
      await finishErasure(store, keys, { eventId: request.id, subjectId: request.subjectId, at: request.at });
      published++;
      continue;
    }
    // An erasure since: its own notice stands for this one.
    if (subject.erasedAt !== null) continue;
    const suspended = request.type === PERSONAL_DATA_EVENTS.suspended;
    if ((subject.suspendedAt !== null) !== suspended) {
      notHeld++;
      resumeAfter = Math.min(resumeAfter, request.position - 1);
      continue;
    }
    await publishChange(store, subject, request.id, CHANGE_OF[request.type]!, by);
    published++;
  }
  return { owed: pending.size, published, notHeld, unknownSubjects, resumeAfter };
}

function requestOf(event: RecordedEvent): Request | undefined {
  const subjectId = event.data['subjectId'];
  if (typeof subjectId !== 'string') return undefined;
  const at = typeof event.data['at'] === 'string' ? event.data['at'] : event.recordedAt;
  return { id: event.id, type: event.type, subjectId, at, position: event.position };
}
