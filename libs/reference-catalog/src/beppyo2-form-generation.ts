import { BEPPYO2_CATALOG_VERSION, beppyo2ItemOrder, findBeppyo2Item, findBeppyo2RowByKey, provisionKey } from './beppyo2.catalog';
import { selectAffairs, type AffairSelection, type BodySelection, type ProvisionOption, type SelectionResult, type SelectionProblem } from './beppyo2-selection';

/*
 * The drafts below have the shape of the DTOs of 様03-07/03-08/03-09 (workflows/connection-application/forms);
 * this lib cannot import them (the workflow depends on this lib), so a spec there validates what we generate.
 */

/** 特定個人情報保護評価 (PIA) status of one row. */
export interface PiaEntry {
  readonly status: '実施済' | '未実施';
  readonly documents?: readonly { readonly number: string; readonly title: string }[];
  readonly reason?: '保有する特定個人情報ファイル1000人未満' | 'その他';
  readonly reasonText?: string;
}

export interface DelegationLinkEntry {
  readonly delegatorCode: string;
  readonly delegateeCode: string;
  readonly basis: string;
  readonly instrumentKind: string;
  readonly instrumentName: string;
  readonly delegatorHoldsByLaw: boolean;
}

export interface DelegationEntry {
  readonly chain: readonly DelegationLinkEntry[];
  readonly delegators: readonly string[];
  readonly delegatorConfirmed: boolean;
}

export interface IndependentUseEntry {
  readonly caseNo?: string;
  readonly affairName: string;
  readonly ordinanceName: string;
  readonly ordinanceArticle: string;
  readonly notification: { readonly number: string; readonly date: string };
}

/** The applicant's choices on the selection screen, plus what the drafts need to be complete. */
export interface FormGenerationInput {
  readonly body: BodySelection;
  /** 申請年月日 YYYY/MM/DD */
  readonly applicationDate: string;
  readonly category?: '登録' | '変更';
  /** PIA status used for every row without its own entry below. */
  readonly pia: PiaEntry;
  /** Per 項番 of a queried affair. */
  readonly piaByQuery?: Readonly<Record<string, PiaEntry>>;
  /** Per provision key (`項番-行内連番`). */
  readonly piaByProvision?: Readonly<Record<string, PiaEntry>>;
  /** 情報照会を行わない: 項番 */
  readonly notQuerying?: readonly string[];
  /** 受任事務: affairs queried on behalf of another body */
  readonly receivedQueries?: readonly { readonly itemNo: string; readonly procedure?: string; readonly delegation: DelegationEntry }[];
  /** 情報提供を行わない: provision keys */
  readonly notProviding?: readonly string[];
  /** 委任した特定個人情報: provided by the delegatee instead */
  readonly delegatedProvisions?: readonly { readonly key: string; readonly delegateeCode: string }[];
  /** 受任により情報提供を行う特定個人情報 */
  readonly receivedProvisions?: readonly { readonly key: string; readonly delegation: DelegationEntry }[];
  /** Rows of `optionalProvisions` (provider named by benefit) the body does provide. */
  readonly alsoProviding?: readonly string[];
  /** 条例による独自利用事務 linked over the network */
  readonly independentUse?: readonly IndependentUseEntry[];
}

/** Every field of FormGenerationInput (a Record, so the compiler holds it to the interface): anything else is refused by name. */
const FORM_GENERATION_FIELDS: Record<keyof FormGenerationInput, true> = {
  body: true,
  applicationDate: true,
  category: true,
  pia: true,
  piaByQuery: true,
  piaByProvision: true,
  notQuerying: true,
  receivedQueries: true,
  notProviding: true,
  delegatedProvisions: true,
  receivedProvisions: true,
  alsoProviding: true,
  independentUse: true,
};
export const FORM_GENERATION_INPUT_KEYS: readonly string[] = Object.keys(FORM_GENERATION_FIELDS);

export interface GeneratedForms {
  readonly '03-07': Record<string, unknown>;
  readonly '03-08'?: Record<string, unknown>;
  readonly '03-09'?: Record<string, unknown>;
}

