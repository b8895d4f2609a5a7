import type { ValidationOptions } from 'class-validator';
import {
  DELEGATION_BASIS_IDS,
  basisPartiesProblem,
  checkBeppyo2Affair,
  findBeppyo2Item,
  findBeppyo2Provision,
  findDelegationBasis,
  hasValidCheckDigit,
  isGuidanceInstrumentTitle,
  isGuidanceOnly,
} from '@nws/reference-catalog';
import { Satisfies, type Message } from './rule-validators';

/*
 * Rules that check a form against the reference catalog (番号法 別表第二, 地方自治法 delegation
 * articles, 全国地方公共団体コード): the catalog is data imported with the product, never typed twice.
 */

interface AffairRef {
  itemNo?: unknown;
  affairName?: unknown;
  personalInfoName?: unknown;
}

const shorten = (text: string, max = 40): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/** 別表第二 項番 that exists and is not a deleted 項 (with @IsString, which refuses another type). */
export function IsBeppyo2ItemNo(options?: ValidationOptions): PropertyDecorator {
  return Satisfies<AffairRef>(
    'beppyo2Item',
    // A value that is not a string is @IsString's to refuse: the number 27 is no "missing 項27".
    (value) => typeof value !== 'string' || findBeppyo2Item(value)?.deleted === false,
    (value): Message =>
      findBeppyo2Item(String(value))?.deleted
        ? [`別表第二 第${String(value)}項は削除された項です。`, `別表第二 item ${String(value)} has been deleted`]
        : [`別表第二に第${String(value)}項はありません。`, `別表第二 has no item ${String(value)}`],
    options,
  );
}

/** 事務名 as the law words it for that 項 (it is copied from the catalog, so any difference is a wrong row). */
export function IsBeppyo2AffairName(options?: ValidationOptions): PropertyDecorator {
  return Satisfies<AffairRef>(
    'beppyo2AffairName',
    // An unknown 項番 is reported on itemNo alone, a value that is not text by @IsString.
    (value, row) => typeof value !== 'string' || checkBeppyo2Affair(row.itemNo, value) !== 'affairMismatch',
    (value, row) => {
      const expected = findBeppyo2Item(String(row.itemNo))?.affair ?? '';
      const given = String(value); // text: only a string fails this rule
      return [
        `別表第二 第${String(row.itemNo)}項の事務名と一致しません（入力: 「${shorten(given)}」、第${String(row.itemNo)}項: 「${shorten(expected)}」）。`,
        `does not match the affair of 別表第二 item ${String(row.itemNo)} (given "${shorten(given)}", item ${String(row.itemNo)}: "${shorten(expected)}")`,
      ];
    },
    options,
  );
}

/** 特定個人情報名 of one of the rows of that 項. */
export function IsBeppyo2PersonalInfoName(options?: ValidationOptions): PropertyDecorator {
  return Satisfies<AffairRef>(
    'beppyo2PersonalInfo',
    (value, row) => {
      const item = typeof row.itemNo === 'string' ? findBeppyo2Item(row.itemNo) : undefined;
      // A value that is not text is @IsString's to refuse: "[object Object]" is no name to look up.
      if (!item || item.deleted || typeof value !== 'string') return true;
      return findBeppyo2Provision(item.itemNo, value) !== undefined;
    },
    (value, row) => [
      `別表第二 第${String(row.itemNo)}項に特定個人情報「${shorten(String(value))}」はありません。`,
      `別表第二 item ${String(row.itemNo)} has no specific personal information "${shorten(String(value))}"`,
    ],
    options,
  );
}

/** 全国地方公共団体コード: 6 digits with a valid check digit (also for associations, which are not in our list); with @IsString, which refuses another type. */
export function IsLocalGovernmentCode(options?: ValidationOptions): PropertyDecorator {
  return Satisfies(
    'localGovernmentCode',
    // A value that is not a string is @IsString's to refuse: the number 130001 is a valid code, given as a number.
    (value) => typeof value !== 'string' || hasValidCheckDigit(value),
    (value) => {
      // With { each: true } the message sees the whole array: name only the wrong codes.
      const wrong = (Array.isArray(value) ? (value as unknown[]) : [value]).filter((v) => typeof v === 'string' && !hasValidCheckDigit(v)).join('」「');
      return [`「${wrong}」は全国地方公共団体コード（6桁、検査数字付き）ではありません。`, `"${wrong}" is not a 6-digit local government code with a valid check digit`];
    },
    options,
  );
}

