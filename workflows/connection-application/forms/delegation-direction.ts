import type { FieldViolation } from '@nws/engine';
import { basisOrgansProblem, findBeppyo2Item, findBeppyo2Provision, type BasisOrgan } from '@nws/reference-catalog';
import type { OrganizationKind } from '../../shared/organizations';
import { organsNamedByLaw } from './query-rights';
import type { SavedFormData, SavedForms } from './saved-forms';

/** The applying organ, as its application was opened. */
type ApplyingOrgan = { readonly kind: string; readonly code?: string };

/**
 * Which side of 第180条の2 / 第180条の7 an organ is: the head's department or a 委員会. An association
 * is neither here (its code is one organ; the articles reach it only through 第292条, and which of its
 * organs acts is not on the form), so a link of its own code is not judged.
 */
const SIDE_OF: Readonly<Partial<Record<OrganizationKind, BasisOrgan>>> = {
  都道府県知事部局: 'head',
  市町村長部局: 'head',
  都道府県教育委員会: 'committee',
  市町村教育委員会: 'committee',
};
const sideOf = (kind: string) => {
  const organ = SIDE_OF[kind as OrganizationKind];
  return organ ? { organ, kind } : undefined;
};

interface Link {
  readonly delegatorCode?: unknown;
  readonly delegateeCode?: unknown;
  readonly basis?: unknown;
  readonly delegatorHoldsByLaw?: unknown;
}

const rowsOf = (form: SavedFormData, key: string): Array<Record<string, unknown> | null> => {
  const value = form.data[key];
  return Array.isArray(value) ? (value as Array<Record<string, unknown> | null>) : [];
};

/** The party text of the law for a received row: the 情報照会者 of a query affair, the 情報提供者 of a provision. */
const PARTY_OF: Readonly<Record<string, (row: Record<string, unknown>) => string | undefined>> = {
  receivedQueryAffairs: (row) => findBeppyo2Item(String(row['itemNo']))?.querier,
  receivedProvisions: (row) => findBeppyo2Provision(String(row['itemNo']), String(row['personalInfoName']))?.provider,
};

/**
 * 様03-08: 地方自治法第180条の2 hands the head's work to a 委員会 (the 首長部局 to the 教育委員会), 第180条の7 a
 * 委員会's work to the head's staff. A link names codes only, and both organs share the code, so the
 * direction was never checked: 八王子市長部局 received 項38 (学校保健安全法, the 教育委員会's) "under
 * 第180条の2" and master data registered it. The organs of a link within one code are known where the
 * form says them for certain, and only those are judged:
 * - the delegatee of a received row's last link is the applying organ (the chain ends at the
 *   applicant, chainEndsAtApplicant; a delegation the applicant makes, 様03-08 (2), names no article);
 * - a delegator that holds the affair by law is the one organ of its code the law names for the
 *   row (項38: the 教育委員会), when the law names just one.
 * An intermediate link's organs are not guessed (a 市 receiving from its prefecture may hand the work
 * on to its board, or its board may); a link between two codes is basisParties' to refuse.
 */
export function delegationDirectionViolations(forms: SavedForms, organization: ApplyingOrgan | undefined): FieldViolation[] {
  const f0308 = forms['03-08'];
  if (!f0308 || organization?.code === undefined) return [];
  const out: FieldViolation[] = [];
  for (const [key, partyOf] of Object.entries(PARTY_OF)) {
    rowsOf(f0308, key).forEach((row, i) => {
      if (row === null) return;
      const chain = (row['delegation'] as { chain?: unknown } | undefined)?.chain;
      if (!Array.isArray(chain)) return;
      const links = chain as Array<Link | null>;
      links.forEach((link, j) => {
        if (link === null || typeof link !== 'object' || typeof link.basis !== 'string' || typeof link.delegatorCode !== 'string') return;
        const code = link.delegatorCode;
        if (link.delegateeCode !== code) return;
        const delegatee = j === links.length - 1 && code === organization.code ? sideOf(organization.kind) : undefined;
        const party = link.delegatorHoldsByLaw === true ? partyOf(row) : undefined;
        const holders = party === undefined ? [] : organsNamedByLaw(party, code);
        const delegator = holders.length === 1 ? sideOf(holders[0]!) : undefined;
        const problem = basisOrgansProblem(link.basis, { ...(delegator ? { delegator } : {}), ...(delegatee ? { delegatee } : {}) });
        if (!problem) return;
        const field = `forms.03-08.${key}[${i}].delegation.chain[${j}].basis`;
        out.push({ field, rule: 'basisDirection', message: { ja: `${field}: ${problem[0]}`, en: `${field}: ${problem[1]}` } });
      });
    });
  }
  return out;
}
