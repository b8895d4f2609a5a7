import { BEPPYO2_CATALOG_VERSION, beppyo2Items, provisionKey } from './beppyo2.catalog';
import { BODY_TYPES, EXTRA_CHOICES, classifyParty, type BodyType, type ExtraChoice, type PartyCondition } from './beppyo2-party-mapping';
import { findLocalGovernment, hasValidCheckDigit } from './local-government-codes';
import { METROPOLITAN_PROVISIONS, METROPOLITAN_QUERY_AFFAIRS, doneByCity, type MetropolitanStatus } from './metropolitan-special-cases';

/** What the applicant tells the selection screen (申請前情報選択画面) about itself. */
export interface BodySelection {
  readonly bodyType: string;
  /** 全国地方公共団体コード of the body's local government: tells a 市 from a 町村 and names cities the law names. */
  readonly localGovernmentCode?: string;
  /** Ids of EXTRA_CHOICES where the type alone does not settle the affairs (e.g. 福祉事務所を設置する町村). */
  readonly extraChoices?: readonly string[];
}

const BODY_SELECTION_FIELDS: Record<keyof BodySelection, true> = { bodyType: true, localGovernmentCode: true, extraChoices: true };
/** Every field of BodySelection: anything else is refused by name. */
export const BODY_SELECTION_KEYS: readonly string[] = Object.keys(BODY_SELECTION_FIELDS);

export interface QueryAffairOption {
  readonly itemNo: string;
  readonly itemNoKanji: string;
  readonly affairName: string;
  /** The 情報照会者 text of the law that matched. */
  readonly querier: string;
  /** Matched only through an `actsAs` choice: the body may register it as 受任 only. */
  readonly byDelegationOnly: boolean;
}

export interface ProvisionOption {
  /** `項番-行内連番`, e.g. `27-4` */
  readonly key: string;
  readonly itemNo: string;
  readonly rowNo: string;
  readonly personalInfoName: string;
  /** The affair the information is provided for, and who queries it. */
  readonly affairName: string;
  readonly querier: string;
  /** The 情報提供者 text of the law that matched. */
  readonly provider: string;
  readonly byDelegationOnly: boolean;
}

export type MunicipalityKind = 'city' | 'town';

export interface AffairSelection {
  readonly catalogVersion: string;
  readonly bodyType: BodyType;
  readonly localGovernmentCode: string | null;
  readonly municipalityKind: MunicipalityKind | null;
  readonly extraChoices: readonly string[];
  /** 情報照会を行う事務: 項 where the body's kind is the 情報照会者. */
  readonly queries: readonly QueryAffairOption[];
  /** 情報提供を行う特定個人情報: rows where the body's kind is the 情報提供者. */
  readonly provisions: readonly ProvisionOption[];
  /** Rows whose 情報提供者 is named by the benefit it pays: never listed by type; the applicant may opt in. */
  readonly optionalProvisions: readonly ProvisionOption[];
}

export interface SelectionProblem {
  readonly field: string;
  readonly message: { readonly ja: string; readonly en: string };
}

export type SelectionResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly SelectionProblem[] };

/** 市 (incl. 特別区 and 指定都市) or 町村, from the code list; null when the code is not a municipality we know. */
export function municipalityKindOf(code: string | undefined): MunicipalityKind | null {
  if (!code) return null;
  const lg = findLocalGovernment(code);
  if (!lg || lg.type === 'prefecture') return null;
  if (lg.type === 'municipality') return lg.name.endsWith('市') ? 'city' : 'town';
  return 'city';
}

/** The extra choices the screen offers a body type. */
export function extraChoicesFor(bodyType: string): readonly ExtraChoice[] {
  return EXTRA_CHOICES.filter((c) => (c.bodyTypes as readonly string[]).includes(bodyType));
}

interface MatchContext {
  readonly kind: MunicipalityKind | null;
  readonly code: string | null;
  readonly choices: ReadonlySet<string>;
}

function holds(when: PartyCondition, ctx: MatchContext): boolean {
  switch (when.kind) {
    case 'always':
      return true;
    case 'welfareOffice':
      return ctx.kind === 'city' || ctx.choices.has('福祉事務所を設置する町村');
    case 'choice':
      return ctx.choices.has(when.choice);
    case 'codes':
      return ctx.code !== null && when.codes.includes(ctx.code);
  }
}

/** How a body of `bodyType` is the party a text names: directly, only by delegation, or not at all. */
function matchParty(text: string, bodies: readonly { type: BodyType; byDelegation: boolean }[], ctx: MatchContext): 'direct' | 'delegation' | undefined {
  const party = classifyParty(text);
  if (party?.kind !== 'localGovernment') return undefined;
  let found: 'direct' | 'delegation' | undefined;
  for (const body of bodies) {
    if (!party.rules.some((r) => r.body === body.type && holds(r.when, ctx))) continue;
    if (!body.byDelegation) return 'direct';
    found = 'delegation';
  }
  return found;
}