export interface FormGenerationOutput {
  readonly catalogVersion: string;
  readonly forms: GeneratedForms;
  /** What the 様03-06 checklist must say about the optional forms. */
  readonly checklist: { readonly form0308: boolean; readonly form0309: boolean };
}

/** A problem of the body selection, named as the field of FormGenerationInput it is in. */
const inBody = (p: SelectionProblem): SelectionProblem => ({ field: `body.${p.field}`, message: { ja: `body.${p.message.ja}`, en: `body.${p.message.en}` } });

const problem = (field: string, ja: string, en: string): SelectionProblem => ({ field, message: { ja: `${field}: ${ja}`, en: `${field}: ${en}` } });

/** Every key must be one of `allowed`; names the offending entry otherwise. */
function checkKeys(field: string, keys: readonly string[], allowed: ReadonlySet<string>, ja: string, en: string): SelectionProblem[] {
  return keys.flatMap((key, i) => (allowed.has(key) ? [] : [problem(`${field}[${i}]`, `「${key}」は${ja}`, `"${key}" ${en}`)]));
}

function duplicates(field: string, keys: readonly string[]): SelectionProblem[] {
  return keys.flatMap((key, i) => (keys.indexOf(key) < i ? [problem(`${field}[${i}]`, `「${key}」が重複しています。`, `"${key}" is listed twice`)] : []));
}

function overlap(field: string, a: readonly string[], b: ReadonlySet<string>, ja: string, en: string): SelectionProblem[] {
  return a.flatMap((key, i) => (b.has(key) ? [problem(`${field}[${i}]`, `「${key}」${ja}`, `"${key}" ${en}`)] : []));
}

/** Every key of a PIA map must name a row the forms list; `why` says, for the others, why not. */
function piaKeyProblems(field: string, map: Readonly<Record<string, PiaEntry>> | undefined, listed: ReadonlySet<string>, why: (key: string) => readonly [string, string]): SelectionProblem[] {
  return Object.keys(map ?? {}).flatMap((key) => {
    if (listed.has(key)) return [];
    const [ja, en] = why(key);
    return [problem(`${field}.${key}`, `「${key}」${ja}`, `"${key}" ${en}`)];
  });
}

const provisionRef = (key: string) => {
  const row = findBeppyo2RowByKey(key)!;
  return { itemNo: row.itemNo, personalInfoName: row.personalInfo };
};

/**
 * 様式作成: turns the choices into draft 様03-07, and 様03-08/03-09 when there is anything to put in
 * them. Choices that do not fit the selection (a 項 the body may not query, a row it does not
 * provide, contradictory marks) are refused, each naming the entry.
 */
