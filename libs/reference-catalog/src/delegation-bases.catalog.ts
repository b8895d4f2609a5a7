import source from '../data/chihou-jichi-delegation-articles.json';
import { findLocalGovernment, prefectureCodeOf } from './local-government-codes';

/**
 * 委任の根拠となる法令 of 様03-08: the articles of 地方自治法 the form's drop-down offers. Kept as the
 * imported law text (with provenance) so the choice shown to users is the law, not our paraphrase.
 */
export interface DelegationBasis {
  /** What the form stores, e.g. `地方自治法第252条の14` (Arabic numerals, as on the drop-down). */
  readonly id: string;
  /** As written in the law, e.g. `第二百五十二条の十四`. */
  readonly article: string;
  readonly label: string;
  readonly text: string;
  /** Instruments that can carry a delegation under this article; the attached one must be of these kinds. */
  readonly instruments: readonly DelegationInstrumentKind[];
  /** Between whom the article delegates (see BasisParties). */
  readonly parties: BasisParties;
  /** For an article between organs of one body (`sameBody`): which organ hands the work to which (see BasisOrgans). */
  readonly organs?: BasisOrgans;
}

/**
 * The two sides of one local government an article delegates between: its head (長: the 首長部局 or
 * 知事部局 and the head's staff) and its 委員会・委員 (a 教育委員会 among them).
 */
export type BasisOrgan = 'head' | 'committee';
export interface BasisOrgans {
  readonly delegator: BasisOrgan;
  readonly delegatee: BasisOrgan;
}

/**
 * Between whom an article delegates, as its text says:
 * - `sameBody`: within one local government, from one of its organs to another (第180条の2: the
 *   head to a 委員会 or its staff; 第180条の7: a 委員会 to the head's staff) — one code, two organs,
 *   which way between them is `organs` (basisOrgansProblem: the code alone cannot tell);
 * - `otherBody`: from one local government to another (第252条の14 事務の委託);
 * - `toAssociation`: 第284条, to the 一部事務組合・広域連合 its members set up (a code outside the list
 *   of local governments, which names no association);
 * - `prefectureToMunicipality`: 第252条の17の2, a prefecture's affairs done by a 市区町村 of that
 *   prefecture under the prefecture's 条例 (事務処理の特例).
 */
export type BasisParties = 'sameBody' | 'otherBody' | 'prefectureToMunicipality' | 'toAssociation';

/**
 * 条例・規則・規約: the instruments "法令の規定に基づく" that define the delegated scope. A 要綱 or 通知 is
 * deliberately absent: a delegation by them does not allow the delegatee to use the network.
 */
export const DELEGATION_INSTRUMENT_KINDS = ['条例', '規則', '規約'] as const;
export type DelegationInstrumentKind = (typeof DELEGATION_INSTRUMENT_KINDS)[number];

/** Words that mark a delegation by administrative guidance rather than by law (要領: a 要綱's working rules). */
export const GUIDANCE_ONLY_WORDS = ['要綱', '要領', '要項', '通知', '通達', '事務連絡'] as const;

export const DELEGATION_CATALOG_VERSION = `chihou-jichi-delegation-articles (imported ${source.importedAt})`;

const KANJI_DIGITS: Readonly<Record<string, number>> = { 〇: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const KANJI_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };

/** 二百五十二 → 252: enough for article numbers of the law text (no 万). */
export function kanjiNumber(kanji: string): number {
  let total = 0;
  let digit = 0;
  for (const ch of kanji) {
    const d = KANJI_DIGITS[ch];
    const unit = KANJI_UNITS[ch];
    if (d !== undefined) digit = d;
    else if (unit !== undefined) {
      total += (digit || 1) * unit;
      digit = 0;
    } else throw new Error(`not a kanji numeral: ${kanji}`);
  }
  return total + digit;
}

/** 第二百五十二条の十七の二 → 第252条の17の2 */
export function arabicArticle(article: string): string {
  return article.replace(/[〇一二三四五六七八九十百千]+/g, (n) => String(kanjiNumber(n)));
}

/** Which instrument each article names: 252の14 and 284 say 規約, 252の17の2 says 条例 (and the 規則 it delegates to). */
const INSTRUMENTS_BY_ARTICLE: Readonly<Record<string, readonly DelegationInstrumentKind[]>> = {
  第180条の2: ['規則', '条例'],
  第180条の7: ['規則', '条例'],
  第252条の14: ['規約'],
  第252条の17の2: ['条例', '規則'],
  第284条: ['規約'],
};

