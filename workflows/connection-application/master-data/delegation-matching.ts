import type { JsonObject } from '@nws/engine';
import { organizationName } from '../../shared/organizations';

/**
 * 委任・受任の突合 (DOMAIN.md 様03-08): which delegation rows of a body may enter its master data.
 *
 * - A **query** affair received by delegation (03-08 (1), 受任 only) enters with the delegatee's
 *   entry alone: the delegator files nothing for it.
 * - A **provision** delegation is filed by both sides — the delegator its 委任 (03-08 (2)), the
 *   delegatee its 受任 (03-08 (3)) — and enters the master data of either side only while the
 *   other side's approved master data holds the opposite entry. Until then it is held (突合待ち):
 *   kept out of the published content, shown to the second reviewer and to the body.
 *
 * The unit of the 突合 is one pair (delegator, delegatee) for one 別表第二 row: a row received from
 * several delegators (an association doing the work of its members) is one entry per delegator,
 * each matched on its own. The basis of a delegation is filed by the delegatee only (the guide:
 * 委任の根拠条例等は委任先が申請する), so it is carried, not compared. The 委任先 a delegator names
 * is the body that provides on its behalf (in a layered A→B→C delegation, C).
 *
 * Everything here is pure: the filings of other bodies come in as data (read by the registrar
 * from their master-data streams), never from a clock or a lookup.
 *
 * Bodies are organs (機関), identified by (code, kind): a body's own filing is never its
 * counterpart. 様03-08 names the other side by its 全国地方公共団体コード only (委任先/委任元機関 carry
 * no 機関種類), so the counterpart of an entry is **any organ of that code** other than the body
 * itself: the 都道府県教育委員会 may be the 委任元 of a row just as the 知事部局 may, and a 市町村長部局
 * may delegate to its own 教育委員会 (地方自治法第180条の2: one code, two organs). Narrowing it to the
 * code's default organ would hold such rows for ever. Which organ matched is recorded (matchedWith,
 * `matchedAgainst.versions[].organizationKind`), so a replay reads exactly that organ's version.
 */

export type DelegationKind = 'query' | 'provision';
export type DelegationSide = 'delegator' | 'delegatee';
export type DelegationStatus = 'registered' | 'pending';

export interface DelegationLink {
  delegatorCode: string;
  delegateeCode: string;
  basis: string;
  instrumentKind: string;
  instrumentName: string;
  delegatorHoldsByLaw: boolean;
}

/** One side of one delegation pair, as one body filed it. */
export interface DelegationEntry {
  kind: DelegationKind;
  side: DelegationSide;
  /** 別表第二 version the row was chosen from: rows of different versions are never the same row. */
  catalogVersion: string;
  itemNo: string;
  /** 事務名 (query affairs) */
  affairName: string | null;
  /** 特定個人情報名 (provision) */
  personalInfoName: string | null;
  /** 個別の手続 of a query affair delegated in part */
  procedure: string | null;
  delegatorCode: string;
  delegateeCode: string;
  /** 委任の根拠 (every step of the chain), filed by the delegatee; null on the delegator's side. */
  chain: DelegationLink[] | null;
}

export interface FiledDelegation extends DelegationEntry {
  status: DelegationStatus;
}

/** A held entry, with what it waits for: shown to the second reviewer and the body, never published. */
export interface PendingDelegation extends DelegationEntry {
  awaiting: { organizationCode: string; organizationName: string; side: DelegationSide; label: string };
  message: { ja: string; en: string };
}

/** The delegation entries of one body's current master data (one organ of one local government). */
export interface DelegationFiling {
  organizationCode: string;
  organizationKind: string;
  version: number;
  applicationId: string;
  applicationNumber: string | null;
  entries: FiledDelegation[];
}

/** Filings of every body of some local-government codes, and which codes were read (a code read with no body: nobody filed). */
export interface CounterpartFilings {
  codes: string[];
  filings: DelegationFiling[];
}

export const SIDE_LABEL: Record<DelegationKind, Record<DelegationSide, string>> = {
  query: { delegator: '情報照会事務の委任', delegatee: '情報照会事務の受任' },
  provision: { delegator: '情報提供事務の委任', delegatee: '情報提供事務の受任' },
};