export function generateForms(input: FormGenerationInput): SelectionResult<FormGenerationOutput> {
  // Both at once: a client fixing the date should not only then learn that the body type is wrong.
  const required = requiredInputProblems(input);
  const selected: SelectionResult<AffairSelection> =
    input.body !== null && typeof input.body === 'object'
      ? selectAffairs(input.body)
      : { ok: false, problems: [{ field: 'bodyType', message: { ja: 'bodyType: 機関種類を指定してください。', en: 'bodyType: the body type is required' } }] };
  if (!selected.ok || required.length > 0) return { ok: false, problems: [...required, ...(selected.ok ? [] : selected.problems.map(inBody))] };
  const selection = selected.value;

  const listedQueries = new Set(selection.queries.map((q) => q.itemNo));
  const listedProvisions = new Set(selection.provisions.map((p) => p.key));
  const optional = new Set(selection.optionalProvisions.map((p) => p.key));
  const notQuerying = input.notQuerying ?? [];
  const received = input.receivedQueries ?? [];
  const receivedItems = received.map((r) => r.itemNo);
  const notProviding = input.notProviding ?? [];
  const delegated = input.delegatedProvisions ?? [];
  const receivedProvisions = input.receivedProvisions ?? [];
  const receivedKeys = receivedProvisions.map((r) => r.key);
  const alsoProviding = input.alsoProviding ?? [];
  const catalogItems = new Set(received.map((r) => r.itemNo).filter((n) => findBeppyo2Item(n)?.deleted === false));
  const catalogRows = new Set(receivedKeys.filter((k) => findBeppyo2RowByKey(k) !== undefined));

  const skipQuery = new Set([...notQuerying, ...receivedItems]);
  const queryItems = [
    ...selection.queries.filter((q) => !q.byDelegationOnly && !skipQuery.has(q.itemNo)).map((q) => q.itemNo),
    ...receivedItems,
  ];
  const skipProvision = new Set([...notProviding, ...delegated.map((d) => d.key), ...receivedKeys]);
  const provided = (o: ProvisionOption) => !o.byDelegationOnly && !skipProvision.has(o.key);
  const provisionKeys = [...selection.provisions.filter(provided).map((o) => o.key), ...alsoProviding, ...receivedKeys];

  const problems = [
    ...checkKeys('notQuerying', notQuerying, listedQueries, 'この機関が情報照会できる事務の項番ではありません。', 'is not an affair this body may query'),
    ...checkKeys('receivedQueries', receivedItems, catalogItems, '別表第二の項番ではありません。', 'is not a 項番 of 別表第二'),
    ...overlap('receivedQueries', receivedItems, new Set(notQuerying), 'は「情報照会を行わない」とされています。', 'is also marked as not queried'),
    ...checkKeys('notProviding', notProviding, listedProvisions, 'この機関が提供する特定個人情報ではありません。', 'is not information this body provides'),
    ...checkKeys('delegatedProvisions', delegated.map((d) => d.key), listedProvisions, 'この機関が提供する特定個人情報ではありません。', 'is not information this body provides'),
    ...checkKeys('receivedProvisions', receivedKeys, catalogRows, '別表第二の行（項番-行内連番）ではありません。', 'is not a row (項番-行内連番) of 別表第二'),
    ...overlap('receivedProvisions', receivedKeys, new Set(delegated.map((d) => d.key)), 'は委任した特定個人情報とされています。', 'is also marked as delegated'),
    ...overlap('receivedProvisions', receivedKeys, new Set(notProviding), 'は「情報提供を行わない」とされています。', 'is also marked as not provided'),
    ...duplicates('notQuerying', notQuerying),
    ...duplicates('receivedQueries', receivedItems),
    ...duplicates('notProviding', notProviding),
    ...duplicates('delegatedProvisions', delegated.map((d) => d.key)),
    ...duplicates('receivedProvisions', receivedKeys),
    ...duplicates('alsoProviding', alsoProviding),
    ...overlap('alsoProviding', alsoProviding, new Set(receivedKeys), 'は受任により提供する特定個人情報とされています。', 'is also marked as provided by delegation'),
    ...checkKeys('alsoProviding', alsoProviding, optional, '給付により特定される提供者の行ではありません。', 'is not a row whose provider is named by benefit'),
    // A PIA for a row the forms do not list would be dropped unseen.
    ...piaKeyProblems('piaByQuery', input.piaByQuery, new Set(queryItems), (key) =>
      findBeppyo2Item(key)?.deleted !== false
        ? ['は別表第二の項番ではありません。', 'is not a 項番 of 別表第二']
        : notQuerying.includes(key)
          ? ['は「情報照会を行わない」とされています。', 'is also marked as not queried']
          : ['はこの機関が情報照会する事務ではありません。', 'is not an affair this body queries'],
    ),
    ...piaKeyProblems('piaByProvision', input.piaByProvision, new Set(provisionKeys), (key) =>
      findBeppyo2RowByKey(key) === undefined
        ? ['は別表第二の行（項番-行内連番）ではありません。', 'is not a row (項番-行内連番) of 別表第二']
        : notProviding.includes(key)
          ? ['は「情報提供を行わない」とされています。', 'is also marked as not provided']
          : delegated.some((d) => d.key === key)
            ? ['は委任した特定個人情報とされています（様03-07に載りません）。', 'is also marked as delegated (it is not on form 03-07)']
            : ['はこの機関が提供する特定個人情報ではありません。', 'is not information this body provides'],
    ),
  ];
  if (problems.length > 0) return { ok: false, problems };

  const header = { applicationDate: input.applicationDate, category: input.category ?? '登録', catalogVersion: BEPPYO2_CATALOG_VERSION };
  const piaOfQuery = (itemNo: string) => input.piaByQuery?.[itemNo] ?? input.pia;
  const piaOfProvision = (key: string) => input.piaByProvision?.[key] ?? input.pia;

  const form0307 = {
    ...header,
    queryAffairs: sortByLaw(queryItems.map((itemNo) => ({ itemNo, affairName: findBeppyo2Item(itemNo)!.affair, pia: { ...piaOfQuery(itemNo) } }))),
    providedInformation: provisionKeys
      .map((key) => findBeppyo2RowByKey(key)!)
      .sort(byLaw)
      .map((row) => ({ itemNo: row.itemNo, personalInfoName: row.personalInfo, pia: { ...piaOfProvision(provisionKey(row)) } })),
  };

  const hasDelegation = received.length + delegated.length + receivedProvisions.length > 0;
  const form0308 = hasDelegation
    ? {
        ...header,
        receivedQueryAffairs: received.map((r) => ({
          itemNo: r.itemNo,
          affairName: findBeppyo2Item(r.itemNo)!.affair,
          ...(r.procedure ? { procedure: r.procedure } : {}),
          delegation: copyDelegation(r.delegation),
        })),
        delegatedProvisions: delegated.map((d) => ({ ...provisionRef(d.key), delegateeCode: d.delegateeCode })),
        receivedProvisions: receivedProvisions.map((r) => ({ ...provisionRef(r.key), delegation: copyDelegation(r.delegation) })),
      }
    : undefined;
  const independentUse = input.independentUse ?? [];
  const form0309 = independentUse.length > 0 ? { applicationDate: input.applicationDate, category: header.category, affairs: independentUse.map((a) => ({ ...a, notification: { ...a.notification } })) } : undefined;

  return {
    ok: true,
    value: {
      catalogVersion: BEPPYO2_CATALOG_VERSION,
      forms: { '03-07': form0307, ...(form0308 ? { '03-08': form0308 } : {}), ...(form0309 ? { '03-09': form0309 } : {}) },
      checklist: { form0308: hasDelegation, form0309: form0309 !== undefined },
    },
  };
}

