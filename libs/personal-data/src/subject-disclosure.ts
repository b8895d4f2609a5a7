import type { Json, JsonObject } from '@nws/event-store';
import type { RecordedAccess, SqliteAccessLog } from './access-log';
import type { EncryptingEventStore } from './encrypting-event-store';
import { decryptValue, parseCiphertext } from './field-cipher';
import { formatPath, stringLeaves } from './json-path';
import { PLACEHOLDER, type PurposeOfUse } from './personal-data.declaration';
import { PERSONAL_DATA_STREAM_PREFIX, SubjectNotFoundError } from './personal-data-requests';

/** One place a subject's data is held: an event field, with what it says now. */
export interface SubjectPlace {
  readonly streamId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly revision: number;
  readonly position: number;
  readonly occurredAt: string | null;
  readonly applicationId: string | null;
  readonly formCode: string | null;
  readonly masterDataVersion: number | null;
  /** Path in the stored event, e.g. `data.form.emergencyContacts[0].mobile`. */
  readonly field: string;
  readonly value: Json;
}

export interface SubjectDisclosure {
  readonly subject: {
    readonly subjectId: string;
    readonly organizationCode: string;
    readonly organizationKind: string;
    readonly name: string | null;
    readonly state: 'active' | 'suspended' | 'erased';
    readonly createdAt: string;
    readonly suspendedAt: string | null;
    readonly erasedAt: string | null;
  };
  /** 利用目的 */
  readonly purposes: readonly PurposeOfUse[];
  readonly thirdPartyProvision: readonly PurposeOfUse[];
  readonly places: readonly SubjectPlace[];
  /** Where copies derived from the events are kept (rebuilt from the events on erasure). */
  readonly derivedCopies: ReadonlyArray<{ readonly file: string; readonly table: string; readonly organizationCode: string; readonly organizationKind: string | null; readonly version: number }>;
  /** Requests about this subject: erasure, suspension, resumption. */
  readonly requests: readonly JsonObject[];
  /** Who outside the body read the subject's data, when and why (the values are not in the log). */
  readonly accessLog: readonly RecordedAccess[];
  /** False when there were more reads than the list holds (the newest ACCESS_LOG_LIMIT are listed): the access log's own query pages through them. */
  readonly accessLogComplete: boolean;
  readonly generatedAt: string;
}

const THIRD_PARTY_PROVISION: readonly PurposeOfUse[] = [
  { ja: '通常連絡先（氏名・直通電話番号・メールアドレス）は、接続機関及びマスタデータの配信先に提供します。', en: 'normal contacts are provided to connected bodies and master-data distribution consumers' },
  { ja: '緊急連絡先その他の個人情報は、法令に基づく場合を除き第三者に提供しません。', en: 'emergency contacts and all other personal data are provided to no third party, except by law' },
];

/**
 * 開示: everything held about one subject and every place it appears. Scans the stored events
 * (ciphertext names its key, which is the subject id), so it finds the subject wherever a
 * declaration put it, in every application, form and master-data version, without an index that
 * could go stale.
 */
