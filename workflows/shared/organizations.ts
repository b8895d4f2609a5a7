import type { Actor, FieldViolation } from '@nws/engine';
import { findLocalGovernment, hasValidCheckDigit, prefectureCodeOf } from '@nws/reference-catalog';

/** An applicant body as recorded when an application is created. */
export interface OrganizationRef {
  code: string;
  name: string;
  kind: string;
  prefectureCode: string;
}

export const JLIS = 'J-LIS';
export const MIC = 'MIC';

/** The network operator's distribution systems: they alone consume distribution and confirm it. */
export const isMicDistributor = (actor: Actor): boolean => actor.role === 'distributor' && actor.org === MIC;

/** 機関種類 of an applicant body. */
export const ORGANIZATION_KINDS = ['都道府県知事部局', '都道府県教育委員会', '市町村長部局', '市町村教育委員会', '一部事務組合・広域連合'] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

/**
 * The organ a code means when none is named: a prefecture's 知事部局, a municipality's 首長部局, a
 * code outside the list (with its check digit) a 一部事務組合・広域連合's; none for a designated
 * city's ward (it never applies), J-LIS, MIC or what is not a code.
 */
export function defaultKindFor(code: string): OrganizationKind | undefined {
  const lg = findLocalGovernment(code);
  if (!lg) return hasValidCheckDigit(code) ? '一部事務組合・広域連合' : undefined;
  if (lg.type === 'prefecture') return '都道府県知事部局';
  if (lg.type === 'designated_city_ward') return undefined;
  return '市町村長部局';
}

export function isOrganizationKind(value: unknown): value is OrganizationKind {
  return typeof value === 'string' && (ORGANIZATION_KINDS as readonly string[]).includes(value);
}

/**
 * ASCII name of each organ, for identifiers that must stay ASCII (master-data stream ids, the
 * distributor's directories). One per kind and all distinct — a kind is not checked against its
 * code's type (nothing stops a 市町村教育委員会 token for a prefecture's code), so two kinds sharing
 * a slug could share a stream.
 */
export const ORGAN_SLUGS: Readonly<Record<OrganizationKind, string>> = {
  都道府県知事部局: 'governor',
  都道府県教育委員会: 'prefectural-board-of-education',
  市町村長部局: 'mayor',
  市町村教育委員会: 'municipal-board-of-education',
  '一部事務組合・広域連合': 'association',
};

/**
 * The organ a code stands for when none is named: its head department (defaultKindFor); a code
 * outside the local-government list is a 一部事務組合・広域連合's own code. (A ward of a designated
 * city has no organ of its own and never applies.)
 */
export function defaultOrganFor(code: string): OrganizationKind {
  return defaultKindFor(code) ?? '一部事務組合・広域連合';
}

/**
 * The organ a stored document means: the one it names, else its code's default organ (documents
 * from before organs were named). J-LIS and MIC have no organs (organsOf): their staff (reviewers)
 * are their own body's, named by the code itself, not filed under a 一部事務組合・広域連合.
 */
export function organOrDefault(code: string, organ: string | undefined): string {
  return organ ?? (code === JLIS || code === MIC ? code : defaultOrganFor(code));
}

/**
 * The organs a code can stand for: a prefecture's 知事部局 and 教育委員会, a municipality's (special
 * wards and designated cities included) 首長部局 and 教育委員会, a code outside the list a
 * 一部事務組合・広域連合. A designated city's ward has none (it never applies); neither have J-LIS and MIC.
 */
export function organsOf(code: string): readonly OrganizationKind[] {
  if (code === JLIS || code === MIC) return [];
  const lg = findLocalGovernment(code);
  if (!lg) return ['一部事務組合・広域連合'];
  if (lg.type === 'prefecture') return ['都道府県知事部局', '都道府県教育委員会'];
  if (lg.type === 'designated_city_ward') return [];
  return ['市町村長部局', '市町村教育委員会'];
}

/** Whether the organ is one of its code's (organsOf). */
export function isOrganOf(code: string, organ: string): boolean {
  return (organsOf(code) as readonly string[]).includes(organ);
}

