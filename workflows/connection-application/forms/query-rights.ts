import type { FieldViolation } from '@nws/engine';
import { METROPOLITAN_QUERY_AFFAIRS, classifyParty, findBeppyo2Item, findBeppyo2Provision, findLocalGovernment, municipalityKindOf, type BodyType, type PartyCondition } from '@nws/reference-catalog';
import { organsOf, type OrganizationKind } from '../../shared/organizations';
import { isLateElderlyUnion } from '../../shared/applying-body';
import type { SavedFormData, SavedForms } from './saved-forms';

const violation = (field: string, rule: string, ja: string, en: string): FieldViolation => ({ field, rule, message: { ja: `${field}: ${ja}`, en: `${field}: ${en}` } });

/** The rows of a form's table, as saved (a row may be null in a form saved before rows were checked). */
const rowsOf = (form: SavedFormData | undefined, key: string): Array<Record<string, unknown> | null> => {
  const value = form?.data[key];
  return Array.isArray(value) ? (value as Array<Record<string, unknown> | null>) : [];
};

const itemNos = (form: SavedFormData | undefined, key: string): string[] => rowsOf(form, key).map((row) => String(row?.['itemNo']));

/** The applying organ, as its application was opened. */
type ApplyingOrgan = { readonly kind: string; readonly code?: string; readonly name?: string };

/** The parties of the law an organ can be: an association named a 後期高齢者医療広域連合 is one (one named by its code only may be). */
const partiesOf = (kind: string, body: { readonly name?: string; readonly code?: string } = {}): readonly string[] =>
  isLateElderlyUnion({ kind, ...body }) === false ? [kind] : [kind, '後期高齢者医療広域連合'];

/**
 * 様03-07 (1): a body queries the affairs 別表第二 names it the 情報照会者 of (番号法第19条第8号), or
 * those it does for another body by delegation (受任, 様03-08 (1)). The selection screen offers only
 * those; a form filed by hand could list any 項番 whose 事務名 matches, and its approval registered
 * query rights the law does not give (八王子市長部局 querying 健康保険法 affairs of 厚生労働大臣).
 *
 * Read as the selection screen reads the law (beppyo2-party-mapping.ts). Where the law's condition is
 * a fact the product does not hold (a town's welfare office, a city's public health centre), the
 * body's word stands, as on the screen. A 情報照会者 that is no local government's organ (a minister,
 * a national fund) is nobody's to query here, delegation or not (delegators are local governments).
 * A 変更 that does not file 様03-08 is not held to it: delegations registered earlier may back the row,
 * and they are not in the application (the reviewers see the registered master data).
 */
/**
 * Whether the law (its party text) can name a body of these kinds and code: a rule of its kind
 * whose condition is one the product holds (the bodies named one by one) or the body's word (a
 * welfare office, a 保健所, a choice on the screen). Undefined when the text is no local
 * government's (a minister, a national fund), or names the body by the benefit it pays.
 */
function lawNames(
  partyText: string,
  kinds: readonly string[],
  code: string | undefined,
  options: { readonly metropolitanSpecialCase?: boolean; readonly itemNo?: string } = {},
): boolean | 'notLocal' | 'byBenefit' {
  const party = classifyParty(partyText);
  if (party?.kind === 'byBenefit') return 'byBenefit';
  if (party?.kind !== 'localGovernment') return 'notLocal';
  // Where the law names the cities itself (広島市長・長崎市長), it names all of them; where only 指定都市
  // do the affair (精神保健福祉法第51条の12: 項22–25), the code says which 市 is one.
  const statuses = options.itemNo === undefined ? undefined : METROPOLITAN_QUERY_AFFAIRS.get(options.itemNo);
  const designatedOnly = statuses !== undefined && statuses.every((status) => status === 'designatedCity');
  const city =
    options.metropolitanSpecialCase !== false &&
    code !== undefined &&
    municipalityKindOf(code) === 'city' &&
    !party.rules.some((rule) => rule.when.kind === 'codes') &&
    (!designatedOnly || findLocalGovernment(code)?.type === 'designated_city');
  return party.rules.some(
    (rule) =>
      (kinds.includes(rule.body as BodyType) && conditionHolds(rule.when, code)) ||
      // 大都市特例: a 指定都市 or 中核市 (a 児童相談所設置市) does 都道府県知事 affairs by law (児童福祉法
      // 第59条の4, 精神保健福祉法第51条の12, …; 番号法第19条: "その者を含む"). Which cities are 中核市
      // is not in the code list: a 市's word stands, as a welfare office's does; a 町村's does not.
      (rule.body === '都道府県知事部局' && city && kinds.includes('市町村長部局')),
  );
}

