import type { EncryptingEventStore } from './encrypting-event-store';
import { PERSONAL_DATA_EVENTS, eraseSubject, type ErasureResult, type Requester } from './personal-data-requests';

export interface ExpiredBody {
  readonly organizationCode: string;
  readonly connectionEndedAt: string;
  readonly expiredAt: string;
}

export interface RetentionReport {
  readonly retentionDays: number;
  readonly now: string;
  readonly dryRun: boolean;
  readonly bodies: readonly ExpiredBody[];
  readonly erased: ReadonlyArray<ErasureResult & { readonly connectionEndedAt: string }>;
}

const DAY_MS = 86_400_000;
export const RETENTION_REQUESTER: Requester = { sub: 'retention', org: 'MIC', role: 'system' };

/**
 * Bodies whose connection ended more than `retentionDays` ago. A connection ends when
 * ConnectionEnded is recorded for the body; a master-data version registered after that end
 * means the body connected again, and its data is needed again.
 */
export async function expiredBodies(store: EncryptingEventStore, retentionDays: number, now: string): Promise<ExpiredBody[]> {
  const ended = new Map<string, string>();
  const registered = new Map<string, string>();
  for await (const event of store.stored.readAll({ filter: { eventTypes: [PERSONAL_DATA_EVENTS.connectionEnded, 'MasterDataVersionRegistered'] } })) {
    const org = event.data['organizationCode'];
    if (typeof org !== 'string') continue;
    if (event.type === PERSONAL_DATA_EVENTS.connectionEnded && typeof event.data['endedAt'] === 'string') ended.set(org, event.data['endedAt']);
    if (event.type === 'MasterDataVersionRegistered') registered.set(org, String(event.metadata['occurredAt'] ?? event.recordedAt));
  }
  const limit = Date.parse(now);
  const out: ExpiredBody[] = [];
  for (const [organizationCode, endedAt] of ended) {
    const reconnected = registered.get(organizationCode);
    if (reconnected && Date.parse(reconnected) > Date.parse(endedAt)) continue;
    const expiredAt = new Date(Date.parse(endedAt) + retentionDays * DAY_MS).toISOString();
    if (Date.parse(expiredAt) <= limit) out.push({ organizationCode, connectionEndedAt: endedAt, expiredAt });
  }
  return out.sort((a, b) => a.organizationCode.localeCompare(b.organizationCode));
}

/** Erases every subject of every expired body (消去, legal basis retention-expired) and reports each. */
export async function eraseExpired(store: EncryptingEventStore, options: { retentionDays: number; now: string; dryRun?: boolean }): Promise<RetentionReport> {
  const bodies = await expiredBodies(store, options.retentionDays, options.now);
  const erased: Array<ErasureResult & { connectionEndedAt: string }> = [];
  for (const body of bodies) {
    for (const subject of await store.keys.subjects({ organizationCode: body.organizationCode })) {
      if (options.dryRun) {
        erased.push({ subjectId: subject.subjectId, organizationCode: body.organizationCode, erasedAt: options.now, alreadyErased: false, position: null, connectionEndedAt: body.connectionEndedAt });
        continue;
      }
      const result = await eraseSubject(store, store.keys, {
        subjectId: subject.subjectId,
        requestedBy: RETENTION_REQUESTER,
        legalBasis: 'retention-expired',
        reference: null,
        at: options.now,
      });
      erased.push({ ...result, connectionEndedAt: body.connectionEndedAt });
    }
  }
  return { retentionDays: options.retentionDays, now: options.now, dryRun: options.dryRun ?? false, bodies, erased };
}
