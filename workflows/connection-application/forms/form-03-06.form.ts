import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsString, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { classValidatorForm, IsNotBlank, localized, type JsonObject } from '@nws/engine';
import { BODY_TYPES } from '@nws/reference-catalog';
import { IsSeirekiDate } from './jp-validators';
import { IsChecked, IsLeftEmpty, Satisfies } from './rule-validators';

/** 後期高齢者医療広域連合 connects through its own system, not the interface-system aggregation ASP. */
export const BODY_TYPE_WITHOUT_ASP = '後期高齢者医療広域連合';

/** Files attached beside the forms: the guide names these two cases. */
export const OTHER_ATTACHMENT_KINDS = ['委任の根拠規定', '特定個人情報保護評価書', 'その他'] as const;

/** 所在地: the main office (本庁), not a branch. */
export class MainOfficeAddressDto {
  @IsString()
  @Matches(/^\d{3}-?\d{4}$/, { message: localized('郵便番号は 123-4567 の形で入力してください。', 'must be a postal code like 123-4567') })
  postalCode!: string;
  @IsString() @IsNotBlank() @MaxLength(200) address!: string;
}

export class OtherAttachmentDto {
  @IsIn(OTHER_ATTACHMENT_KINDS) kind!: string;
  @IsString() @IsNotBlank() @MaxLength(200) title!: string;
}

const mustAttach = (form: string): [string, string] => [
  `${form}は接続申請に必ず添付します。チェックを入れてください。`,
  `${form} is always attached to a connection application; tick it`,
];

interface ChecklistShape {
  other?: unknown;
  otherAttachments?: unknown;
}

/** 添付する申請書: every form except その他 is ticked, except 様03-08/03-09, which depend on the body. */
export class AttachmentChecklistDto {
  @IsChecked(mustAttach('様02-01')) form0201!: boolean;
  @IsChecked(mustAttach('様02-02')) form0202!: boolean;
  @IsChecked(mustAttach('様02-06')) form0206!: boolean;
  @IsChecked(mustAttach('様03-07')) form0307!: boolean;
  /**
   * 様03-08: ticked "in principle"; a body with no 委任・受任 at all has no 様03-08 to attach. Whether
   * the form is really attached is checked at submit.
   */
  @IsBoolean() form0308!: boolean;
  /** 様03-09: only for 条例連携 (checked against independentUseLinkage). */
  @IsBoolean() form0309!: boolean;
  /** その他: ticked when files are attached (delegation ordinances, unpublished PIA reports). */
  @IsBoolean() other!: boolean;

  @ValidateIf((c: ChecklistShape) => c.other === true || (c.otherAttachments !== undefined && c.otherAttachments !== null))
  @Satisfies<ChecklistShape>(
    'otherMatchesAttachments',
    (value, c) => (c.other === true ? Array.isArray(value) && value.length > 0 && value.length <= 50 : !Array.isArray(value) || value.length === 0),
    (_value, c) =>
      c.other === true
        ? ['「その他」にチェックした場合は、添付するファイルを入力してください（50件まで）。', 'with その他 ticked, list the attached files (at most 50)']
        : ['添付ファイルがある場合は「その他」にチェックを入れてください。', 'attached files need その他 ticked'],
  )
  @ValidateNested({ each: true })
  @Type(() => OtherAttachmentDto)
  otherAttachments?: OtherAttachmentDto[];
}

interface ValidityShape {
  abolitionDecided?: unknown;
  abolitionDate?: unknown;
}

/** 有効期間: the operator sets the start; the end is open unless the body's abolition is decided. */
export class ValidityDto {
  /** 有効開始日 */
  @IsLeftEmpty(['有効開始日は空欄にしてください（運営主体が設定します）。', 'leave the validity start date empty (the network operator sets it)'])
  startDate?: string;

  /** 機関の廃止が決まっている */
  @IsBoolean() abolitionDecided!: boolean;

  /** 廃止日 (the end of validity) */
  @ValidateIf((v: ValidityShape) => v.abolitionDecided === true || (v.abolitionDate !== undefined && v.abolitionDate !== null && v.abolitionDate !== ''))
  @Satisfies<ValidityShape>('abolitionDateOnlyWhenDecided', (_value, v) => v.abolitionDecided === true, [
    '廃止日は機関の廃止が決まっている場合にのみ入力します。',
    'an abolition date is given only when the abolition is decided',
  ])
  @IsSeirekiDate()
  abolitionDate?: string;

