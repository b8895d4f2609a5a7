import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsIn, IsString, Matches, MaxLength, ValidateNested, IsOptional } from 'class-validator';
import { classValidatorForm, IsNotBlank, localized, type JsonObject } from '@nws/engine';
import { BEPPYO2_CATALOG_VERSION, BEPPYO2_CATALOG_VERSIONS, findBeppyo2Item, findBeppyo2Row } from '@nws/reference-catalog';
import { IsSeirekiDate } from './jp-validators';
import { IsBeppyo2AffairName, IsBeppyo2ItemNo, IsBeppyo2PersonalInfoName } from './catalog-validators';
import { IsUniqueBy, Satisfies, isNonEmptyString, textKey } from './rule-validators';

export const PIA_STATUSES = ['実施済', '未実施'] as const;
export const PIA_NOT_DONE_REASONS = ['保有する特定個人情報ファイル1000人未満', 'その他'] as const;

/** One 特定個人情報保護評価書, as listed on the PIA web site. */
export class PiaDocumentDto {
  /** 評価書番号: the small serial the evaluating body prints on the report. */
  @IsString()
  @Matches(/^[1-9]\d{0,5}$/, { message: localized('評価書番号は評価書に記載の番号（1から始まる数字、先頭に0を付けない）で入力してください。', 'must be the evaluation number printed on the report (digits from 1, no leading zero)') })
  number!: string;
  /** 評価書名 */
  @IsString() @IsNotBlank() @MaxLength(200) title!: string;
}

interface PiaShape {
  status?: unknown;
  reason?: unknown;
}
const done = (pia: PiaShape) => pia.status === '実施済';
const notDone = (pia: PiaShape) => pia.status === '未実施';
const absent = (value: unknown) => value === undefined || value === null || (Array.isArray(value) && value.length === 0) || value === '';

/**
 * 特定個人情報保護評価 (PIA) of one row. Done: **every** relevant evaluation (the operator checks them
 * against the PIA web site). Not done: one of the two reasons the guide allows, その他 explained.
 */
export class PiaDto {
  @IsIn(PIA_STATUSES) status!: string;

  @Satisfies<PiaShape>(
    'piaDocuments',
    (value, pia) => (done(pia) ? Array.isArray(value) && value.length > 0 && value.length <= 20 : !notDone(pia) || absent(value)),
    (_value, pia) =>
      done(pia)
        ? ['実施済の場合は、該当する全ての特定個人情報保護評価書の評価書番号・評価書名を入力してください（20件まで）。', 'a completed PIA needs every relevant evaluation (評価書番号 and 評価書名; at most 20)']
        : ['未実施の場合は評価書を入力せず、未実施の理由を選択してください。', 'a PIA not done lists no evaluation; give the reason instead'],
  )
  // 評価書番号 are numbered per 評価実施機関 (a 補助執行 row may carry the board's No.1 beside the mayor's): a report is its number and title.
  @IsUniqueBy<PiaDocumentDto>((document) => textKey(document.number, typeof document.title === 'string' ? document.title.normalize('NFKC').replace(/\s+/g, '') : undefined), ['評価書', 'evaluation'])
  @ValidateNested({ each: true })
  @Type(() => PiaDocumentDto)
  documents?: PiaDocumentDto[];

  /** 未実施の理由 */
  @Satisfies<PiaShape>(
    'piaReason',
    (value, pia) => (notDone(pia) ? (PIA_NOT_DONE_REASONS as readonly unknown[]).includes(value) : absent(value)),
    (_value, pia) =>
      notDone(pia)
        ? ['未実施の理由は「保有する特定個人情報ファイル1000人未満」又は「その他」を選択してください。', 'a PIA not done needs the reason 「保有する特定個人情報ファイル1000人未満」 or 「その他」']
        : ['実施済の場合は未実施の理由を入力しないでください。', 'a completed PIA has no reason for not doing it'],
  )
  reason?: string;

  /** その他 の具体的な理由 */
  @Satisfies<PiaShape>(
    'piaReasonText',
    (value, pia) => (notDone(pia) && pia.reason === 'その他' ? isNonEmptyString(value) && value.length <= 1000 : absent(value)),
    (_value, pia) =>
      notDone(pia) && pia.reason === 'その他'
        ? ['「その他」を選択した場合は、具体的な理由を1000文字以内で記入してください。', '「その他」 needs the concrete reason written out (at most 1000 characters)']
        : ['具体的な理由は「その他」を選択した場合にのみ記入します。', 'a written reason is given only with 「その他」'],
  )
  reasonText?: string;
}

/** (1) 情報照会を行う事務: 別表第二 項番 and its 事務 as worded in the law. */
export class QueryAffairDto {
  @IsString() @IsBeppyo2ItemNo() itemNo!: string;
  @IsString() @IsBeppyo2AffairName() affairName!: string;
  @IsDefined() @ValidateNested() @Type(() => PiaDto) pia!: PiaDto;
}

