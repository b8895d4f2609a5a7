import type { JsonObject } from '@nws/engine';
import { providesByLaw } from '../forms/query-rights';
import type { DelegationEntry } from './delegation-matching';

type Row = JsonObject;

const received = (entry: DelegationEntry, row: Row, code: string) =>
  entry.kind === 'provision' && entry.side === 'delegatee' && entry.delegateeCode === code && entry.itemNo === String(row['itemNo']) && entry.personalInfoName === String(row['personalInfoName']);

/**
 * 様03-07 (2) rows a body provides only by a delegation still held for its other side (突合待ち):
 * kept out of the published content until the delegator's 委任 is approved (DOMAIN: an unmatched
 * side blocks that row from the master data). Before, the delegation itself was held but the row
 * was published, registering the body as the row's provider ahead of the 突合. A row the body
 * provides by law as well, or whose delegation is matched for one of its delegators (an
 * association working for several members), stays.
 *
 * Answers the rows published. `filed` is every row as filed or carried over, withheld ones
 * included: kept beside the content (`providedInformationFiled`), so a later 突合 puts them back.
 */
export function withholdUnmatchedProvisions(
  filed: readonly Row[],
  registered: readonly DelegationEntry[],
  pending: readonly DelegationEntry[],
  organization: { readonly code: string; readonly kind: string; readonly name?: string },
): Row[] {
  return filed.filter((row) => {
    const held = pending.some((entry) => received(entry, row, organization.code));
    const matched = registered.some((entry) => received(entry, row, organization.code));
    return !held || matched || providesByLaw(String(row['itemNo']), String(row['personalInfoName']), organization);
  });
}

/**
 * The content with its 様03-07 (2) rows settled against the delegations as they stand, and the rows as
 * filed (what the version keeps beside the content). `filed` defaults to the content's own rows.
 */
export function settleProvidedInformation(
  content: JsonObject,
  filed: readonly Row[] | undefined,
  registered: readonly DelegationEntry[],
  pending: readonly DelegationEntry[],
  organization: { readonly code: string; readonly kind: string; readonly name?: string },
): { readonly content: JsonObject; readonly filed: Row[] | null } {
  const form = content['form0307'];
  if (form === null || typeof form !== 'object' || Array.isArray(form)) return { content, filed: null };
  const rows = filed ?? ((Array.isArray(form['providedInformation']) ? form['providedInformation'] : []) as Row[]);
  const published = withholdUnmatchedProvisions(rows, registered, pending, organization);
  return { content: { ...content, form0307: { ...form, providedInformation: published } }, filed: [...rows] };
}
