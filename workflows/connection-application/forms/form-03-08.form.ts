import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { classValidatorForm, IsNotBlank, type JsonObject } from '@nws/engine';
import { BEPPYO2_CATALOG_VERSION, BEPPYO2_CATALOG_VERSIONS, findBeppyo2Item, findBeppyo2Row } from '@nws/reference-catalog';
import { IsSeirekiDate } from './jp-validators';
import {
  IsBeppyo2AffairName,
  IsBeppyo2ItemNo,
  IsBeppyo2PersonalInfoName,
  IsBasisOfParties,
  IsDelegationBasis,
  IsInstrumentOfBasis,
  IsLocalGovernmentCode,
  IsNotGuidance,
  IsNotGuidanceTitle,
} from './catalog-validators';
import { IsChecked, IsUniqueBy, Satisfies, textKey } from './rule-validators';

/** One step of a delegation: who handed the affair to whom, under which article and instrument. */
export class DelegationLinkDto {
  /** 委任元 of this step */
  @IsString() @IsLocalGovernmentCode() delegatorCode!: string;
  /** 委任先 of this step (the applicant for the last step) */
  @IsString() @IsLocalGovernmentCode() delegateeCode!: string;
  /** 委任の根拠となる法令 (地方自治法 第180条の2, 第180条の7, 第252条の14, 第252条の17の2, 第284条) */
  @IsNotGuidance() @IsDelegationBasis() @IsBasisOfParties() basis!: string;
  /** 条例・規則・規約: the instrument attached to the application, which states the delegated scope */
  @IsNotGuidance() @IsInstrumentOfBasis() instrumentKind!: string;
  /** Its title, e.g. 東京都後期高齢者医療広域連合規約 */
  @IsString() @IsNotBlank() @MaxLength(200) @IsNotGuidanceTitle() instrumentName!: string;
  /**
   * Whether this step's delegator holds the affair by law. If not (A→B→C seen from B→C), the step
   * that gave it the affair must be registered too: the body that links registers every basis.
   */
  @IsBoolean() delegatorHoldsByLaw!: boolean;
}

interface LinkShape {
  delegatorCode: string;
  delegateeCode: string;
  delegatorHoldsByLaw: boolean;
  basis: string;
}
interface DelegationShape {
  chain?: unknown;
  delegators?: unknown;
}
const isLink = (l: unknown): l is LinkShape => {
  if (typeof l !== 'object' || l === null || Array.isArray(l)) return false;
  const link = l as Record<string, unknown>;
  return typeof link['delegatorCode'] === 'string' && typeof link['delegateeCode'] === 'string' && typeof link['basis'] === 'string' && typeof link['delegatorHoldsByLaw'] === 'boolean';
};
/**
 * The chain's steps, or none while one is not well-formed: a step that is `[]` or lacks its
 * delegator is refused by its own rules, and a check across the steps would only say it again as
 * "missing: undefined".
 */
const linksOf = (d: DelegationShape): LinkShape[] => (Array.isArray(d.chain) && (d.chain as unknown[]).every(isLink) ? (d.chain as LinkShape[]) : []);
const wellFormed = (d: DelegationShape): boolean =>
  Array.isArray(d.chain) && (d.chain as unknown[]).every(isLink) && Array.isArray(d.delegators) && (d.delegators as unknown[]).every((c) => typeof c === 'string');

/** Delegators whose own basis is missing: they do not hold the affair by law and no step hands it to them. */
function unregisteredUpstream(d: DelegationShape): string[] {
  const links = linksOf(d);
  const received = new Set(links.map((l) => l.delegateeCode));
  return links.filter((l) => !l.delegatorHoldsByLaw && !received.has(l.delegatorCode)).map((l) => l.delegatorCode);
}

/**
 * What makes a chain no chain: a step given twice (same delegator, delegatee and basis), or steps
 * that lead back to a body they came from (A→B, B→A), which hand nothing down and were accepted.
 * A step within one code (地方自治法第180条の2: the mayor to the board of education) is no loop.
 */
