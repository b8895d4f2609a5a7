import type { EventStore, JsonObject, RecordedEvent } from '@nws/event-store';
import { ORGANIZATION_KINDS, defaultOrganFor } from '../../shared/organizations';
import { masterDataStream } from './master-data.content';
import { filingOfVersion, type CounterpartFilings, type DelegationFiling } from './delegation-matching';

/**
 * Reads the registered master data of bodies through the event-store port: what the registrar and
 * the reviewers' 突合 view rely on. A body is an organ (機関): each organ of a code has its own
 * stream (masterDataStream(code, kind)) and its own versions; version n of an organ is its stream's
 * event at revision n − 1.
 */

const WINDOW = 10;

/** Every organ a code may hold master data for, its default organ first (a kind is not checked against the code's type). */
export function organsOf(code: string): string[] {
  const first = defaultOrganFor(code);
  return [first, ...ORGANIZATION_KINDS.filter((k) => k !== first)];
}

const kindOf = (event: RecordedEvent): string =>
  String(event.data['organizationKind'] ?? ((event.data['content'] as JsonObject | undefined)?.['organization'] as JsonObject | undefined)?.['kind'] ?? '');

export interface OrganVersions {
  readonly code: string;
  readonly kind: string;
  readonly stream: string;
  /** Revision of the stream's last event (undefined: no version yet): the expected revision of the next append. */
  readonly lastRevision: number | undefined;
  /** The organ's newest version, if it has one. */
  readonly latest: RecordedEvent | undefined;
}

/**
 * The newest version of one organ. Normally its stream's last event; a default organ's stream
 * written before organs had streams of their own may end with another organ's version of the same
 * code, so it is read backwards in windows until the organ's own is found.
 */
export async function readLatestVersion(store: EventStore, code: string, kind: string): Promise<OrganVersions> {
  const stream = masterDataStream(code, kind);
  const lastRevision = await store.streamRevision(stream);
  if (lastRevision === undefined) return { code, kind, stream, lastRevision, latest: undefined };
  let to = lastRevision;
  let size = 1;
  while (to >= 0) {
    const from = Math.max(0, to - size + 1);
    size = WINDOW;
    const window: RecordedEvent[] = [];
    for await (const event of store.readStream(stream, { fromRevision: from, toRevision: to })) window.push(event);
    const own = window.reverse().find((event) => kindOf(event) === kind);
    if (own) return { code, kind, stream, lastRevision, latest: own };
    to = from - 1;
  }
  return { code, kind, stream, lastRevision, latest: undefined };
}

/** Every organ of a code that has master data, with its newest version. */
export async function readCodeVersions(store: EventStore, code: string): Promise<OrganVersions[]> {
  const organs = await Promise.all(organsOf(code).map((kind) => readLatestVersion(store, code, kind)));
  return organs.filter((organ) => organ.lastRevision !== undefined);
}

/** Version n of an organ (immutable, so a replay reads exactly what a first run read). */
export async function readVersion(store: EventStore, code: string, kind: string, version: number): Promise<RecordedEvent | undefined> {
  for await (const event of store.readStream(masterDataStream(code, kind), { fromRevision: version - 1, toRevision: version - 1 })) return event;
  return undefined;
}

/** The current filings of every body (organ) of these codes (the bodies the 突合 compares against). */
export async function readCounterpartFilings(store: EventStore, codes: readonly string[]): Promise<{ filings: CounterpartFilings; versions: OrganVersions[] }> {
  const sorted = [...new Set(codes)].sort();
  const versions = (await Promise.all(sorted.map((code) => readCodeVersions(store, code)))).flat();
  const filings = versions.flatMap((v) => (v.latest ? [filingOfVersion(v.latest.data)] : []));
  return { filings: { codes: sorted, filings: filings.sort(byBody) }, versions };
}

export const byBody = (a: DelegationFiling, b: DelegationFiling): number => {
  const ka = `${a.organizationCode}|${a.organizationKind}`;
  const kb = `${b.organizationCode}|${b.organizationKind}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};