export async function discloseSubject(
  store: EncryptingEventStore,
  accessLog: Pick<SqliteAccessLog, 'query' | 'count'>,
  subjectId: string,
  now: string,
): Promise<SubjectDisclosure> {
  const subject = await store.keys.subject(subjectId);
  if (!subject) throw new SubjectNotFoundError(subjectId);
  const state = await store.keys.keyOf(subjectId);
  const places: SubjectPlace[] = [];
  const requests: JsonObject[] = [];
  // Master-data versions holding the subject, by stream and version: read-model rows are keyed by (code, organ, version).
  const versions = new Map<string, { organizationCode: string; organizationKind: string | null; version: number }>();
  for await (const event of store.stored.readAll()) {
    if (event.streamId.startsWith(PERSONAL_DATA_STREAM_PREFIX) && event.data['subjectId'] === subjectId) {
      requests.push({ type: event.type, position: event.position, ...event.data });
      continue;
    }
    for (const [path, leaf] of stringLeaves({ data: event.data, metadata: event.metadata })) {
      const parsed = parseCiphertext(leaf);
      if (!parsed || parsed.keyId !== subjectId) continue;
      let value: Json = state.status === 'erased' ? PLACEHOLDER.erased : PLACEHOLDER.unreadable;
      if (state.status === 'active') {
        try {
          value = decryptValue(parsed, state.key) as Json;
        } catch {
          value = PLACEHOLDER.unreadable;
        }
      }
      const isVersion = event.type === 'MasterDataVersionRegistered';
      places.push({
        streamId: event.streamId,
        eventId: event.id,
        eventType: event.type,
        revision: event.revision,
        position: event.position,
        occurredAt: typeof event.metadata['occurredAt'] === 'string' ? event.metadata['occurredAt'] : null,
        applicationId: event.streamId.startsWith('application-') ? event.streamId.slice('application-'.length) : typeof event.data['applicationId'] === 'string' ? event.data['applicationId'] : null,
        formCode: typeof event.data['formCode'] === 'string' ? event.data['formCode'] : null,
        masterDataVersion: isVersion && typeof event.data['version'] === 'number' ? event.data['version'] : null,
        field: formatPath(path),
        value,
      });
      if (isVersion && typeof event.data['version'] === 'number') {
        const organization = (event.data['content'] as JsonObject | undefined)?.['organization'] as JsonObject | undefined;
        const kind = event.data['organizationKind'] ?? organization?.['kind'];
        versions.set(`${event.streamId}@${event.data['version']}`, { organizationCode: String(event.data['organizationCode']), organizationKind: typeof kind === 'string' ? kind : null, version: event.data['version'] });
      }
    }
  }
  return {
    subject: {
      subjectId,
      organizationCode: subject.organizationCode,
      organizationKind: subject.organizationKind,
      name: subject.label,
      state: state.status === 'active' ? (state.suspended ? 'suspended' : 'active') : 'erased',
      createdAt: subject.createdAt,
      suspendedAt: subject.suspendedAt,
      erasedAt: subject.erasedAt,
    },
    purposes: store.declarations.flatMap((d) => d.purposes),
    thirdPartyProvision: THIRD_PARTY_PROVISION,
    places,
    derivedCopies: [...versions.values()].map((v) => ({ file: 'read-models.sqlite', table: 'master_data_versions', ...v })),
    requests,
    ...accessLogOf(accessLog, subjectId, places),
    generatedAt: now,
  };
}

/**
 * The reads of the subject's data: those logged with the subject, and the reads of values logged
 * without their person (a round diff's: paths, not people) in the forms of the applications where
 * the subject appears. Those may be another person's of the same form: a 開示 that names one read
 * too many is complete, and one that leaves a read of the person's mobile out is not.
 */
export function accessLogOf(accessLog: Pick<SqliteAccessLog, 'query' | 'count'>, subjectId: string, places: readonly SubjectPlace[]): { accessLog: RecordedAccess[]; accessLogComplete: boolean } {
  // The newest reads: a list cut at the oldest thousand left out the reads a person asks about.
  let complete = accessLog.count({ subjectId }) <= ACCESS_LOG_LIMIT;
  const entries = new Map<number, RecordedAccess>(accessLog.query({ subjectId, limit: ACCESS_LOG_LIMIT, order: 'newest' }).map((entry) => [entry.seq, entry]));
  const formsByApplication = new Map<string, Set<string>>();
  for (const place of places) {
    // In a form's content (not as the one who saved it: metadata).
    if (place.applicationId === null || place.formCode === null || !place.field.startsWith('data.form')) continue;
    formsByApplication.set(place.applicationId, (formsByApplication.get(place.applicationId) ?? new Set()).add(place.formCode));
  }
  for (const [applicationId, forms] of formsByApplication) {
    if (accessLog.count({ applicationId }) > ACCESS_LOG_LIMIT) complete = false;
    for (const entry of accessLog.query({ applicationId, limit: ACCESS_LOG_LIMIT, order: 'newest' })) {
      if (entry.subjectIds.length > 0 || entries.has(entry.seq)) continue;
      if (entry.fields.some((field) => [...forms].some((form) => field.startsWith(`forms.${form}.`)))) entries.set(entry.seq, entry);
    }
  }
  const newest = [...entries.values()].sort((a, b) => b.seq - a.seq);
  if (newest.length > ACCESS_LOG_LIMIT) complete = false;
  return { accessLog: newest.slice(0, ACCESS_LOG_LIMIT).reverse(), accessLogComplete: complete };
}

/** Reads listed in a 開示 at most (the newest); `accessLogComplete` says whether that is all. */
export const ACCESS_LOG_LIMIT = 1000;