/** A condition of the law the product can tell (the bodies named one by one; a 町村 runs no 保健所), else the body's word. */
function conditionHolds(when: PartyCondition, code: string | undefined): boolean {
  if (when.kind === 'codes') return code !== undefined && when.codes.includes(code);
  if (when.kind === 'choice' && when.choice === '保健所を設置する市') return code === undefined || municipalityKindOf(code) !== 'town';
  return true;
}

/**
 * Whether the body provides 別表第二 row `itemNo` / `personalInfoName` by law itself (its 情報提供者, read
 * as the selection screen reads it; a provider named by the benefit it pays counts, the body's word).
 * Asked of a row the body says it received by delegation (様03-08 (3)), so a 市's word that it does a
 * 都道府県知事 affair by law (大都市特例) is not taken: it has just said otherwise.
 */
export function providesByLaw(itemNo: string, personalInfoName: string, organization: ApplyingOrgan): boolean {
  const row = findBeppyo2Provision(itemNo, personalInfoName);
  if (!row) return false;
  const verdict = lawNames(row.provider, partiesOf(organization.kind, organization), organization.code, { metropolitanSpecialCase: false });
  return verdict === true || verdict === 'byBenefit';
}

/**
 * The organs of `code` the law's party text names, each asked alone (as delegatorHoldsByLawViolations
 * reads it): which of a code's organs holds a row by law. A text naming the body by the benefit it
 * pays names no organ for certain, so none.
 */
export function organsNamedByLaw(partyText: string, code: string): OrganizationKind[] {
  return organsOf(code).filter((organ) => lawNames(partyText, partiesOf(organ), code) === true);
}

/**
 * 様03-08: a link whose 委任元 "holds the affair by law" (delegatorHoldsByLaw) must be a body the law
 * names for that row — the 情報照会者 of a received query affair, the 情報提供者 of a received
 * provision. A chain from a body that holds nothing handed nothing down: 東京都知事 delegating 項80
 * (the 後期高齢者医療広域連合's) registered query rights in master data, and an applicant naming
 * itself as its own 委任元 got past the 情報照会者 check of 様03-07 (1). The 委任元's organ is its
 * code's default one (様03-08 names codes only), or an association's for a code outside the list.
 */
export function delegatorHoldsByLawViolations(forms: SavedForms): FieldViolation[] {
  const f0308 = forms['03-08'];
  if (!f0308) return [];
  const out: FieldViolation[] = [];
  const check = (key: string, party: (row: Record<string, unknown>) => { text: string; what: string; whatEn: string } | undefined) => {
    rowsOf(f0308, key).forEach((row, i) => {
      if (row === null) return;
      const named = party(row);
      if (!named) return;
      const chain = ((row['delegation'] as { chain?: unknown } | undefined)?.chain ?? []) as Array<{ delegatorCode?: unknown; delegatorHoldsByLaw?: unknown }>;
      // A chain starts from a body that holds the affair by law: links that all hand it on (a body to
      // itself, two bodies to each other) hand down nothing, and got 項80 into a 町's master data.
      if (chain.length > 0 && !chain.some((link) => link.delegatorHoldsByLaw === true)) {
        out.push(
          violation(
            `forms.03-08.${key}[${i}].delegation.chain`,
            'holderByLaw',
            `委任の連鎖は、${named.what}を法令により持つ機関（delegatorHoldsByLaw）からの委任から記載してください。`,
            `a delegation chain starts from the body that holds ${named.whatEn} by law (delegatorHoldsByLaw)`,
          ),
        );
        return;
      }
      chain.forEach((link, j) => {
        if (link.delegatorHoldsByLaw !== true || typeof link.delegatorCode !== 'string') return;
        const code = link.delegatorCode;
        // 様03-08 names the 委任元 by its code: any organ of it (a board of education hands its affair to
        // the head's staff under 第180条の7, one code).
        const kinds = organsOf(code).flatMap((organ) => partiesOf(organ));
        const verdict = lawNames(named.text, kinds, code);
        if (verdict === true || verdict === 'byBenefit') return;
        const body = findLocalGovernment(code)?.name ?? code;
        out.push(
          violation(
            `forms.03-08.${key}[${i}].delegation.chain[${j}].delegatorHoldsByLaw`,
            'holderByLaw',
            `委任元 ${body}（${code}）は${named.what}の${verdict === 'notLocal' ? '' : '法令上の'}${key === 'receivedQueryAffairs' ? '情報照会者' : '情報提供者'}（「${named.text}」）ではありません。法令により事務を持つ機関からの委任を、連鎖の最初から記載してください。`,
            `the delegator ${body} (${code}) is not the ${key === 'receivedQueryAffairs' ? '情報照会者' : '情報提供者'} of ${named.whatEn} under the law (${named.text}): register the chain from the body that holds the affair by law`,
          ),
        );
      });
    });
  };
  check('receivedQueryAffairs', (row) => {
    const item = findBeppyo2Item(String(row['itemNo']));
    return item ? { text: item.querier, what: `別表第二 第${item.itemNo}項`, whatEn: `別表第二 item ${item.itemNo}` } : undefined;
  });
  check('receivedProvisions', (row) => {
    const found = findBeppyo2Provision(String(row['itemNo']), String(row['personalInfoName']));
    return found ? { text: found.provider, what: `別表第二 第${found.itemNo}項の特定個人情報`, whatEn: `the information of 別表第二 item ${found.itemNo}` } : undefined;
  });
  return out;
}