/** (2) 情報提供を行う特定個人情報: 別表第二 項番 and the 特定個人情報 of one of its rows. */
export class ProvidedInformationDto {
  @IsString() @IsBeppyo2ItemNo() itemNo!: string;
  @IsString() @IsBeppyo2PersonalInfoName() personalInfoName!: string;
  @IsDefined() @ValidateNested() @Type(() => PiaDto) pia!: PiaDto;
}

interface Form0307Shape {
  queryAffairs?: unknown;
  providedInformation?: unknown;
}
const count = (value: unknown) => (Array.isArray(value) ? value.length : 0);

/** 様03-07 情報連携事務・特定個人情報の登録（変更）申請書 */
export class Form0307Dto {
  @IsSeirekiDate() applicationDate!: string;
  /** 申請区分: filled from the application's when left out (see saveForm); in a 登録 or 変更 it must be the application's. */
  @IsOptional() @IsIn(['登録', '変更']) category?: string;
  /** The 別表第二 version the rows were chosen from. */
  @IsIn(BEPPYO2_CATALOG_VERSIONS) catalogVersion!: string;

  @IsArray()
  @ArrayMaxSize(300)
  @IsUniqueBy<QueryAffairDto>((row) => textKey(row.itemNo), ['項番', 'item'])
  @Satisfies<Form0307Shape>('atLeastOneRow', (value, form) => count(value) + count(form.providedInformation) > 0, [
    '情報照会を行う事務又は情報提供を行う特定個人情報を少なくとも1件入力してください。',
    'list at least one affair queried or one piece of information provided',
  ])
  @ValidateNested({ each: true })
  @Type(() => QueryAffairDto)
  queryAffairs!: QueryAffairDto[];

  @IsArray()
  @ArrayMaxSize(600)
  @IsUniqueBy<ProvidedInformationDto>((row) => textKey(row.itemNo, row.personalInfoName), ['特定個人情報', 'row'])
  @ValidateNested({ each: true })
  @Type(() => ProvidedInformationDto)
  providedInformation!: ProvidedInformationDto[];
}

// Real rows of 別表第二 (2015) for 八王子市長 (a city, so also a 都道府県知事等): 生活保護 (26), 地方税 (27),
// 国民健康保険 (42), 介護保険 (93), plus the 東京都 rows it handles by delegation (9, 27-2: see 様03-08).
// Taken from the catalog, not retyped. Evaluation numbers and titles are
// illustrative; real ones come from the PIA web site.
const affair = (itemNo: string) => findBeppyo2Item(itemNo)!.affair;
const info = (itemNo: string, rowNo: string) => findBeppyo2Row(itemNo, rowNo)!.personalInfo;
const pia = (number: string, title: string) => ({ status: '実施済', documents: [{ number, title }] });
const TAX = pia('1', '個人住民税に関する事務 全項目評価書');
const WELFARE = pia('3', '生活保護に関する事務 全項目評価書');

export const FORM_0307_EXAMPLE: JsonObject = {
  applicationDate: '2026/11/20',
  catalogVersion: BEPPYO2_CATALOG_VERSION,
  queryAffairs: [
    { itemNo: '9', affairName: affair('9'), pia: { status: '未実施', reason: '保有する特定個人情報ファイル1000人未満' } },
    { itemNo: '26', affairName: affair('26'), pia: WELFARE },
    { itemNo: '27', affairName: affair('27'), pia: TAX },
    { itemNo: '42', affairName: affair('42'), pia: pia('4', '国民健康保険に関する事務 全項目評価書') },
    { itemNo: '93', affairName: affair('93'), pia: { status: '実施済', documents: [{ number: '5', title: '介護保険に関する事務 全項目評価書' }, { number: '6', title: '介護保険料の賦課徴収に関する事務 基礎項目評価書' }] } },
  ],
  providedInformation: [
    { itemNo: '26', personalInfoName: info('26', '5'), pia: TAX },
    { itemNo: '27', personalInfoName: info('27', '2'), pia: pia('7', '身体障害者手帳に関する事務 基礎項目評価書') },
    { itemNo: '27', personalInfoName: info('27', '3'), pia: WELFARE },
    { itemNo: '27', personalInfoName: info('27', '4'), pia: TAX },
  ],
};

export const form0307 = classValidatorForm({
  code: '03-07',
  title: { ja: '様03-07 情報連携事務・特定個人情報の登録（変更）申請書', en: 'Form 03-07: affairs queried and specific personal information provided' },
  dto: Form0307Dto,
  // Affairs, legal rows and PIA references: no staff data on this form.
  personalFields: [],
  example: FORM_0307_EXAMPLE,
});