/**
 * The refusal of an organ its code does not have (a 都道府県知事部局 of a city's code: routed to
 * J-LIS; a 市町村教育委員会 of a prefecture's: waiting for a head department it has not), naming
 * the field and the organs the code has; undefined when it is one of them.
 */
export function organOfCodeViolation(field: string, code: string, organ: string): FieldViolation | undefined {
  if (isOrganOf(code, organ)) return undefined;
  const organs = organsOf(code);
  const named = findLocalGovernment(code) !== undefined;
  return {
    field,
    rule: 'organOfCode',
    message: {
      ja: `${field}: ${named ? `${organizationName(code)}（${code}）` : code}の機関種類は ${organs.length > 0 ? `${organs.join('、')} のいずれかです` : 'ありません'}。`,
      en: `${field}: the organs of ${named ? `${organizationName(code)} (${code})` : code} are ${organs.join(', ') || 'none'}`,
    },
  };
}

/**
 * The identity of one organ's master data: the code alone for the code's default organ (so what was
 * registered before organs had their own master data keeps its name), `{code}.{slug}` for any other
 * organ of the code. Used for stream ids (master-data.content.ts `masterDataStream`) and the
 * distributor's directories. Throws on a kind that is not an organ, or a code that is not one.
 */
export function organKey(code: string, kind: string): string {
  if (!/^[0-9A-Za-z-]+$/.test(code)) throw new Error(`not an organization code: ${JSON.stringify(code)}`);
  if (!isOrganizationKind(kind)) throw new Error(`not an organ (機関種類): ${JSON.stringify(kind)}`);
  return kind === defaultOrganFor(code) ? code : `${code}.${ORGAN_SLUGS[kind]}`;
}

/** The (code, organ) an organ key names; undefined for a string no `organKey` returns. */
export function parseOrganKey(key: string): { code: string; kind: OrganizationKind } | undefined {
  const dot = key.indexOf('.');
  const code = dot < 0 ? key : key.slice(0, dot);
  const slug = dot < 0 ? undefined : key.slice(dot + 1);
  if (!/^[0-9A-Za-z-]+$/.test(code)) return undefined;
  const kind = slug === undefined ? defaultOrganFor(code) : ORGANIZATION_KINDS.find((k) => ORGAN_SLUGS[k] === slug);
  if (!kind || organKey(code, kind) !== key) return undefined;
  return { code, kind };
}

export function organizationName(org: string): string {
  if (org === JLIS) return '地方公共団体情報システム機構';
  if (org === MIC) return '総務省';
  return findLocalGovernment(org)?.name ?? org;
}

/**
 * 一次審査: the coordinating prefecture (取りまとめ都道府県) of the applicant's prefecture, except a
 * prefectural governor department, which its own prefecture may not review: J-LIS reviews it.
 */
export function firstReviewerFor(organization: OrganizationRef): string {
  return organization.kind === '都道府県知事部局' ? JLIS : prefectureCodeOf(organization.code);
}

/** 二次審査 is always the network operator (総務省). */
export function secondReviewerFor(): string {
  return MIC;
}

/** The organ an actor speaks for: its token's `organ`, else the default organ of its code. */
export function organOf(actor: { readonly org: string; readonly organ?: string }): string | undefined {
  return actor.organ ?? defaultKindFor(actor.org);
}

/**
 * The reviewing body a reviewer's token speaks for: J-LIS and MIC as themselves; a prefecture only
 * through its governor's department, the 取りまとめ都道府県 — not its 都道府県教育委員会, which shares
 * the code but reviews nobody's application. Undefined: the token reviews for no body.
 */
export function reviewingBodyOf(actor: { readonly org: string; readonly organ?: string }): string | undefined {
  if (actor.org === JLIS || actor.org === MIC) return actor.org;
  return findLocalGovernment(actor.org)?.type === 'prefecture' && organOf(actor) === '都道府県知事部局' ? actor.org : undefined;
}

/**
 * A municipal board of education submits through its own head's department (首長部局を経由):
 * the head's department forwards it before it reaches the coordinating prefecture.
 */
export function forwardingOrganFor(organization: { readonly kind: string }): string | null {
  return organization.kind === '市町村教育委員会' ? '市町村長部局' : null;
}
