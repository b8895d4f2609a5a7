import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import type { EventStore, JsonObject, RecordedEvent } from '@nws/event-store';
import type { KeyStore, SubjectRecord } from './key-store.port';
import type { LegalBasis } from './personal-data.declaration';

export const PERSONAL_DATA_STREAM_PREFIX = 'personal-data-';
export const personalDataStream = (organizationCode: string): string => `${PERSONAL_DATA_STREAM_PREFIX}${organizationCode}`;

export const PERSONAL_DATA_EVENTS = {
  erased: 'PersonalDataErased',
  suspended: 'PersonalDataUseSuspended',
  resumed: 'PersonalDataUseResumed',
  connectionEnded: 'ConnectionEnded',
  /**
   * The notice distribution publishes (the body, never the person): an organ's published data
   * changed because a person's was erased, suspended or shown again. Appended once the key store
   * holds the change — never before, or a consumer fetching at once could still be shown the
   * person and keep them — and derived from the request's own event, so a retry that finishes an
   * interrupted request (the key store busy) appends it then, and only once.
   */
  publishedChanged: 'PublishedPersonalDataChanged',
} as const;

/** What a PublishedPersonalDataChanged says happened, of the three. */
export type PublishedChange = 'erased' | 'suspended' | 'resumed';

const NAMESPACE = '3c1f6a0e-8b2d-5f47-a9e1-6d5c4b3a2f10';

/** Who asked: a body and a person id, never a name (the trail must not hold what it may have to erase). */
export interface Requester {
  readonly sub: string;
  readonly org: string;
  /** The requester's organ where its token names one (a board of education). */
  readonly organ?: string;
  readonly role: string;
}

export interface SubjectRequest {
  readonly subjectId: string;
  readonly requestedBy: Requester;
  readonly legalBasis: LegalBasis;
  /** 受付番号 of the request, if any: ASCII only, checked by the caller. */
  readonly reference: string | null;
  readonly at: string;
}

export class SubjectNotFoundError extends Error {
  override readonly name = 'SubjectNotFoundError';
  constructor(readonly subjectId: string) {
    super(`data subject ${subjectId} is not known`);
  }
}

export interface ErasureResult {
  readonly subjectId: string;
  readonly organizationCode: string;
  readonly organizationKind: string;
  readonly erasedAt: string;
  readonly alreadyErased: boolean;
  /** Global position of the PersonalDataErased event. */
  readonly position: number | null;
}

/**
 * 消去: records PersonalDataErased in the body's `personal-data-{org}` stream, then destroys the
 * subject's key. Recorded first, so an erasure is never done without a trail; a crash between the
 * two is healed by replaying the event (destroying an absent key is a no-op). One event per
 * subject (its id derives from the subject), so repeating the request appends nothing.
 */
export async function eraseSubject(store: EventStore, keys: KeyStore, request: SubjectRequest): Promise<ErasureResult> {
  const subject = await requireSubject(keys, request.subjectId);
  const body = { organizationCode: subject.organizationCode, organizationKind: subject.organizationKind };
  const erasedId = uuidv5(`erased\u0000${subject.subjectId}`, NAMESPACE);
  if (subject.erasedAt) {
    // Erased by a request that stopped before its notice: the notice goes out now (once: its id is the erasure's).
    await publishChange(store, subject, erasedId, 'erased', request);
    return { subjectId: subject.subjectId, ...body, erasedAt: subject.erasedAt, alreadyErased: true, position: null };
  }
  const result = await store.append(
    personalDataStream(subject.organizationCode),
    [{ id: erasedId, type: PERSONAL_DATA_EVENTS.erased, data: requestData(subject, request), metadata: metadataOf(request) }],
    'any',
  );
  await recorded(async () => {
    await keys.destroy(subject.subjectId, request.at);
    await publishChange(store, subject, erasedId, 'erased', request);
  });
  return { subjectId: subject.subjectId, ...body, erasedAt: request.at, alreadyErased: false, position: result.position };
}

/**
 * The steps after a request's event is stored: a failure there is not "nothing was recorded" (the
 * event is), so it is marked `outcomeUnknown` — answered as such (503 `outcome: unknown`), and the
 * same request again finishes it.
 */
async function recorded(steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (error) {
    if (error !== null && typeof error === 'object') Object.assign(error, { outcomeUnknown: true });
    throw error;
  }
}

/**
 * Finishes an erasure recorded elsewhere (another process, or one that stopped): the key destroyed
 * (a no-op when it is) and the notice published (once).
 */
export async function finishErasure(store: EventStore, keys: KeyStore, erased: { readonly eventId: string; readonly subjectId: string; readonly at: string }): Promise<void> {
  await keys.destroy(erased.subjectId, erased.at);
  const subject = await keys.subject(erased.subjectId);
  if (subject) await publishChange(store, subject, erased.eventId, 'erased', { requestedBy: { sub: 'system', org: subject.organizationCode, role: 'system' }, at: erased.at });
}

