import source from '../data/bangouhou-beppyo2-2015.json';

/**
 * 番号法 別表第二 as a dated catalog version: the law text as last amended in 2015. Forms record the
 * version they were filled against, so a later catalog (the table moved to a ministerial ordinance
 * in 2024 and has grown) can be added beside this one without reinterpreting old applications.
 */
export const BEPPYO2_CATALOG_VERSION = 'beppyo2-2015';
export const BEPPYO2_CATALOG_VERSIONS = [BEPPYO2_CATALOG_VERSION] as const;
export const BEPPYO2_CATALOG_SOURCE = source.records[0]?.source ?? '';

/** One row: one 情報提供者 (and the information it provides) within a 項. */
export interface Beppyo2Row {
  /** 項番, e.g. `26`, `56の2` */
  readonly itemNo: string;
  /** 項番 as written in the law, e.g. `二十六` */
  readonly itemNoKanji: string;
  /** 行内連番: position of the row within its 項, from 1 */
  readonly rowNo: string;
  /** 情報照会者 (free text of the law) */
  readonly querier: string;
  /** 事務 */
  readonly affair: string;
  /** 情報提供者 (free text of the law) */
  readonly provider: string;
  /** 特定個人情報 */
  readonly personalInfo: string;
}

/** One 項: one querier and one affair, provided for by one or more rows. */
export interface Beppyo2Item {
  readonly itemNo: string;
  readonly itemNoKanji: string;
  readonly querier: string;
  readonly affair: string;
  /** 項 removed by an amendment (e.g. 三十六 （削除）): kept so its number is known, never selectable. */
  readonly deleted: boolean;
  readonly rows: readonly Beppyo2Row[];
}

interface SourceRecord {
  項番: string;
  項番_漢数字: string;
  行内連番: string;
  情報照会者: string;
  事務: string;
  情報提供者: string;
  特定個人情報: string;
}

const ROWS: readonly Beppyo2Row[] = (source.records as SourceRecord[]).map((r) => ({
  itemNo: r.項番,
  itemNoKanji: r.項番_漢数字,
  rowNo: r.行内連番,
  querier: r.情報照会者,
  affair: r.事務,
  provider: r.情報提供者,
  personalInfo: r.特定個人情報,
}));

const ITEMS: ReadonlyMap<string, Beppyo2Item> = (() => {
  const grouped = new Map<string, Beppyo2Row[]>();
  for (const row of ROWS) grouped.set(row.itemNo, [...(grouped.get(row.itemNo) ?? []), row]);
  const items = new Map<string, Beppyo2Item>();
  for (const [itemNo, rows] of grouped) {
    const first = rows[0]!;
    const deleted = first.querier === '（削除）' || first.affair === '';
    items.set(itemNo, {
      itemNo,
      itemNoKanji: first.itemNoKanji,
      querier: first.querier,
      affair: first.affair,
      deleted,
      rows: deleted ? [] : rows,
    });
  }
  return items;
})();

/** Every 項 in the order of the law, deleted ones included (they are never selectable). */
export function beppyo2Items(): readonly Beppyo2Item[] {
  return [...ITEMS.values()];
}

/** Every row of every 項 still in force. */
export function beppyo2Rows(): readonly Beppyo2Row[] {
  return beppyo2Items().flatMap((item) => item.rows);
}

const ORDER: ReadonlyMap<string, number> = new Map([...ITEMS.keys()].map((itemNo, i) => [itemNo, i]));

/** Position of a 項 in the law (56の2 sits between 56 and 57, which string order would not give). */
export function beppyo2ItemOrder(itemNo: string): number {
  return ORDER.get(itemNo) ?? Number.MAX_SAFE_INTEGER;
}

export function findBeppyo2Item(itemNo: string): Beppyo2Item | undefined {
  return ITEMS.get(itemNo);
}

/** The row of a 項 providing a named 特定個人情報 (names are unique within a 項). */
export function findBeppyo2Provision(itemNo: string, personalInfo: string): Beppyo2Row | undefined {
  return ITEMS.get(itemNo)?.rows.find((r) => r.personalInfo === personalInfo);
}

export function findBeppyo2Row(itemNo: string, rowNo: string): Beppyo2Row | undefined {
  return ITEMS.get(itemNo)?.rows.find((r) => r.rowNo === rowNo);
}

/** Stable key of a provision row within a catalog version, e.g. `26-5`. */
export function provisionKey(row: Pick<Beppyo2Row, 'itemNo' | 'rowNo'>): string {
  return `${row.itemNo}-${row.rowNo}`;
}

export function findBeppyo2RowByKey(key: string): Beppyo2Row | undefined {
  const match = /^(.+)-(\d+)$/.exec(key);
  return match ? findBeppyo2Row(match[1]!, match[2]!) : undefined;
}

/** Why a (項番, 事務名) pair is not in the catalog, or undefined when it is. */
export type Beppyo2AffairProblem = 'unknownItem' | 'deletedItem' | 'affairMismatch';

export function checkBeppyo2Affair(itemNo: unknown, affair: unknown): Beppyo2AffairProblem | undefined {
  const item = typeof itemNo === 'string' ? ITEMS.get(itemNo) : undefined;
  if (!item) return 'unknownItem';
  if (item.deleted) return 'deletedItem';
  return affair === item.affair ? undefined : 'affairMismatch';
}