const opposite = (side: DelegationSide): DelegationSide => (side === 'delegator' ? 'delegatee' : 'delegator');

/** The pair and row an entry is about, the same on both sides. */
export function delegationKey(e: DelegationEntry): string {
  return [e.kind, e.catalogVersion, e.itemNo, e.affairName ?? e.personalInfoName ?? '', `${e.delegatorCode}>${e.delegateeCode}`].join('|');
}

/** The other party of the pair: the body whose filing must hold the opposite side. */
export function counterpartCodeOf(e: DelegationEntry): string {
  return e.side === 'delegator' ? e.delegateeCode : e.delegatorCode;
}

const compareEntries = (a: DelegationEntry, b: DelegationEntry) => {
  const ka = `${delegationKey(a)}|${a.side}`;
  const kb = `${delegationKey(b)}|${b.side}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

const str = (value: unknown): string => (typeof value === 'string' ? value : String(value ?? ''));
const rowsOf = (data: { readonly [key: string]: unknown }, key: string): Array<Record<string, unknown>> => {
  const value = data[key];
  return Array.isArray(value) ? (value as unknown[]).filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null) : [];
};

function linksOf(delegation: unknown): DelegationLink[] {
  const chain = (delegation as { chain?: unknown } | undefined)?.chain;
  if (!Array.isArray(chain)) return [];
  return (chain as Array<Record<string, unknown>>).map((l) => ({
    delegatorCode: str(l['delegatorCode']),
    delegateeCode: str(l['delegateeCode']),
    basis: str(l['basis']),
    instrumentKind: str(l['instrumentKind']),
    instrumentName: str(l['instrumentName']),
    delegatorHoldsByLaw: l['delegatorHoldsByLaw'] === true,
  }));
}

function delegatorsOf(delegation: unknown): string[] {
  const list = (delegation as { delegators?: unknown } | undefined)?.delegators;
  return Array.isArray(list) ? [...new Set((list as unknown[]).map(str))] : [];
}

/** The entries a body files with its (validated) 様03-08: one per delegation pair and row. */
export function delegationEntriesOf(form0308: { readonly [key: string]: unknown }, organizationCode: string): DelegationEntry[] {
  const catalogVersion = str(form0308['catalogVersion']);
  const out: DelegationEntry[] = [];
  for (const row of rowsOf(form0308, 'receivedQueryAffairs')) {
    for (const delegatorCode of delegatorsOf(row['delegation'])) {
      out.push({
        kind: 'query',
        side: 'delegatee',
        catalogVersion,
        itemNo: str(row['itemNo']),
        affairName: str(row['affairName']),
        personalInfoName: null,
        procedure: typeof row['procedure'] === 'string' ? row['procedure'] : null,
        delegatorCode,
        delegateeCode: organizationCode,
        chain: linksOf(row['delegation']),
      });
    }
  }
  for (const row of rowsOf(form0308, 'delegatedProvisions')) {
    out.push({
      kind: 'provision',
      side: 'delegator',
      catalogVersion,
      itemNo: str(row['itemNo']),
      affairName: null,
      personalInfoName: str(row['personalInfoName']),
      procedure: null,
      delegatorCode: organizationCode,
      delegateeCode: str(row['delegateeCode']),
      chain: null,
    });
  }
  for (const row of rowsOf(form0308, 'receivedProvisions')) {
    for (const delegatorCode of delegatorsOf(row['delegation'])) {
      out.push({
        kind: 'provision',
        side: 'delegatee',
        catalogVersion,
        itemNo: str(row['itemNo']),
        affairName: null,
        personalInfoName: str(row['personalInfoName']),
        procedure: null,
        delegatorCode,
        delegateeCode: organizationCode,
        chain: linksOf(row['delegation']),
      });
    }
  }
  return out.sort(compareEntries);
}

/** Codes of the bodies whose filings decide these entries (queries need nobody's). */
export function counterpartCodes(entries: readonly DelegationEntry[]): string[] {
  return [...new Set(entries.filter((e) => e.kind === 'provision').map(counterpartCodeOf))].sort();
}

const isSelf = (filing: DelegationFiling, self: { code: string; kind: string }) => filing.organizationCode === self.code && filing.organizationKind === self.kind;

/**
 * The status of each entry of one body (`self`) given the current filings of the bodies of some
 * codes. A query entry is registered by itself. A provision entry whose counterpart's code was
 * read is registered iff a body of that code (other than `self`) holds the opposite side of the
 * same pair and row, registered or pending — both are approved filings. An entry whose
 * counterpart was not read keeps the status it had (a new entry: pending).
 */
export function settleDelegations(
  entries: ReadonlyArray<DelegationEntry & { status?: DelegationStatus }>,
  self: { code: string; kind: string },
  counterparts: CounterpartFilings,
): FiledDelegation[] {
  const read = new Set(counterparts.codes);
  const filed = new Set<string>();
  for (const filing of counterparts.filings) {
    if (isSelf(filing, self)) continue;
    for (const e of filing.entries) filed.add(`${delegationKey(e)}|${e.side}|${filing.organizationCode}`);
  }
  return entries
    .map((entry): FiledDelegation => {
      const { status: previous, ...e } = entry;
      if (e.kind === 'query') return { ...e, status: 'registered' };
      const counterpart = counterpartCodeOf(e);
      if (!read.has(counterpart)) return { ...e, status: previous ?? 'pending' };
      return { ...e, status: filed.has(`${delegationKey(e)}|${opposite(e.side)}|${counterpart}`) ? 'registered' : 'pending' };
    })
    .sort(compareEntries);
}

const withoutStatus = ({ status: _status, ...entry }: FiledDelegation): DelegationEntry => entry;

/** What enters the published content: the registered entries, without bookkeeping. */
export function registeredEntries(filed: readonly FiledDelegation[]): DelegationEntry[] {
  return filed.filter((e) => e.status === 'registered').map(withoutStatus);
}

/** The held entries, each saying whose entry it waits for (bilingual, for the second reviewer). */
export function pendingEntries(filed: readonly FiledDelegation[]): PendingDelegation[] {
  return filed.filter((e) => e.status === 'pending').map((f) => pendingNotice(withoutStatus(f)));
}

export function pendingNotice(e: DelegationEntry): PendingDelegation {
  const code = counterpartCodeOf(e);
  // Between two organs of one code (第180条の2: a 市長 to its 教育委員会) the other side is the code's other organ, not the body itself.
  const sameCode = e.delegatorCode === e.delegateeCode;
  const name = sameCode ? `${organizationName(code)}の他の機関` : organizationName(code);
  const nameEn = sameCode ? `another organ of ${organizationName(code)}` : organizationName(code);
  const side = opposite(e.side);
  const label = SIDE_LABEL[e.kind][side];
  const row = `別表第二 第${e.itemNo}項「${e.personalInfoName ?? e.affairName ?? ''}」`;
  const pair = `委任元 ${e.delegatorCode} → 委任先 ${e.delegateeCode}`;
  return {
    ...e,
    awaiting: { organizationCode: code, organizationName: name, side, label },
    message: {
      ja: `${row}（${pair}）は、${name}（${code}）の${label}情報が承認されるまで突合待ちです。マスタデータには登録されません。`,
      en: `${row} (delegator ${e.delegatorCode} → delegatee ${e.delegateeCode}) is held until ${nameEn} (${code}) has its ${side === 'delegator' ? 'delegation (委任)' : 'acceptance (受任)'} approved; it does not enter the master data until then`,
    },
  };
}

/** The body (other than `self`) whose approved filing holds the other side of a provision entry, if any. */
export function matchedWith(e: DelegationEntry, self: { code: string; kind: string }, filings: readonly DelegationFiling[]): DelegationFiling | undefined {
  if (e.kind === 'query') return undefined;
  const key = delegationKey(e);
  const side = opposite(e.side);
  const code = counterpartCodeOf(e);
  return filings.find((f) => f.organizationCode === code && !isSelf(f, self) && f.entries.some((o) => o.side === side && delegationKey(o) === key));
}

/** Entries whose status differs between two settlements of the same body. */
export function statusChanges(before: readonly FiledDelegation[], after: readonly FiledDelegation[]): { matched: DelegationEntry[]; unmatched: DelegationEntry[] } {
  const was = new Map(before.map((e) => [`${delegationKey(e)}|${e.side}`, e.status]));
  const matched: DelegationEntry[] = [];
  const unmatched: DelegationEntry[] = [];
  for (const e of after) {
    const previous = was.get(`${delegationKey(e)}|${e.side}`);
    if (previous === 'pending' && e.status === 'registered') matched.push(withoutStatus(e));
    if (previous === 'registered' && e.status === 'pending') unmatched.push(withoutStatus(e));
  }
  return { matched, unmatched };
}

/** The filing held by a `MasterDataVersionRegistered` (versions from before the 突合 hold their 様03-08 as filed: all registered). */
export function filingOfVersion(data: JsonObject): DelegationFiling {
  const content = (data['content'] ?? {}) as JsonObject;
  const organization = (content['organization'] ?? {}) as JsonObject;
  const code = str(data['organizationCode'] ?? organization['code']);
  const registered = content['delegations'];
  let entries: FiledDelegation[];
  if (Array.isArray(registered)) {
    const pending = Array.isArray(data['pendingDelegations']) ? (data['pendingDelegations'] as unknown as PendingDelegation[]) : [];
    entries = [
      ...(registered as unknown as DelegationEntry[]).map((e): FiledDelegation => ({ ...entryOf(e), status: 'registered' })),
      ...pending.map((e): FiledDelegation => ({ ...entryOf(e), status: 'pending' })),
    ];
  } else {
    const legacy = content['form0308'];
    entries = legacy && typeof legacy === 'object' && !Array.isArray(legacy) ? delegationEntriesOf(legacy, code).map((e) => ({ ...e, status: 'registered' as const })) : [];
  }
  return {
    organizationCode: code,
    organizationKind: str(data['organizationKind'] ?? organization['kind']),
    version: Number(data['version']),
    applicationId: str(data['applicationId']),
    applicationNumber: typeof data['applicationNumber'] === 'string' ? data['applicationNumber'] : null,
    entries: entries.sort(compareEntries),
  };
}

/** Only the fields of an entry (a pending notice carries more). */
function entryOf(e: DelegationEntry): DelegationEntry {
  return {
    kind: e.kind,
    side: e.side,
    catalogVersion: e.catalogVersion,
    itemNo: e.itemNo,
    affairName: e.affairName ?? null,
    personalInfoName: e.personalInfoName ?? null,
    procedure: e.procedure ?? null,
    delegatorCode: e.delegatorCode,
    delegateeCode: e.delegateeCode,
    chain: e.chain ?? null,
  };
}

/** The newest version of each body (organ) among the versions of one local-government code. */
export function latestFilingPerBody(versions: readonly JsonObject[]): DelegationFiling[] {
  const latest = new Map<string, DelegationFiling>();
  for (const data of versions) {
    const filing = filingOfVersion(data);
    const previous = latest.get(filing.organizationKind);
    if (!previous || previous.version < filing.version) latest.set(filing.organizationKind, filing);
  }
  return [...latest.values()].sort((a, b) => (a.organizationKind < b.organizationKind ? -1 : 1));
}

/**
 * What the 突合 decides when an application is approved: its entries (from its 様03-08, or carried
 * over from its body's previous version when this application files no 様03-08) settled against
 * the counterparts' filings, and which held entries of other bodies it completes.
 */
export interface DelegationOutcome {
  registered: DelegationEntry[];
  pending: PendingDelegation[];
  filed: FiledDelegation[];
}

export function delegationOutcome(
  self: { code: string; kind: string },
  form0308: { readonly [key: string]: unknown } | undefined,
  previous: DelegationFiling | null,
  counterparts: CounterpartFilings,
): DelegationOutcome {
  const entries = form0308 ? delegationEntriesOf(form0308, self.code) : (previous?.entries ?? []);
  const filed = settleDelegations(entries, self, counterparts);
  return { registered: registeredEntries(filed), pending: pendingEntries(filed), filed };
}