/** The derived id of the notice a request's event causes: whoever appends it, the append is the same event. */
export const publishedChangeId = (causationId: string): string => uuidv5(`published-change\u0000${causationId}`, NAMESPACE);

/** The notice of a change the key store now holds, derived from the request's event (so appended once). */
export async function publishChange(store: EventStore, subject: SubjectRecord, causationId: string, change: PublishedChange, request: Pick<SubjectRequest, 'requestedBy' | 'at'>): Promise<void> {
  await store.append(
    personalDataStream(subject.organizationCode),
    [
      {
        id: publishedChangeId(causationId),
        type: PERSONAL_DATA_EVENTS.publishedChanged,
        data: { organizationCode: subject.organizationCode, organizationKind: subject.organizationKind, change },
        // No correlation id: the request's is the person's subject id, and this event is published.
        metadata: { actor: { ...request.requestedBy }, occurredAt: request.at, causationId },
      },
    ],
    'any',
  );
}

/**
 * 利用停止 (suspend) or its lifting (resume): the data stays for the audit trail, published views hide it.
 * A request whose event is stored but whose key-store change or notice did not follow (refused
 * midway: `outcomeUnknown`) is finished by the same request again, from its stored event: the
 * key store set as of it and its notice published (once: derived from that event). Before, a
 * retry after the notice alone failed found the person suspended already and published nothing,
 * so distributed copies kept showing them.
 */
export async function setSubjectSuspension(store: EventStore, keys: KeyStore, request: SubjectRequest, suspended: boolean): Promise<SubjectRecord> {
  const subject = await requireSubject(keys, request.subjectId);
  if (subject.erasedAt) return subject;
  const type = suspended ? PERSONAL_DATA_EVENTS.suspended : PERSONAL_DATA_EVENTS.resumed;
  const last = await lastSuspensionRequest(store, subject);
  const holds = (subject.suspendedAt !== null) === suspended;
  // Never recorded as asked (a subject suspended before this trail existed, or never suspended): nothing to finish.
  if (holds && last?.type !== type) return subject;
  const pending = last?.type === type ? { id: last.id, at: String(last.data['at'] ?? request.at) } : undefined;
  const eventId = pending?.id ?? randomUUID();
  if (!pending) {
    await store.append(personalDataStream(subject.organizationCode), [{ id: eventId, type, data: requestData(subject, request), metadata: metadataOf(request) }], 'any');
  }
  await recorded(async () => {
    if (!holds) await keys.setSuspended(subject.subjectId, suspended ? (pending?.at ?? request.at) : null);
    await publishChange(store, subject, eventId, suspended ? 'suspended' : 'resumed', request);
  });
  return (await keys.subject(subject.subjectId))!;
}

/** The subject's newest 利用停止 or its lifting in the trail (the organ's requests are few: read as stored, nothing there is personal). */
async function lastSuspensionRequest(store: EventStore, subject: SubjectRecord): Promise<RecordedEvent | undefined> {
  let last: RecordedEvent | undefined;
  for await (const event of store.readStream(personalDataStream(subject.organizationCode), { asStored: true })) {
    if ((event.type === PERSONAL_DATA_EVENTS.suspended || event.type === PERSONAL_DATA_EVENTS.resumed) && event.data['subjectId'] === subject.subjectId) last = event;
  }
  return last;
}

/**
 * The end of one organ's connection (a body's, where its code holds one organ): the retention
 * period of its people's personal data runs from here. `organizationKind` is the organ (機関種類);
 * ConnectionEnded events recorded before organs were named carry none and mean the code's default organ.
 */
export async function recordConnectionEnd(store: EventStore, end: { organizationCode: string; organizationKind: string; endedAt: string }, recordedBy: Requester, at: string): Promise<void> {
  const { organizationCode, organizationKind, endedAt } = end;
  await store.append(
    personalDataStream(organizationCode),
    [
      {
        id: uuidv5(`connection-ended\u0000${organizationCode}\u0000${organizationKind}\u0000${endedAt}`, NAMESPACE),
        type: PERSONAL_DATA_EVENTS.connectionEnded,
        data: { organizationCode, organizationKind, endedAt, recordedBy: { ...recordedBy } },
        metadata: { actor: { ...recordedBy }, occurredAt: at },
      },
    ],
    'any',
  );
}

async function requireSubject(keys: KeyStore, subjectId: string): Promise<SubjectRecord> {
  const subject = await keys.subject(subjectId);
  if (!subject) throw new SubjectNotFoundError(subjectId);
  return subject;
}

function requestData(subject: SubjectRecord, request: SubjectRequest): JsonObject {
  return {
    subjectId: subject.subjectId,
    organizationCode: subject.organizationCode,
    organizationKind: subject.organizationKind,
    requestedBy: { ...request.requestedBy },
    legalBasis: request.legalBasis,
    reference: request.reference,
    at: request.at,
  };
}

function metadataOf(request: SubjectRequest): JsonObject {
  return { actor: { ...request.requestedBy }, occurredAt: request.at, correlationId: request.subjectId };
}
