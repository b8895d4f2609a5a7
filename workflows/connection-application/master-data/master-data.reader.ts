import type { EventStore, JsonObject, RecordedEvent } from '@nws/event-store';
import { findLocalGovernment } from '@nws/reference-catalog';
import { masterDataStream } from './master-data.content';
import { filingOfVersion, type CounterpartFilings, type DelegationFiling } from './delegation-matching';

/**
 * Reads the registered master data of bodies from their streams (`master-data-{code}`), through the
 * event-store port: what the registrar and the reviewers' 突合 view rely on. Version n of a code is
 * the stream's event at revision n − 1. The organs of one local government (a 首長部局 and its
 * 教育委員会) share a code and so a stream: a body's current version is its organ's newest.
 */

const WINDOW = 10;

/** Organs a local-government code can stand for; an unknown code (e.g. a 一部事務組合) is read to its start. */
function organsOf(code: string): readonly string[] | undefined {
  const lg = findLocalGovernment(code);
  if (!lg) return undefined;
  return lg.type === 'prefecture' ? ['都道府県知事部局', '都道府県教育委員会'] : ['市町村長部局', '市町村教育委員会'];
}

const kindOf = (event: RecordedEvent): string => String(((event.data['content'] as JsonObject | undefined)?.['organization'] as JsonObject | undefined)?.['kind'] ?? '');

export interface CodeVersions {
  readonly code: string;
  /** Revision of the stream's last event (undefined: no version yet): the expected revision of the next append. */
  readonly lastRevision: number | undefined;
  /** The newest version of each organ that has one. */
  readonly latest: ReadonlyMap<string, RecordedEvent>;
}

/**
 * The newest version of each organ of a code, reading backwards in windows from the stream's end
 * and stopping once every organ the code can stand for (or only `kinds`) is found.
 */
export async function readLatestVersions(store: EventStore, code: string, kinds?: readonly string[]): Promise<CodeVersions> {
  const stream = masterDataStream(code);
  const lastRevision = await store.streamRevision(stream);
  const latest = new Map<string, RecordedEvent>();
  if (lastRevision === undefined) return { code, lastRevision, latest };
  const wanted = kinds ?? organsOf(code);
  let to = lastRevision;
  // The newest event first (most streams hold one organ), then windows further back.
  let size = 1;
  while (to >= 0) {
    const from = Math.max(0, to - size + 1);
    size = WINDOW;
    const window: RecordedEvent[] = [];
    for await (const event of store.readStream(stream, { fromRevision: from, toRevision: to })) window.push(event);
    for (const event of window.reverse()) {
      const kind = kindOf(event);
      if (!latest.has(kind)) latest.set(kind, event);
    }
    if (wanted && wanted.every((k) => latest.has(k))) break;
    to = from - 1;
  }
  return { code, lastRevision, latest };
}

/** Version n of a code (immutable, so a replay reads exactly what a first run read). */
export async function readVersion(store: EventStore, code: string, version: number): Promise<RecordedEvent | undefined> {
  for await (const event of store.readStream(masterDataStream(code), { fromRevision: version - 1, toRevision: version - 1 })) return event;
  return undefined;
}

/** The current filings of every body of these codes (the bodies the 突合 compares against). */
export async function readCounterpartFilings(store: EventStore, codes: readonly string[]): Promise<{ filings: CounterpartFilings; versions: CodeVersions[] }> {
  const sorted = [...new Set(codes)].sort();
  const versions = await Promise.all(sorted.map((code) => readLatestVersions(store, code)));
  const filings = versions.flatMap((v) => [...v.latest.values()].map((event) => filingOfVersion(event.data)));
  return { filings: { codes: sorted, filings: filings.sort(byBody) }, versions };
}

export const byBody = (a: DelegationFiling, b: DelegationFiling): number => {
  const ka = `${a.organizationCode}|${a.organizationKind}`;
  const kb = `${b.organizationCode}|${b.organizationKind}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};