const PARTIES_BY_ARTICLE: Readonly<Record<string, BasisParties>> = {
  第180条の2: 'sameBody',
  第180条の7: 'sameBody',
  第252条の14: 'otherBody',
  第252条の17の2: 'prefectureToMunicipality',
  第284条: 'toAssociation',
};

/**
 * The direction of the two articles within one body, as their text says: 第180条の2 "普通地方公共団体の長は、
 * その権限に属する事務の一部を…委員会…に委任し" (the head to a 委員会, its members or staff); 第180条の7
 * "普通地方公共団体の委員会又は委員は…長の補助機関である職員…に委任し" (a 委員会 to the head's staff). Both
 * share one code, so the code alone never told them apart: a 市長部局 receiving under 第180条の2 was filed.
 */
const ORGANS_BY_ARTICLE: Readonly<Record<string, BasisOrgans>> = {
  第180条の2: { delegator: 'head', delegatee: 'committee' },
  第180条の7: { delegator: 'committee', delegatee: 'head' },
};

export const DELEGATION_BASES: readonly DelegationBasis[] = source.records.map((r) => {
  const arabic = arabicArticle(r.article);
  const parties = PARTIES_BY_ARTICLE[arabic];
  if (!parties) throw new Error(`${r.article}: between whom it delegates is not known (PARTIES_BY_ARTICLE)`);
  const organs = ORGANS_BY_ARTICLE[arabic];
  if (parties === 'sameBody' && !organs) throw new Error(`${r.article}: which organ delegates to which is not known (ORGANS_BY_ARTICLE)`);
  return {
    id: `地方自治法${arabic}`,
    article: r.article,
    label: r.label,
    text: r.text,
    instruments: INSTRUMENTS_BY_ARTICLE[arabic] ?? DELEGATION_INSTRUMENT_KINDS,
    parties,
    ...(organs ? { organs } : {}),
  };
});

const ORGAN_WORDS: Readonly<Record<BasisOrgan, readonly [string, string]>> = {
  head: ['長（首長部局・知事部局）', 'the head (its 首長部局 or 知事部局)'],
  committee: ['委員会（教育委員会等）', 'a 委員会 (e.g. the 教育委員会)'],
};

/**
 * Why a link between two organs of one body cannot rest on the article, in Japanese and English;
 * undefined when it can, or when the article is not between organs of one body. Each side is given
 * only when the caller knows it for certain (`kind` is how the message names it, e.g. 市町村長部局):
 * a side left out is not guessed.
 */
export function basisOrgansProblem(
  basisId: string,
  sides: { readonly delegator?: { readonly organ: BasisOrgan; readonly kind: string }; readonly delegatee?: { readonly organ: BasisOrgan; readonly kind: string } },
): readonly [string, string] | undefined {
  const basis = findDelegationBasis(basisId);
  const organs = basis?.organs;
  if (!basis || !organs) return undefined;
  const wrong = (['delegator', 'delegatee'] as const).filter((side) => sides[side] !== undefined && sides[side]!.organ !== organs[side]);
  if (wrong.length === 0) return undefined;
  const other = DELEGATION_BASES.find((b) => b.organs !== undefined && b.organs.delegator === organs.delegatee && b.organs.delegatee === organs.delegator);
  const given = wrong.map((side) => (side === 'delegator' ? `委任元は${sides.delegator!.kind}` : `委任先は${sides.delegatee!.kind}`)).join('、');
  const givenEn = wrong.map((side) => (side === 'delegator' ? `the delegator is a ${sides.delegator!.kind}` : `the delegatee is a ${sides.delegatee!.kind}`)).join(', ');
  const [from, to] = [ORGAN_WORDS[organs.delegator], ORGAN_WORDS[organs.delegatee]];
  const otherJa = other ? `${ORGAN_WORDS[other.organs!.delegator][0]}から${ORGAN_WORDS[other.organs!.delegatee][0]}への委任・補助執行は${other.id}によります。` : '';
  const otherEn = other ? `; from ${ORGAN_WORDS[other.organs!.delegator][1]} to ${ORGAN_WORDS[other.organs!.delegatee][1]}, choose ${other.id}` : '';
  return [
    `${basis.id}による委任は、${from[0]}から${to[0]}へのものです（${given}）。${otherJa}`,
    `${basis.id} delegates from ${from[1]} to ${to[1]} (${givenEn})${otherEn}`,
  ];
}

/**
 * Why a delegation from `delegatorCode` to `delegateeCode` cannot rest on the article, in Japanese
 * and English; undefined when it can (or the article is not one of ours: refused elsewhere).
 */
