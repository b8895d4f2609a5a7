import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, ValidateIf, ValidateNested, IsDefined } from 'class-validator';
import { classValidatorForm, IsNotBlank } from '@nws/engine';
import { IsSeirekiDate } from './jp-validators';
import { ResponsiblePersonDto } from './form-02-01.form';

export const CHECK_RESULTS = ['適合', '不適合', '該当なし'] as const;

export class CheckItemDto {
  @IsIn(CHECK_RESULTS) result!: string;
  /** 不適合 needs the remediation plan. */
  @ValidateIf((item: CheckItemDto) => item.result === '不適合') @IsString() @IsNotBlank() @MaxLength(1000) note?: string;
}

export class BasicFrameworkDto {
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) responsibility!: CheckItemDto;
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) reporting!: CheckItemDto;
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) incidentResponse!: CheckItemDto;
}
export class OutsourcingDto {
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) selectionCriteria!: CheckItemDto;
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) performanceCheck!: CheckItemDto;
}
export class LifecycleDto {
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) documentHandling!: CheckItemDto;
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) maintenance!: CheckItemDto;
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) review!: CheckItemDto;
}
export class SecurityRequirementsDto {
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) authentication!: CheckItemDto;
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) accessControl!: CheckItemDto;
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) malwareProtection!: CheckItemDto;
}
export class ComponentsDto {
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) networkLines!: CheckItemDto;
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) freeMailProhibition!: CheckItemDto;
  @IsDefined() @ValidateNested() @Type(() => CheckItemDto) timeSync!: CheckItemDto;
}

export class SafetyAreasDto {
  /** 1 基本的枠組み */
  @IsDefined() @ValidateNested() @Type(() => BasicFrameworkDto) basicFramework!: BasicFrameworkDto;
  /** 2 外部委託 */
  @IsDefined() @ValidateNested() @Type(() => OutsourcingDto) outsourcing!: OutsourcingDto;
  /** 3 ライフサイクル */
  @IsDefined() @ValidateNested() @Type(() => LifecycleDto) lifecycle!: LifecycleDto;
  /** 4 セキュリティ要件 */
  @IsDefined() @ValidateNested() @Type(() => SecurityRequirementsDto) securityRequirements!: SecurityRequirementsDto;
  /** 5 構成要素 */
  @IsDefined() @ValidateNested() @Type(() => ComponentsDto) components!: ComponentsDto;
}

/** 様02-06 安全管理措置確認結果報告書 */
export class Form0206Dto {
  @IsSeirekiDate() reportDate!: string;
  /** Must be the 情報システム責任者 of 様02-01 (checked at submit). */
  @IsDefined() @ValidateNested() @Type(() => ResponsiblePersonDto) reporter!: ResponsiblePersonDto;
  @IsDefined() @ValidateNested() @Type(() => SafetyAreasDto) areas!: SafetyAreasDto;
  @IsOptional() @IsString() @MaxLength(2000) remarks?: string;
}

const ok = { result: '適合' };
export const form0206 = classValidatorForm({
  code: '02-06',
  title: { ja: '様02-06 安全管理措置確認結果報告書', en: 'Form 02-06: safety-management self-check report' },
  dto: Form0206Dto,
  personalFields: ['reporter.name'],
  example: {
    reportDate: '2026/11/20',
    reporter: { title: '情報政策担当部長', name: '佐藤 一郎' },
    areas: {
      basicFramework: { responsibility: ok, reporting: ok, incidentResponse: ok },
      outsourcing: { selectionCriteria: ok, performanceCheck: { result: '該当なし' } },
      lifecycle: { documentHandling: ok, maintenance: ok, review: ok },
      securityRequirements: { authentication: ok, accessControl: ok, malwareProtection: ok },
      components: { networkLines: ok, freeMailProhibition: ok, timeSync: ok },
    },
  },
});