function chainRepeats(d: DelegationShape): string[] {
  const links = linksOf(d);
  const seen = new Set<string>();
  const repeats: string[] = [];
  for (const link of links) {
    const key = `${link.delegatorCode}→${link.delegateeCode} (${link.basis})`;
    if (seen.has(key)) repeats.push(key);
    seen.add(key);
  }
  const next = new Map<string, Set<string>>();
  for (const link of links) {
    const from = link.delegatorCode;
    const to = link.delegateeCode;
    if (from !== to) next.set(from, (next.get(from) ?? new Set()).add(to));
  }
  // A body reached again from itself: depth-first, each body's onward steps once.
  const done = new Set<string>();
  const loopFrom = (code: string, path: string[]): string[] | undefined => {
    if (path.includes(code)) return [...path.slice(path.indexOf(code)), code];
    if (done.has(code)) return undefined;
    for (const to of next.get(code) ?? []) {
      const loop = loopFrom(to, [...path, code]);
      if (loop) return loop;
    }
    done.add(code);
    return undefined;
  };
  for (const code of next.keys()) {
    const loop = loopFrom(code, []);
    if (loop) return [...repeats, loop.join('→')];
  }
  return repeats;
}

/** Delegators of the chain missing from the list, and listed delegators with no step of their own. */
function delegatorMismatch(d: DelegationShape): { missing: string[]; extra: string[] } {
  if (!wellFormed(d)) return { missing: [], extra: [] };
  const inChain = new Set(linksOf(d).map((l) => l.delegatorCode));
  const listed = new Set(d.delegators as string[]);
  return { missing: [...inChain].filter((c) => !listed.has(c)), extra: [...listed].filter((c) => !inChain.has(c)) };
}

/** 委任の根拠 and 委任元 of one delegated row. */
export class DelegationDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @Satisfies<DelegationShape>('everyBasisInChain', (_v, d) => unregisteredUpstream(d).length === 0, (_v, d) => {
    const codes = unregisteredUpstream(d).join(', ');
    return [
      `委任が複層の場合は、全ての委任の根拠を登録してください（${codes} への委任の根拠がありません）。`,
      `a layered delegation registers every basis in the chain (the delegation to ${codes} is missing)`,
    ];
  })
  @Satisfies<DelegationShape>('chainWithoutRepeats', (_v, d) => chainRepeats(d).length === 0, (_v, d) => {
    const repeats = chainRepeats(d).join('、');
    return [`委任の根拠に、同じ委任の重複または元の機関に戻る委任（${repeats}）があります。委任元から申請者までの委任を一度ずつ記載してください。`, `the chain repeats a step or leads back to a body it came from (${repeats}): give each delegation from the delegators to the applicant once`];
  })
  @ValidateNested({ each: true })
  @Type(() => DelegationLinkDto)
  chain!: DelegationLinkDto[];

  /** 委任元機関: every one of them (an association doing the work of several municipalities lists all). */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsLocalGovernmentCode({ each: true })
  @IsUniqueBy<string>(textKey, ['委任元機関', 'delegator'])
  @Satisfies<DelegationShape>(
    'everyDelegatorListed',
    (_v, d) => {
      const { missing, extra } = delegatorMismatch(d);
      return missing.length === 0 && extra.length === 0;
    },
    (_v, d) => {
      const { missing, extra } = delegatorMismatch(d);
      return [
        `委任元機関は委任の根拠の委任元と一致させてください（不足: ${missing.join(', ') || 'なし'}、根拠のない委任元: ${extra.join(', ') || 'なし'}）。`,
        `the delegators must be those of the chain (missing: ${missing.join(', ') || 'none'}; without a basis: ${extra.join(', ') || 'none'})`,
      ];
    },
  )
  delegators!: string[];

  /** 委任元機関による確認: the delegator has checked this entry. */
  @IsChecked(['委任元機関に記載内容の確認を依頼し、確認を得てからチェックしてください。', 'the delegator must confirm this entry (委任元機関による確認) before it is filed'])
  delegatorConfirmed!: boolean;
}

/** (1) 情報照会事務に関する委任情報: affairs queried on behalf of another body (受任 only). */
export class ReceivedQueryAffairDto {
  @IsString() @IsBeppyo2ItemNo() itemNo!: string;
  @IsString() @IsBeppyo2AffairName() affairName!: string;
  /** 個別の手続 when only part of the affair is delegated */
  @IsOptional() @IsString() @IsNotBlank() @MaxLength(200) procedure?: string;
  @IsDefined() @ValidateNested() @Type(() => DelegationDto) delegation!: DelegationDto;
}