export function queryRightViolations(
  category: string,
  forms: SavedForms,
  organization: ApplyingOrgan | undefined,
  /** The affairs received by delegation when no 様03-08 is filed: the body's registered delegations. */
  registeredReceived?: ReadonlySet<string>,
): FieldViolation[] {
  const f0307 = forms['03-07'];
  if (!f0307 || !organization) return [];
  const f0308 = forms['03-08'];
  const received = f0308 ? new Set(itemNos(f0308, 'receivedQueryAffairs')) : registeredReceived;
  const parties = partiesOf(organization.kind, organization);
  const out: FieldViolation[] = [];
  itemNos(f0307, 'queryAffairs').forEach((itemNo, i) => {
    const item = findBeppyo2Item(itemNo);
    // A 項番 that is not in the catalog is the form's own refusal (IsBeppyo2ItemNo).
    if (!item) return;
    const field = `forms.03-07.queryAffairs[${i}].itemNo`;
    const party = classifyParty(item.querier);
    // Named by the benefit it pays, not by kind: the screen leaves it to the body.
    if (party?.kind === 'byBenefit') return;
    if (party?.kind !== 'localGovernment') {
      out.push(
        violation(
          field,
          'querierOfAffair',
          `別表第二 第${itemNo}項（${item.affair}）の情報照会者は「${item.querier}」で、地方公共団体の機関は情報照会を行いません。`,
          `the 情報照会者 of 別表第二 item ${itemNo} (${item.affair}) is ${item.querier}: no local government organ queries it`,
        ),
      );
      return;
    }
    const direct = lawNames(item.querier, parties, organization.code, { itemNo }) === true;
    if (direct || received?.has(itemNo) || (received === undefined && category === '変更')) return;
    out.push(
      violation(
        field,
        'querierOfAffair',
        `別表第二 第${itemNo}項（${item.affair}）の情報照会者は「${item.querier}」で、${organization.kind}の事務ではありません。委任を受けた事務であれば、様03-08（1）受任した情報照会事務に記載してください。`,
        `the 情報照会者 of 別表第二 item ${itemNo} (${item.affair}) is ${item.querier}, not a ${organization.kind}: if the body does it by delegation, list it in form 03-08 (1)`,
      ),
    );
  });
  return out;
}

/** A 様03-07 (2) or 様03-08 (3) row's key: 別表第二 項番 and its 特定個人情報名. */
export const provisionKey = (itemNo: unknown, personalInfoName: unknown): string => `${String(itemNo)}\u0000${String(personalInfoName)}`;

/**
 * A row of information to provide (様03-07 (2)) or delegate (様03-08 (2)) as 別表第二 has it, with
 * whether the law names the organ its 情報提供者 (lawNames); undefined for a row not in the catalog,
 * which the form itself refuses.
 */
function provisionStanding(row: Record<string, unknown> | null, parties: readonly string[], organization: ApplyingOrgan) {
  const itemNo = String(row?.['itemNo']);
  const found = findBeppyo2Provision(itemNo, String(row?.['personalInfoName']));
  if (!found) return undefined;
  return { itemNo, found, key: provisionKey(itemNo, row?.['personalInfoName']), verdict: lawNames(found.provider, parties, organization.code, { itemNo }) };
}

/** What a 様03-08 receives to provide (3), by provisionKey. */
const receivedProvisionKeys = (f0308: SavedFormData): Set<string> => new Set(rowsOf(f0308, 'receivedProvisions').map((row) => provisionKey(row?.['itemNo'], row?.['personalInfoName'])));