const PREFECTURAL_TYPES: ReadonlySet<string> = new Set(['都道府県知事部局', '都道府県教育委員会']);
const MUNICIPAL_TYPES: ReadonlySet<string> = new Set(['市町村長部局', '市町村教育委員会']);

const HEALTH_CENTRE = '保健所を設置する市';
const CORE_CITY = '中核市';
const CHILD_GUIDANCE = '児童相談所設置市';
const WELFARE_TOWN = '福祉事務所を設置する町村';
const RUNS_HEALTH_CENTRE_BY_LAW: ReadonlySet<string> = new Set(['designated_city', 'special_ward']);

function validateSelection(selection: BodySelection): SelectionProblem[] {
  const problems: SelectionProblem[] = [];
  if (!(BODY_TYPES as readonly string[]).includes(selection.bodyType)) {
    const ja = BODY_TYPES.map((t) => `「${t}」`).join(', ');
    const en = BODY_TYPES.map((t) => JSON.stringify(t)).join(', ');
    problems.push({ field: 'bodyType', message: { ja: `bodyType: 機関種類は ${ja} のいずれかです。`, en: `bodyType: must be one of ${en}` } });
    return problems;
  }
  const offered = new Set(extraChoicesFor(selection.bodyType).map((c) => c.id));
  (selection.extraChoices ?? []).forEach((id, i) => {
    if (!offered.has(id)) {
      problems.push({
        field: `extraChoices[${i}]`,
        message: {
          ja: `extraChoices[${i}]: 「${id}」は機関種類「${selection.bodyType}」では選択できません。`,
          en: `extraChoices[${i}]: "${id}" is not a choice for body type ${selection.bodyType}`,
        },
      });
    }
  });
  // A 町村 runs no 保健所 (地域保健法第5条第1項: 都道府県, 指定都市, 中核市, 政令で定める市, 特別区), is no
  // 中核市 and runs no 児童相談所 (児童福祉法第59条の4: 指定都市, 児童相談所設置市 — a 市 or 特別区); a 特別区 is no 中核市.
  const town = selection.localGovernmentCode !== undefined && municipalityKindOf(selection.localGovernmentCode) === 'town';
  const ward = selection.localGovernmentCode !== undefined && findLocalGovernment(selection.localGovernmentCode)?.type === 'special_ward';
  const CITY_ONLY: Record<string, { ja: string; en: string } | undefined> = {
    [HEALTH_CENTRE]: { ja: '町村は保健所を設置しません（地域保健法第5条第1項）。', en: 'a town or village runs no public health centre (地域保健法 Art. 5(1))' },
    [CORE_CITY]: { ja: '町村は中核市ではありません（地方自治法第252条の22）。', en: 'a town or village is no core city (地方自治法 Art. 252-22)' },
    [CHILD_GUIDANCE]: { ja: '町村は児童相談所を設置しません（児童福祉法第59条の4）。', en: 'a town or village runs no child guidance centre (児童福祉法 Art. 59-4)' },
  };
  // A 市 (特別区 and 指定都市 too) has a 福祉事務所 by law (社会福祉法第14条第1項): the choice is a 町村's
  // and would say the applicant is one. Not for an association, named by any member's code.
  const city = MUNICIPAL_TYPES.has(selection.bodyType) && selection.localGovernmentCode !== undefined && municipalityKindOf(selection.localGovernmentCode) === 'city';
  const extraChoices = selection.extraChoices ?? [];
  const refusalOf = (id: string, i: number): { ja: string; en: string } | undefined => {
    if (extraChoices.indexOf(id) < i) return { ja: `「${id}」が重複しています。`, en: `"${id}" is listed twice` };
    if (town) return CITY_ONLY[id];
    if (ward && id === CORE_CITY) return { ja: '特別区は中核市ではありません（地方自治法第252条の22）。', en: 'a special ward is no core city (地方自治法 Art. 252-22)' };
    if (city && id === WELFARE_TOWN) return { ja: '市は福祉事務所を設置します（社会福祉法第14条第1項）。「福祉事務所を設置する町村」は町村の選択肢です。', en: 'a city runs a welfare office by law (社会福祉法 Art. 14(1)): this choice is for towns and villages' };
    return undefined;
  };
  extraChoices.forEach((id, i) => {
    const refusal = refusalOf(id, i);
    if (!refusal) return;
    problems.push({ field: `extraChoices[${i}]`, message: { ja: `extraChoices[${i}]: ${refusal.ja}`, en: `extraChoices[${i}]: ${refusal.en}` } });
  });
  if (selection.localGovernmentCode !== undefined && !hasValidCheckDigit(selection.localGovernmentCode)) {
    problems.push({
      field: 'localGovernmentCode',
      message: {
        ja: 'localGovernmentCode: 全国地方公共団体コード（6桁、検査数字付き）ではありません。',
        en: 'localGovernmentCode: not a 6-digit local government code with a valid check digit',
      },
    });
    return problems;
  }
  // A prefecture's organs with a prefecture's code, a municipality's with a municipality's: the
  // prefectural list for 八王子市 would offer affairs the law gives only to prefectures.
  const level = PREFECTURAL_TYPES.has(selection.bodyType) ? 'prefecture' : MUNICIPAL_TYPES.has(selection.bodyType) ? 'municipality' : undefined;
  const lg = selection.localGovernmentCode === undefined ? undefined : findLocalGovernment(selection.localGovernmentCode);
  if (lg && level !== undefined && (lg.type === 'prefecture') !== (level === 'prefecture')) {
    problems.push({
      field: 'localGovernmentCode',
      message: {
        ja: `localGovernmentCode: ${lg.name}（${selection.localGovernmentCode}）は機関種類「${selection.bodyType}」の団体ではありません（${level === 'prefecture' ? '都道府県' : '市区町村'}のコードを指定してください）。`,
        en: `localGovernmentCode: ${lg.name} (${selection.localGovernmentCode}) is not a body of type ${selection.bodyType} (give a ${level === 'prefecture' ? 'prefecture' : 'municipality'}'s code)`,
      },
    });
  }
  return problems;
}