const GUIDANCE_REFUSED: Message = [
  '要綱・要領・通知による委任では、委任先は情報提供ネットワークシステムを利用できません。法令（地方自治法）の規定とそれに基づく条例・規則・規約による委任が必要です。',
  'a delegation by guideline or notice (要綱・要領・通知) does not allow the delegatee to use the network; it needs a basis in law (地方自治法) and an ordinance, rule or agreement under it',
];

/** Refuses a basis or instrument that is a guideline or notice, with the reason. */
export function IsNotGuidance(options?: ValidationOptions): PropertyDecorator {
  return Satisfies('delegationByGuidance', (value) => typeof value !== 'string' || !isGuidanceOnly(value), GUIDANCE_REFUSED, options);
}

/** Refuses an instrument titled …要綱 / …要領 / …通知, bracketed notes such as （抜粋） aside. */
export function IsNotGuidanceTitle(options?: ValidationOptions): PropertyDecorator {
  return Satisfies('delegationByGuidance', (value) => typeof value !== 'string' || !isGuidanceInstrumentTitle(value), GUIDANCE_REFUSED, options);
}

/** 委任の根拠となる法令: one of the articles of the drop-down. A guideline is left to IsNotGuidance. */
export function IsDelegationBasis(options?: ValidationOptions): PropertyDecorator {
  const list = DELEGATION_BASIS_IDS.map((id) => `「${id}」`).join(', ');
  return Satisfies(
    'delegationBasis',
    (value) => typeof value === 'string' && (DELEGATION_BASIS_IDS.includes(value) || isGuidanceOnly(value)),
    [`委任の根拠となる法令は ${list} のいずれかを選択してください。`, `must be one of ${list}`],
    options,
  );
}

/** The article delegates between these two bodies: one local government's organs, two bodies, a prefecture to its 市区町村. */
export function IsBasisOfParties(options?: ValidationOptions): PropertyDecorator {
  const problem = (value: unknown, link: { delegatorCode?: unknown; delegateeCode?: unknown }) =>
    // A code that is not one is refused by its own rule, not said again here.
    typeof value === 'string' && typeof link.delegatorCode === 'string' && typeof link.delegateeCode === 'string' && hasValidCheckDigit(link.delegatorCode) && hasValidCheckDigit(link.delegateeCode)
      ? basisPartiesProblem(value, link.delegatorCode, link.delegateeCode)
      : undefined;
  return Satisfies<{ delegatorCode?: unknown; delegateeCode?: unknown }>(
    'basisParties',
    (value, link) => problem(value, link) === undefined,
    (value, link) => problem(value, link) ?? ['', ''],
    options,
  );
}

/** The attached instrument must be of a kind the chosen article works through (e.g. 第252条の14 → 規約). */
export function IsInstrumentOfBasis(options?: ValidationOptions): PropertyDecorator {
  return Satisfies<{ basis?: unknown }>(
    'instrumentOfBasis',
    (value, link) => {
      if (typeof value === 'string' && isGuidanceOnly(value)) return true;
      const basis = typeof link.basis === 'string' ? findDelegationBasis(link.basis) : undefined;
      const allowed: readonly string[] = basis?.instruments ?? ['条例', '規則', '規約'];
      return typeof value === 'string' && allowed.includes(value);
    },
    (value, link) => {
      const basis = typeof link.basis === 'string' ? findDelegationBasis(link.basis) : undefined;
      const allowed = (basis?.instruments ?? ['条例', '規則', '規約']).map((k) => `「${k}」`).join(', ');
      const where = basis ? `${basis.id}に基づく委任では` : '';
      // Only text is quoted back: a missing kind is no 「undefined」.
      const given = typeof value === 'string' ? [`（入力: 「${value}」）`, ` (given "${value}")`] : ['', ''];
      return [`${where}根拠規定の種類は ${allowed} のいずれかです${given[0]}。`, `${basis ? `under ${basis.id} ` : ''}the instrument must be one of ${allowed}${given[1]}`];
    },
    options,
  );
}
