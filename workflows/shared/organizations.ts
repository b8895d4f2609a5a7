import { findLocalGovernment, prefectureCodeOf } from '@nws/reference-catalog';

/** An applicant body as recorded when an application is created. */
export interface OrganizationRef {
  code: string;
  name: string;
  kind: string;
  prefectureCode: string;
}

export const JLIS = 'J-LIS';
export const MIC = 'MIC';

/** 機関種類 of an applicant body. */
export const ORGANIZATION_KINDS = ['都道府県知事部局', '都道府県教育委員会', '市町村長部局', '市町村教育委員会', '一部事務組合・広域連合'] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

export function defaultKindFor(code: string): OrganizationKind | undefined {
  const lg = findLocalGovernment(code);
  if (!lg) return undefined;
  if (lg.type === 'prefecture') return '都道府県知事部局';
  if (lg.type === 'designated_city_ward') return undefined;
  return '市町村長部局';
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
 * A municipal board of education submits through its own head's department (首長部局を経由):
 * the head's department forwards it before it reaches the coordinating prefecture.
 */
export function forwardingOrganFor(organization: OrganizationRef): string | null {
  return organization.kind === '市町村教育委員会' ? '市町村長部局' : null;
}
