import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsIn, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { classValidatorForm, IsNotBlank, type JsonObject } from '@nws/engine';
import { IsSeirekiDate } from './jp-validators';
import { IsUniqueBy, Satisfies, textKey } from './rule-validators';

/** 個人情報保護委員会への届出: the application must match what was notified, so the notification is named. */
export class CommissionNotificationDto {
  /** 届出番号 as shown by the commission's system */
  @IsString() @IsNotBlank() @MaxLength(50) number!: string;
  /** 届出日 YYYY/MM/DD */
  @IsSeirekiDate() date!: string;
}

/** One 独自利用事務 (an affair a body added to the number's uses by its own ordinance). */
export class IndependentUseAffairDto {
  /** 事例番号 of the commission's list of linkable cases, when the affair follows one */
  @IsOptional() @IsString() @IsNotBlank() @MaxLength(20) caseNo?: string;
  /** 独自利用事務名 */
  @IsString() @IsNotBlank() @MaxLength(200) affairName!: string;
  /** 条例名 */
  @IsString() @IsNotBlank() @MaxLength(200) ordinanceName!: string;
  /** 根拠条項, e.g. 第4条第1項, 別表第1の3の項 */
  @IsString() @IsNotBlank() @MaxLength(100) ordinanceArticle!: string;
  @IsDefined() @ValidateNested() @Type(() => CommissionNotificationDto) notification!: CommissionNotificationDto;
}

interface Form0309Shape {
  applicationDate?: unknown;
}
interface AffairShape {
  affairName?: unknown;
  notification?: { date?: unknown };
}

/** 届出 after the application: the application cannot match a notification not yet made. YYYY/MM/DD sorts as text. */
function notifiedLater(affairs: unknown, applicationDate: unknown): string[] {
  if (!Array.isArray(affairs) || typeof applicationDate !== 'string') return [];
  return (affairs as AffairShape[])
    .filter((a) => typeof a?.notification?.date === 'string' && a.notification.date > applicationDate && typeof a.affairName === 'string')
    .map((a) => a.affairName as string);
}

/** 様03-09 独自利用事務に関する情報連携事務の登録（変更）申請書 */
export class Form0309Dto {
  @IsSeirekiDate() applicationDate!: string;
  /** 申請区分: filled from the application's when left out (see saveForm); in a 登録 or 変更 it must be the application's. */
  @IsOptional() @IsIn(['登録', '変更']) category?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUniqueBy<IndependentUseAffairDto>((a) => textKey(a.affairName), ['独自利用事務名', 'affair'])
  @Satisfies<Form0309Shape>('notifiedBeforeApplication', (value, form) => notifiedLater(value, form.applicationDate).length === 0, (value, form) => {
    const names = notifiedLater(value, form.applicationDate).join('、');
    return [
      `個人情報保護委員会への届出日が申請年月日より後になっています（${names}）。届出済みの内容で申請してください。`,
      `the notification to the Personal Information Protection Commission is dated after the application (${names}); apply with what was notified`,
    ];
  })
  @ValidateNested({ each: true })
  @Type(() => IndependentUseAffairDto)
  affairs!: IndependentUseAffairDto[];
}

// Illustrative 独自利用事務 of the kinds many cities notify (就学援助, a city's own disability allowance);
// ordinance, article and notification numbers are not taken from 八王子市's real filings.
export const FORM_0309_EXAMPLE: JsonObject = {
  applicationDate: '2026/11/20',
  affairs: [
    {
      caseNo: '5',
      affairName: '学校教育法による就学援助に準ずる学用品費等の支給に関する事務',
      ordinanceName: '八王子市行政手続における特定の個人を識別するための番号の利用等に関する法律に基づく個人番号の利用に関する条例',
      ordinanceArticle: '別表第1の3の項',
      notification: { number: '132012-2026-001', date: '2026/06/30' },
    },
    {
      affairName: '八王子市心身障害者福祉手当の支給に関する事務',
      ordinanceName: '八王子市行政手続における特定の個人を識別するための番号の利用等に関する法律に基づく個人番号の利用に関する条例',
      ordinanceArticle: '別表第1の7の項',
      notification: { number: '132012-2026-002', date: '2026/06/30' },
    },
  ],
};

export const form0309 = classValidatorForm({
  code: '03-09',
  title: { ja: '様03-09 独自利用事務に関する情報連携事務の登録（変更）申請書', en: 'Form 03-09: independent-use affairs linked by ordinance' },
  dto: Form0309Dto,
  // Affairs, ordinances and notification references: no staff data on this form.
  personalFields: [],
  example: FORM_0309_EXAMPLE,
});