/**
 * The selection screen: from the body's type (and the extra choices where the type is not enough),
 * the affairs the law lets it query and the information it must provide, in the order of the law.
 */
export function selectAffairs(selection: BodySelection): SelectionResult<AffairSelection> {
  const problems = validateSelection(selection);
  if (problems.length > 0) return { ok: false, problems };
  const bodyType = selection.bodyType as BodyType;
  const code = selection.localGovernmentCode ?? null;
  const kind = bodyType === '市町村長部局' || bodyType === '市町村教育委員会' ? municipalityKindOf(code ?? undefined) : null;
  // 指定都市 and 特別区 run a 保健所 by law (地域保健法第5条第1項): the code says so, no choice needed.
  // A 中核市 runs one too (地域保健法第5条第1項): saying it is one says so.
  const byLaw =
    bodyType === '市町村長部局' && ((code !== null && RUNS_HEALTH_CENTRE_BY_LAW.has(findLocalGovernment(code)?.type ?? '')) || (selection.extraChoices ?? []).includes(CORE_CITY)) ? [HEALTH_CENTRE] : [];
  const choices = [...new Set([...(selection.extraChoices ?? []), ...byLaw])];
  const ctx: MatchContext = { kind, code, choices: new Set(choices) };
  // 大都市等の特例 (metropolitan-special-cases.ts): a 指定都市 by its code, a 中核市 or a 児童相談所設置市 by its word.
  const designated = bodyType === '市町村長部局' && code !== null && findLocalGovernment(code)?.type === 'designated_city';
  const city = new Set<MetropolitanStatus>(
    bodyType !== '市町村長部局' ? [] : [...(designated ? (['designatedCity'] as const) : []), ...(ctx.choices.has(CORE_CITY) ? (['coreCity'] as const) : []), ...(ctx.choices.has(CHILD_GUIDANCE) ? (['childGuidanceCentreCity'] as const) : [])],
  );
  const bodies = [
    { type: bodyType, byDelegation: false },
    ...extraChoicesFor(bodyType).flatMap((c) => (c.actsAs && ctx.choices.has(c.id) ? [{ type: c.actsAs, byDelegation: true }] : [])),
  ];

  const queries: QueryAffairOption[] = [];
  const provisions: ProvisionOption[] = [];
  const optionalProvisions: ProvisionOption[] = [];
  for (const item of beppyo2Items()) {
    if (item.deleted) continue;
    const asQuerier = matchParty(item.querier, bodies, ctx) ?? (doneByCity(METROPOLITAN_QUERY_AFFAIRS.get(item.itemNo), city) ? 'direct' : undefined);
    if (asQuerier) {
      queries.push({ itemNo: item.itemNo, itemNoKanji: item.itemNoKanji, affairName: item.affair, querier: item.querier, byDelegationOnly: asQuerier === 'delegation' });
    }
    for (const row of item.rows) {
      const option = (byDelegationOnly: boolean): ProvisionOption => ({
        key: provisionKey(row),
        itemNo: row.itemNo,
        rowNo: row.rowNo,
        personalInfoName: row.personalInfo,
        affairName: item.affair,
        querier: item.querier,
        provider: row.provider,
        byDelegationOnly,
      });
      const asProvider = matchParty(row.provider, bodies, ctx) ?? (doneByCity(METROPOLITAN_PROVISIONS.get(provisionKey(row)), city) ? 'direct' : undefined);
      if (asProvider) provisions.push(option(asProvider === 'delegation'));
      else if (classifyParty(row.provider)?.kind === 'byBenefit') optionalProvisions.push(option(false));
    }
  }
  return {
    ok: true,
    value: { catalogVersion: BEPPYO2_CATALOG_VERSION, bodyType, localGovernmentCode: code, municipalityKind: kind, extraChoices: choices, queries, provisions, optionalProvisions },
  };
}
