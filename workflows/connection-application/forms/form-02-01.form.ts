import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, ValidateNested, IsDefined } from 'class-validator';
import { classValidatorForm, IsNotBlank } from '@nws/engine';
import { IsContactEmail, IsJapanesePhoneNumber, IsSeirekiDate, displayPhones, phoneDigits } from './jp-validators';

export const ORGANIZATION_CLASSIFICATIONS = ['取りまとめ都道府県', '情報照会者等'] as const;

export class OrganizationInfoDto {
  /** 機関区分① */
  @IsIn(['地方公共団体', '地方独立行政法人', 'その他']) category1!: string;
  /** 機関区分②: the prefecture */
  @IsString() @IsNotBlank() @MaxLength(10) category2!: string;
  /** 機関名 */
  @IsString() @IsNotBlank() @MaxLength(100) name!: string;
  /** 機関の分類 */
  @IsIn(ORGANIZATION_CLASSIFICATIONS) classification!: string;
}

export class FillerDto {
  @IsString() @IsNotBlank() @MaxLength(100) department!: string;
  @IsString() @IsNotBlank() @MaxLength(50) name!: string;
  @IsOptional() @IsJapanesePhoneNumber('any') phone?: string;
  @IsOptional() @IsContactEmail() email?: string;
}

export class ResponsiblePersonDto {
  /** 役職 (e.g. 情報政策担当部長) */
  @IsString() @IsNotBlank() @MaxLength(100) title!: string;
  @IsString() @IsNotBlank() @MaxLength(50) name!: string;
}

export class StaffUnitDto {
  /** 課室 */
  @IsString() @IsNotBlank() @MaxLength(100) division!: string;
  /** 係 */
  @IsString() @IsNotBlank() @MaxLength(100) section!: string;
}

export class ResponsibleStructureDto {
  /** ① 情報システム責任者 */
  @IsDefined() @ValidateNested() @Type(() => ResponsiblePersonDto) systemResponsible!: ResponsiblePersonDto;
  /** ② 情報システム管理者 */
  @IsDefined() @ValidateNested() @Type(() => ResponsiblePersonDto) systemManager!: ResponsiblePersonDto;
  /** ③ 担当 */
  @IsDefined() @ValidateNested() @Type(() => StaffUnitDto) staff!: StaffUnitDto;
}

/** 様02-01 責任体制登録（変更）申請書 */
export class Form0201Dto {
  @IsDefined() @ValidateNested() @Type(() => OrganizationInfoDto) organization!: OrganizationInfoDto;
  @IsSeirekiDate() applicationDate!: string;
  /** 申請区分: filled from the application's when left out (see saveForm); in a 登録 or 変更 it must be the application's. */
  @IsOptional() @IsIn(['登録', '変更']) category?: string;
  /** 記入担当者: changing only the filler needs no review. */
  @IsDefined() @ValidateNested() @Type(() => FillerDto) filler!: FillerDto;
  @IsDefined() @ValidateNested() @Type(() => ResponsibleStructureDto) structure!: ResponsibleStructureDto;
}

export const form0201 = classValidatorForm({
  code: '02-01',
  title: { ja: '様02-01 責任体制登録（変更）申請書', en: 'Form 02-01: responsibility structure' },
  dto: Form0201Dto,
  personalFields: ['filler.name', 'filler.phone', 'filler.email', 'structure.systemResponsible.name', 'structure.systemManager.name'],
  normalise: (form) => (form.filler.phone ? { ...form, filler: { ...form.filler, phone: phoneDigits(form.filler.phone) } } : form) as never,
  display: (stored) => displayPhones(stored, ['filler.phone']),
  example: {
    organization: { category1: '地方公共団体', category2: '東京都', name: '八王子市', classification: '情報照会者等' },
    applicationDate: '2026/11/20',
    filler: { department: '情報管理課', name: '山田 花子', phone: '042-626-3111', email: 'joho@city.hachioji.tokyo.jp' },
    structure: {
      systemResponsible: { title: '情報政策担当部長', name: '佐藤 一郎' },
      systemManager: { title: '情報政策担当課長', name: '鈴木 次郎' },
      staff: { division: '情報管理課', section: '情報連携係' },
    },
  },
});