/**
 * 様03-07 (2): a body provides the 特定個人情報 of the 別表第二 rows that name it the 情報提供者, or those
 * it provides for another body by delegation (受任, 様03-08 (3)). Only the rows' existence was
 * checked: a 市 listing 項26's 労働者災害補償関係情報 (厚生労働大臣's) was approved, and master data
 * registered it as the 市's to provide. Read as the 情報照会者 of (1) is (lawNames: a 市's word for
 * 大都市特例, the body's for a provider named by the benefit it pays). Information no local
 * government provides by law (a minister's, a national fund's) is nobody's here, delegation or not.
 * A 変更 that does not file 様03-08 is not held to it, as for (1): registered delegations may back
 * the row (`registeredReceived`, keys of provisionKey).
 */
export function provisionRightViolations(
  category: string,
  forms: SavedForms,
  organization: ApplyingOrgan | undefined,
  registeredReceived?: ReadonlySet<string>,
): FieldViolation[] {
  const f0307 = forms['03-07'];
  if (!f0307 || !organization) return [];
  const f0308 = forms['03-08'];
  const received = f0308 ? receivedProvisionKeys(f0308) : registeredReceived;
  const parties = partiesOf(organization.kind, organization);
  const out: FieldViolation[] = [];
  rowsOf(f0307, 'providedInformation').forEach((row, i) => {
    const standing = provisionStanding(row, parties, organization);
    if (!standing) return;
    const { itemNo, found, key, verdict } = standing;
    const field = `forms.03-07.providedInformation[${i}].personalInfoName`;
    if (verdict === true || verdict === 'byBenefit') return;
    if (verdict === 'notLocal') {
      out.push(
        violation(
          field,
          'providerOfInformation',
          `別表第二 第${itemNo}項の「${found.personalInfo}」の情報提供者は「${found.provider}」で、地方公共団体の機関は提供しません。`,
          `the 情報提供者 of 別表第二 item ${itemNo}'s ${found.personalInfo} is ${found.provider}: no local government organ provides it`,
        ),
      );
      return;
    }
    if (received?.has(key) || (received === undefined && category === '変更')) return;
    out.push(
      violation(
        field,
        'providerOfInformation',
        `別表第二 第${itemNo}項の「${found.personalInfo}」の情報提供者は「${found.provider}」で、${organization.kind}ではありません。委任を受けて提供する場合は、様03-08（3）受任した特定個人情報に記載してください。`,
        `the 情報提供者 of 別表第二 item ${itemNo}'s ${found.personalInfo} is ${found.provider}, not a ${organization.kind}: if the body provides it by delegation, list it in form 03-08 (3)`,
      ),
    );
  });
  return out;
}

/**
 * 様03-08 (2): a body delegates the provision of information it provides itself — by law (its
 * 情報提供者, read as for 様03-07 (2)), or received by delegation (様03-08 (3): a chain handed on).
 * The delegator's side was not checked: a 都道府県教育委員会 "delegating" 項27's 障害者関係情報 (the
 * 都道府県知事's) matched a 市's 受任 in the 突合, and a 市 delegated 厚生労働大臣's information.
 */
export function delegatedProvisionViolations(forms: SavedForms, organization: ApplyingOrgan | undefined): FieldViolation[] {
  const f0308 = forms['03-08'];
  if (!f0308 || !organization) return [];
  const received = receivedProvisionKeys(f0308);
  const parties = partiesOf(organization.kind, organization);
  const out: FieldViolation[] = [];
  rowsOf(f0308, 'delegatedProvisions').forEach((row, i) => {
    const standing = provisionStanding(row, parties, organization);
    if (!standing) return;
    const { itemNo, found, key, verdict } = standing;
    if (verdict === true || verdict === 'byBenefit' || (verdict !== 'notLocal' && received.has(key))) return;
    out.push(
      violation(
        `forms.03-08.delegatedProvisions[${i}].personalInfoName`,
        'delegatorProvides',
        `別表第二 第${itemNo}項の「${found.personalInfo}」の情報提供者は「${found.provider}」で、${organization.kind}は提供していないため委任できません（受任したものを委任する場合は、様03-08（3）にも記載してください）。`,
        `the 情報提供者 of 別表第二 item ${itemNo}'s ${found.personalInfo} is ${found.provider}, not a ${organization.kind}: a body delegates only what it provides (what it received, listed in form 03-08 (3), it may hand on)`,
      ),
    );
  });
  return out;
}
