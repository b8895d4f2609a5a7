import type { Json, JsonObject, RecordedEvent } from '@nws/event-store';

export const VERSION_EVENT = 'MasterDataVersionRegistered';

/**
 * A person's data was erased (消去), its use stopped (利用停止) or resumed, in one organ: its
 * master data as published changed (the person's values withheld, or shown again) while its
 * versions' identities (contentHash) did not. A consumer that keeps copies fetches the organ's
 * versions again (GET /master-data/organizations/{code}/versions/{version}?organ=) and replaces
 * what it holds. Recorded once the key store holds the change (libs/personal-data
 * PERSONAL_DATA_EVENTS.publishedChanged). Published without the person: which body and what kind
 * of change, never who (consumers get bodies).
 */
export const PUBLISHED_DATA_NOTICES: readonly string[] = ['PublishedPersonalDataChanged'];

/** What a consumer receives: the envelope and the published view of the event's data, never the stored data itself. */
export interface PublishedEvent {
  readonly eventId: string;
  /** Global position: the SSE `id`, the `after` of the pull endpoint. */
  readonly position: number;
  readonly type: string;
  readonly streamId: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly correlationId: string | null;
  /** 1 on the first delivery, more on redeliveries. */
  readonly attempt: number;
  readonly data: JsonObject;
}

type View = (event: RecordedEvent) => JsonObject;

/** Keys that hold data published to nobody (緊急連絡先); dropped wherever they appear. */
const UNPUBLISHED_KEYS = new Set(['emergencyContacts']);

const str = (value: Json | undefined): string | null => (typeof value === 'string' ? value : null);
const num = (value: Json | undefined): number | null => (typeof value === 'number' ? value : null);
const applicationIdOf = (event: RecordedEvent): string | null =>
  event.streamId.startsWith('application-') ? event.streamId.slice('application-'.length) : str(event.data['applicationId']);
/**
 * The organ (機関種類) whose master data an event is about: organs of one local government share
 * its code, so the code alone does not name a body. Versions registered before the organ was
 * recorded beside the code carry it in their content.
 */
const organizationKindOf = (event: RecordedEvent): string | null => {
  const recorded = str(event.data['organizationKind']);
  if (recorded !== null) return recorded;
  const content = event.data['content'];
  const organization = content !== null && typeof content === 'object' && !Array.isArray(content) ? content['organization'] : undefined;
  return organization !== null && typeof organization === 'object' && !Array.isArray(organization) ? str(organization['kind']) : null;
};

/**
 * One allow-list per distributable type. Fields are copied by name, so a field added to an event
 * later stays private until someone publishes it here. Actor names, departments and review
 * comments never leave: consumers get bodies (機関), not people.
 */
const VIEWS: Record<string, View> = {
  [VERSION_EVENT]: (event) => ({
    organizationCode: str(event.data['organizationCode']),
    organizationKind: organizationKindOf(event),
    version: num(event.data['version']),
    applicationId: str(event.data['applicationId']),
    applicationNumber: str(event.data['applicationNumber']),
    category: str(event.data['category']),
    contentHash: str(event.data['contentHash']),
    // Already the published view (master-data.content.ts); scrubbed again so a regression there cannot leak.
    content: scrub(event.data['content'] ?? null),
  }),
  SecondReviewApproved: (event) => {
    const reviewer = (event.data['reviewer'] ?? {}) as JsonObject;
    return {
      applicationId: applicationIdOf(event),
      // Both workflows end their second review with it: a consumer tells a connection application's approval from an account request's.
      workflow: str(event.metadata['workflow']),
      round: num(event.data['round']),
      reviewerBody: { code: str(reviewer['org']), name: str(reviewer['orgName']) },
    };
  },
  MasterDataRegistered: (event) => ({
    applicationId: applicationIdOf(event),
    organizationCode: str(event.data['organizationCode']),
    organizationKind: organizationKindOf(event),
    version: num(event.data['version']),
    contentHash: str(event.data['contentHash']),
  }),
  ...Object.fromEntries(
    PUBLISHED_DATA_NOTICES.map((type): [string, View] => [
      type,
      (event) => ({ organizationCode: str(event.data['organizationCode']), organizationKind: str(event.data['organizationKind']), change: str(event.data['change']) }),
    ]),
  ),
  MasterDataDistributed: (event) => ({
    applicationId: applicationIdOf(event),
    organizationCode: str(event.data['organizationCode']),
    organizationKind: organizationKindOf(event),
    version: num(event.data['version']),
  }),
};

export const PUBLISHABLE_EVENT_TYPES: readonly string[] = Object.keys(VIEWS);

export function publishEvent(event: RecordedEvent, attempt: number): PublishedEvent {
  const view = VIEWS[event.type];
  if (!view) throw new Error(`${event.type} has no published view and may not be distributed`);
  return {
    eventId: event.id,
    position: event.position,
    type: event.type,
    streamId: event.streamId,
    occurredAt: str(event.metadata['occurredAt']) ?? event.recordedAt,
    recordedAt: event.recordedAt,
    correlationId: str(event.metadata['correlationId']),
    attempt,
    data: view(event),
  };
}

/** The application an event belongs to, so an acknowledged version can be confirmed on it. */
export function subjectApplicationId(event: RecordedEvent): string | null {
  return applicationIdOf(event);
}

function scrub(value: Json): JsonObject | null {
  const clean = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(clean);
    if (v === null || typeof v !== 'object') return v;
    const out: JsonObject = {};
    for (const [key, inner] of Object.entries(v)) if (!UNPUBLISHED_KEYS.has(key)) out[key] = clean(inner);
    return out;
  };
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (clean(value) as JsonObject) : null;
}