  /** 有効終了日未定 */
  @Satisfies<ValidityShape>(
    'endDateUndecided',
    (value, v) => (v.abolitionDecided === true ? value === false : value === true),
    (_value, v) =>
      v.abolitionDecided === true
        ? ['機関の廃止が決まっている場合は「有効終了日未定」にチェックを入れないでください（廃止日が有効終了日です）。', 'with the abolition decided, the end date is not undecided (the abolition date ends the validity)']
        : ['機関の廃止が決まっている場合を除き、「有効終了日未定」にチェックを入れてください。', 'tick 有効終了日未定 unless the body\u2019s abolition is decided'],
  )
  endDateUndecided!: boolean;
}

interface Form0306Shape {
  bodyType?: unknown;
  independentUseLinkage?: unknown;
}

/** 様03-06 接続開始（再開）申請書: the covering application of a connection. Applicant details are filled by the system. */
export class Form0306Dto {
  @IsSeirekiDate() applicationDate!: string;
  /** 申請区分: 接続 (start) or 再開 (restart) */
  @IsIn(['接続', '再開']) category!: string;
  /** 機関種類: decides, among others, whether the interface-system aggregation ASP is used. */
  @IsIn(BODY_TYPES) bodyType!: string;
  @IsDefined() @ValidateNested() @Type(() => MainOfficeAddressDto) mainOffice!: MainOfficeAddressDto;
  /** 条例連携: the body links 独自利用事務 (様03-09) */
  @IsBoolean() independentUseLinkage!: boolean;

  @Satisfies<Form0306Shape>(
    'form0309MatchesIndependentUse',
    (value, form) => typeof value !== 'object' || value === null || (value as { form0309?: unknown }).form0309 === form.independentUseLinkage,
    (_value, form) =>
      form.independentUseLinkage === true
        ? ['条例連携を行う場合は、添付する申請書の「様03-09」にチェックを入れてください。', 'a body linking independent-use affairs ticks 様03-09']
        : ['条例連携を行わない場合は、「様03-09」にチェックを入れないでください。', 'a body not linking independent-use affairs does not tick 様03-09'],
  )
  @IsDefined()
  @ValidateNested()
  @Type(() => AttachmentChecklistDto)
  attachments!: AttachmentChecklistDto;

  /** インターフェイスシステム集約ASPを利用する */
  @Satisfies<Form0306Shape>(
    'interfaceAspUse',
    (value, form) => (form.bodyType === BODY_TYPE_WITHOUT_ASP ? typeof value === 'boolean' : value === true),
    (_value, form) =>
      form.bodyType === BODY_TYPE_WITHOUT_ASP
        ? ['true または false で指定してください。', 'must be true or false']
        : ['地方公共団体（後期高齢者医療広域連合を除く。）はインターフェイスシステム集約ASPを利用するため、必ずチェックを入れてください。', 'local governments other than 後期高齢者医療広域連合 use the interface-system aggregation ASP: tick it'],
  )
  interfaceAspUse!: boolean;

  @IsDefined() @ValidateNested() @Type(() => ValidityDto) validity!: ValidityDto;
}

export const FORM_0306_EXAMPLE: JsonObject = {
  applicationDate: '2026/11/20',
  category: '接続',
  bodyType: '市町村長部局',
  mainOffice: { postalCode: '192-8501', address: '東京都八王子市元本郷町三丁目24番1号' },
  independentUseLinkage: true,
  attachments: {
    form0201: true,
    form0202: true,
    form0206: true,
    form0307: true,
    form0308: true,
    form0309: true,
    other: true,
    otherAttachments: [{ kind: '委任の根拠規定', title: '市町村における東京都の事務処理の特例に関する条例（抜粋）' }],
  },
  interfaceAspUse: true,
  validity: { abolitionDecided: false, endDateUndecided: true },
};

export const form0306 = classValidatorForm({
  code: '03-06',
  title: { ja: '様03-06 接続開始（再開）申請書', en: 'Form 03-06: connection start (restart) application' },
  dto: Form0306Dto,
  // The main office's address and checkboxes; the applicant's name is filled by the system, not typed here.
  personalFields: [],
  example: FORM_0306_EXAMPLE,
});
