import { isCiphertext, parseCiphertext } from './field-cipher';
import type { EncryptingEventStore } from './encrypting-event-store';
import type { SubjectRecord } from './key-store.port';
import { getAt } from './json-path';
import { PERSONAL_DATA_EVENTS, eraseSubject, type ErasureResult, type Requester } from './personal-data-requests';
import { japanWallClock } from '@nws/reference-catalog';

/** One organ (機関) of a body whose retention period has passed. */
export interface ExpiredBody {
  readonly organizationCode: string;
  readonly organizationKind: string;
  readonly connectionEndedAt: string;
  readonly expiredAt: string;
}

export interface RetentionOptions {
  readonly retentionDays: number;
  /** The time expiry is judged at. */
  readonly now: string;
  /** When the erasures happen, as they record it (default: `now`); never a time to come. */
  readonly erasedAt?: string;
  readonly dryRun?: boolean;
  /**
   * The organ a document means by the organ it names, or by naming none (`undefined`): the
   * code's default organ. Organs are the workflows' notion (workflows/shared/organizations.ts),
   * so the caller supplies it.
   */
  readonly organOf: (organizationCode: string, organ: string | undefined) => string;
}

export interface RetentionReport {
  readonly retentionDays: number;
  readonly now: string;
  readonly dryRun: boolean;
  readonly bodies: readonly ExpiredBody[];
  /**
   * Each person erased, with the organs of the code whose data held them (all expired) and the
   * latest of those organs' connection ends.
   */
  readonly erased: ReadonlyArray<ErasureResult & { readonly organizationKinds: readonly string[]; readonly connectionEndedAt: string }>;
}

const DAY_MS = 86_400_000;
export const RETENTION_REQUESTER: Requester = { sub: 'retention', org: 'MIC', role: 'system' };

/**
 * Organs whose connection ended more than `retentionDays` ago. A connection ends when
 * ConnectionEnded is recorded for the organ; a master-data version of the same organ registered
 * after that end means it connected again, and its data is needed again. Another organ of the
 * same code (the board of education of a city whose head department stays connected) neither
 * ends nor renews it.
 */
export async function expiredBodies(store: EncryptingEventStore, options: RetentionOptions): Promise<ExpiredBody[]> {
  const { organOf } = options;
  const ended = new Map<string, { code: string; kind: string; endedAt: string }>();
  const registered = new Map<string, string>();
  for await (const event of store.stored.readAll({ filter: { eventTypes: [PERSONAL_DATA_EVENTS.connectionEnded, 'MasterDataVersionRegistered'] } })) {
    const code = event.data['organizationCode'];
    if (typeof code !== 'string') continue;
    const kind = organOf(code, optionalString(event.data['organizationKind']));
    const key = organId(code, kind);
    if (event.type === PERSONAL_DATA_EVENTS.connectionEnded && typeof event.data['endedAt'] === 'string') ended.set(key, { code, kind, endedAt: event.data['endedAt'] });
    if (event.type === 'MasterDataVersionRegistered') registered.set(key, String(event.metadata['occurredAt'] ?? event.recordedAt));
  }
  const limit = Date.parse(options.now);
  const out: ExpiredBody[] = [];
  for (const [key, { code, kind, endedAt }] of ended) {
    // The end is a day (in Japan); a version registered on that day came before the end, one
    // registered on a later day is a new connection.
    const reconnected = registered.get(key);
    if (reconnected && (japanWallClock(reconnected) ?? '').slice(0, 10) > endedAt) continue;
    // "Ended more than N days ago", in days in Japan: from the start (JST) of the day after the N-th
    // day after the end. Date.parse of the bare day is UTC midnight, 09:00 in Japan: 15 hours early.
    const expiredAt = new Date(Date.parse(`${endedAt}T00:00:00+09:00`) + (options.retentionDays + 1) * DAY_MS).toISOString();
    if (Date.parse(expiredAt) <= limit) out.push({ organizationCode: code, organizationKind: kind, connectionEndedAt: endedAt, expiredAt });
  }
  return out.sort((a, b) => a.organizationCode.localeCompare(b.organizationCode) || a.organizationKind.localeCompare(b.organizationKind));
}

/**
 * Erases (消去, legal basis retention-expired) every person whose data belongs only to expired
 * organs, and reports each. Subjects are an organ's; but those recorded before organs were named
 * were keyed by code and name, so one of them can hold the data of two organs of a code: they stay
 * until every organ whose data holds them has expired. Which
 * organs hold whom is read from the stored events through the workflows' declarations (one scan
 * of the store, only when an expired organ's code still has people); a person found in no event
 * counts as their own organ's.
 */
export async function eraseExpired(store: EncryptingEventStore, options: RetentionOptions): Promise<RetentionReport> {
  const { organOf } = options;
  const bodies = await expiredBodies(store, options);
  const erased: Array<ErasureResult & { organizationKinds: string[]; connectionEndedAt: string }> = [];
  const expired = new Map(bodies.map((b) => [organId(b.organizationCode, b.organizationKind), b]));
  // People still active under the expired organs' codes. Once earlier runs erased them all, an
  // organ stays expired with nobody left to decide about, and the store is not scanned again.
  const candidates = new Map<string, SubjectRecord[]>();
  for (const code of new Set(bodies.map((b) => b.organizationCode))) {
    const subjects = await store.keys.subjects({ organizationCode: code });
    if (subjects.length > 0) candidates.set(code, subjects);
  }
  const holders = candidates.size > 0 ? await organsHolding(store, new Set(candidates.keys()), organOf) : new Map<string, Set<string>>();
  for (const [code, subjects] of candidates) {
    for (const subject of subjects) {
      const organs = [...(holders.get(subject.subjectId) ?? [subject.organizationKind])].sort();
      const ends = organs.map((kind) => expired.get(organId(code, kind)));
      if (!ends.every((end) => end !== undefined)) continue;
      const connectionEndedAt = ends.map((end) => end!.connectionEndedAt).sort().at(-1)!;
      if (options.dryRun) {
        erased.push({ subjectId: subject.subjectId, organizationCode: code, organizationKind: subject.organizationKind, erasedAt: options.now, alreadyErased: false, position: null, organizationKinds: organs, connectionEndedAt });
        continue;
      }
      const result = await eraseSubject(store, store.keys, {
        subjectId: subject.subjectId,
        requestedBy: RETENTION_REQUESTER,
        legalBasis: 'retention-expired',
        reference: null,
        at: options.erasedAt ?? options.now,
      });
      erased.push({ ...result, organizationKinds: organs, connectionEndedAt });
    }
  }
  return { retentionDays: options.retentionDays, now: options.now, dryRun: options.dryRun ?? false, bodies, erased };
}

/** For each subject of the given codes found in a stored event: the organs whose data holds it. */
async function organsHolding(store: EncryptingEventStore, codes: ReadonlySet<string>, organOf: (code: string, organ: string | undefined) => string): Promise<Map<string, Set<string>>> {
  const holders = new Map<string, Set<string>>();
  for await (const event of store.stored.readAll()) {
    for (const ref of store.personalValuesOf(event)) {
      if (!codes.has(ref.org)) continue;
      const value = getAt(event, ref.path);
      const subjectId = isCiphertext(value) ? parseCiphertext(value)?.keyId : undefined;
      if (!subjectId) continue;
      let organs = holders.get(subjectId);
      if (!organs) holders.set(subjectId, (organs = new Set()));
      organs.add(organOf(ref.org, ref.organ));
    }
  }
  return holders;
}

const organId = (code: string, kind: string): string => `${code}\u0000${kind}`;
const optionalString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