export function basisPartiesProblem(basisId: string, delegatorCode: string, delegateeCode: string): readonly [string, string] | undefined {
  const basis = findDelegationBasis(basisId);
  if (!basis) return undefined;
  const pair = `（委任元 ${delegatorCode}、委任先 ${delegateeCode}）`;
  const pairEn = ` (delegator ${delegatorCode}, delegatee ${delegateeCode})`;
  switch (basis.parties) {
    case 'sameBody':
      return delegatorCode === delegateeCode
        ? undefined
        : [`${basis.id}による委任は、同じ地方公共団体の機関の間のものです${pair}。別の団体への委任は第252条の14等によります。`, `${basis.id} delegates between organs of one local government${pairEn}; to another body, choose e.g. 第252条の14`];
    case 'otherBody':
      return delegatorCode !== delegateeCode
        ? undefined
        : [`${basis.id}による委任は、別の地方公共団体へのものです${pair}。同じ団体の機関の間の委任は第180条の2・第180条の7によります。`, `${basis.id} delegates to another body${pairEn}; between organs of one local government, choose 第180条の2 or 第180条の7`];
    case 'toAssociation':
      return delegatorCode !== delegateeCode && findLocalGovernment(delegateeCode) === undefined
        ? undefined
        : [`${basis.id}による委任は、構成団体から一部事務組合・広域連合（委任先）へのものです${pair}。`, `${basis.id} delegates from a member to its 一部事務組合・広域連合 (the delegatee)${pairEn}`];
    case 'prefectureToMunicipality': {
      const delegator = findLocalGovernment(delegatorCode);
      const delegatee = findLocalGovernment(delegateeCode);
      const ok = delegator?.type === 'prefecture' && delegatee !== undefined && delegatee.type !== 'prefecture' && prefectureCodeOf(delegateeCode) === delegatorCode;
      return ok
        ? undefined
        : [
            `${basis.id}（条例による事務処理の特例）は、都道府県（委任元）の事務をその都道府県内の市区町村（委任先）が処理するものです${pair}。`,
            `${basis.id} (事務処理の特例) has a prefecture's affairs done by a municipality of that prefecture${pairEn}`,
          ];
    }
  }
}

export const DELEGATION_BASIS_IDS: readonly string[] = DELEGATION_BASES.map((b) => b.id);

export function findDelegationBasis(id: string): DelegationBasis | undefined {
  return DELEGATION_BASES.find((b) => b.id === id);
}

/** True when the text names a guideline or notice (要綱・通知) as the basis of a delegation. */
export function isGuidanceOnly(text: string): boolean {
  return GUIDANCE_ONLY_WORDS.some((w) => text.includes(w));
}

/** Brackets a note after a title comes in: （抜粋）, (写し), 【別添】, 〔抜粋〕 (the statutes' own), 「」, 《》, 〈〉, ＜＞. */
const OPEN = '（(【［[〔「『《〈＜<';
const CLOSE = '）)】］\\]〕」』》〉＞>';
/** A bracketed note at the end of a title, or one left open (「…要綱（抜粋」). */
const TRAILING_NOTE = new RegExp(`[${OPEN}]([^${OPEN}${CLOSE}]*)[${CLOSE}]?$`);
/** Words that only describe the copy attached, written after a space: 「…要綱 抜粋」. */
const COPY_WORDS = /(抜粋|写し|写|別添|別紙|案)$/;

/**
 * True when an instrument's title is that of a guideline or notice (…要綱, …要領, …通知). Only the
 * end of the title is looked at — a 規則 may well mention 通知カード in its title — once bracketed
 * notes such as （抜粋） or （写し） are set aside; a note that itself says 通知 (「事務の委任について
 * （通知）」, the usual title of a notice) is the instrument's kind.
 */
export function isGuidanceInstrumentTitle(title: string): boolean {
  // A full stop, 等, or the article quoted after the title says nothing of its kind; spaces inside are no part of a word.
  const trimmed = (text: string) => text.replace(/[\s　]+/g, '').replace(/[。．.、,]+$/, '').replace(/第[0-9〇一二三四五六七八九十百]+条(の[0-9〇一二三四五六七八九十]+)*(第[0-9〇一二三四五六七八九十]+項)?$/, '').replace(/等$/, '');
  let rest = trimmed(title.normalize('NFKC'));
  for (;;) {
    const note = TRAILING_NOTE.exec(rest);
    if (note) {
      if (GUIDANCE_ONLY_WORDS.some((w) => trimmed(note[1] ?? '').endsWith(w))) return true;
      rest = trimmed(rest.slice(0, note.index));
      continue;
    }
    const words = COPY_WORDS.exec(rest);
    if (!words) break;
    rest = trimmed(rest.slice(0, words.index));
  }
  return GUIDANCE_ONLY_WORDS.some((w) => rest.endsWith(w));
}