function sortByLaw<T extends { itemNo: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => beppyo2ItemOrder(a.itemNo) - beppyo2ItemOrder(b.itemNo));
}
function byLaw(a: { itemNo: string; rowNo: string }, b: { itemNo: string; rowNo: string }): number {
  return beppyo2ItemOrder(a.itemNo) - beppyo2ItemOrder(b.itemNo) || Number(a.rowNo) - Number(b.rowNo);
}

function copyDelegation(d: DelegationEntry): Record<string, unknown> {
  return { chain: d.chain.map((l) => ({ ...l })), delegators: [...d.delegators], delegatorConfirmed: d.delegatorConfirmed };
}

/** The drafts must validate as forms: the application date and the default PIA status are not optional. */
function requiredInputProblems(input: FormGenerationInput): SelectionProblem[] {
  const problems: SelectionProblem[] = [];
  if (typeof input.applicationDate !== 'string' || !/^\d{4}\/\d{2}\/\d{2}$/.test(input.applicationDate)) {
    problems.push({ field: 'applicationDate', message: { ja: 'applicationDate: 申請年月日を西暦 YYYY/MM/DD で指定してください。', en: 'applicationDate: the application date is required, written YYYY/MM/DD' } });
  }
  const pia = input.pia as unknown;
  if (pia === null || typeof pia !== 'object' || !['実施済', '未実施'].includes(String((pia as { status?: unknown }).status))) {
    problems.push({ field: 'pia.status', message: { ja: 'pia.status: 特定個人情報保護評価の実施状況（実施済／未実施）を指定してください。', en: 'pia.status: the PIA status (実施済 or 未実施) is required' } });
  }
  return problems;
}