/** (2) 特定個人情報の情報提供に係る委任情報: provision handed to another body (委任). */
export class DelegatedProvisionDto {
  @IsString() @IsBeppyo2ItemNo() itemNo!: string;
  @IsString() @IsBeppyo2PersonalInfoName() personalInfoName!: string;
  /** 委任先 */
  @IsString() @IsLocalGovernmentCode() delegateeCode!: string;
}

/** (3) 特定個人情報の情報提供に係る受任情報: provision done on behalf of another body (受任). */
export class ReceivedProvisionDto {
  @IsString() @IsBeppyo2ItemNo() itemNo!: string;
  @IsString() @IsBeppyo2PersonalInfoName() personalInfoName!: string;
  @IsDefined() @ValidateNested() @Type(() => DelegationDto) delegation!: DelegationDto;
}

const provisionId = (row: { itemNo?: unknown; personalInfoName?: unknown }) => textKey(row.itemNo, row.personalInfoName);

/** 様03-08 情報照会者事務委任情報・情報提供者事務委任情報の登録（変更）申請書 */
export class Form0308Dto {
  @IsSeirekiDate() applicationDate!: string;
  /** 申請区分: filled from the application's when left out (see saveForm); in a 登録 or 変更 it must be the application's. */
  @IsOptional() @IsIn(['登録', '変更']) category?: string;
  @IsIn(BEPPYO2_CATALOG_VERSIONS) catalogVersion!: string;

  @IsArray()
  @ArrayMaxSize(300)
  @IsUniqueBy<ReceivedQueryAffairDto>((row) => textKey(row.itemNo), ['項番', 'item'])
  @ValidateNested({ each: true })
  @Type(() => ReceivedQueryAffairDto)
  receivedQueryAffairs!: ReceivedQueryAffairDto[];

  @IsArray()
  @ArrayMaxSize(600)
  @IsUniqueBy<DelegatedProvisionDto>(provisionId, ['特定個人情報', 'row'])
  @ValidateNested({ each: true })
  @Type(() => DelegatedProvisionDto)
  delegatedProvisions!: DelegatedProvisionDto[];

  @IsArray()
  @ArrayMaxSize(600)
  @IsUniqueBy<ReceivedProvisionDto>(provisionId, ['特定個人情報', 'row'])
  @ValidateNested({ each: true })
  @Type(() => ReceivedProvisionDto)
  receivedProvisions!: ReceivedProvisionDto[];
}

// 八王子市長 (132012) doing part of two 東京都知事 (130001) affairs under 事務処理特例 (第252条の17の2).
// The rows and the article are real; the scope of the 都 ordinance is illustrative (it is not in our data).
const TOKYO = '130001';
const HACHIOJI = '132012';
const fromTokyo = () => ({
  chain: [
    {
      delegatorCode: TOKYO,
      delegateeCode: HACHIOJI,
      basis: '地方自治法第252条の17の2',
      instrumentKind: '条例',
      instrumentName: '市町村における東京都の事務処理の特例に関する条例',
      delegatorHoldsByLaw: true,
    },
  ],
  delegators: [TOKYO],
  delegatorConfirmed: true,
});
export const FORM_0308_EXAMPLE: JsonObject = {
  applicationDate: '2026/11/20',
  catalogVersion: BEPPYO2_CATALOG_VERSION,
  receivedQueryAffairs: [{ itemNo: '9', affairName: findBeppyo2Item('9')!.affair, procedure: '医療費支給認定の申請受付', delegation: fromTokyo() }],
  delegatedProvisions: [],
  receivedProvisions: [{ itemNo: '27', personalInfoName: findBeppyo2Row('27', '2')!.personalInfo, delegation: fromTokyo() }],
};

export const form0308 = classValidatorForm({
  code: '03-08',
  title: { ja: '様03-08 情報照会者事務委任情報・情報提供者事務委任情報の登録（変更）申請書', en: 'Form 03-08: delegated query and provision affairs' },
  dto: Form0308Dto,
  // Bodies, legal bases and instruments: no staff data on this form.
  personalFields: [],
  example: FORM_0308_EXAMPLE,
});
