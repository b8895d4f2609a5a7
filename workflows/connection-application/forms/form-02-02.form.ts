import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, Max, MaxLength, Min, ValidateNested, IsDefined } from 'class-validator';
import { classValidatorForm, IsNotBlank } from '@nws/engine';
import { IsContactEmail, IsJapanesePhoneNumber, IsPriorityOrder, displayPhones, phoneDigits } from './jp-validators';

export class ContactManagerDto {
  @IsString() @IsNotBlank() @MaxLength(100) title!: string;
  @IsString() @IsNotBlank() @MaxLength(50) name!: string;
}

/** 通常連絡先 (weekday daytime): a department's direct number and an e-mail; published to connected bodies. */
export class NormalContactDto {
  @IsInt() @Min(1) @Max(20) priority!: number;
  @IsString() @IsNotBlank() @MaxLength(100) department!: string;
  @IsString() @IsNotBlank() @MaxLength(50) name!: string;
  @IsJapanesePhoneNumber('fixed') phone!: string;
  @IsContactEmail() email!: string;
}

/** 緊急連絡先 (nights, holidays): a mobile; held, but never published or distributed. */
export class EmergencyContactDto {
  @IsInt() @Min(1) @Max(20) priority!: number;
  @IsString() @IsNotBlank() @MaxLength(50) name!: string;
  @IsJapanesePhoneNumber('mobile') mobile!: string;
  @IsContactEmail() email!: string;
}

/** 様02-02 連絡窓口登録（変更）申請書 */
export class Form0202Dto {
  @IsDefined() @ValidateNested() @Type(() => ContactManagerDto) contactManager!: ContactManagerDto;
  @IsDefined() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsPriorityOrder() @ValidateNested({ each: true }) @Type(() => NormalContactDto)
  normalContacts!: NormalContactDto[];
  @IsDefined() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsPriorityOrder() @ValidateNested({ each: true }) @Type(() => EmergencyContactDto)
  emergencyContacts!: EmergencyContactDto[];
}

export const form0202 = classValidatorForm({
  code: '02-02',
  title: { ja: '様02-02 連絡窓口登録（変更）申請書', en: 'Form 02-02: contact points' },
  dto: Form0202Dto,
  personalFields: [
    'contactManager.name',
    'normalContacts[].name',
    'normalContacts[].phone',
    'normalContacts[].email',
    'emergencyContacts[].name',
    'emergencyContacts[].mobile',
    'emergencyContacts[].email',
  ],
  normalise: (form) => ({
    contactManager: { ...form.contactManager },
    normalContacts: form.normalContacts.map((c) => ({ ...c, phone: phoneDigits(c.phone) })),
    emergencyContacts: form.emergencyContacts.map((c) => ({ ...c, mobile: phoneDigits(c.mobile) })),
  }),
  display: (stored) => displayPhones(stored, ['normalContacts[].phone', 'emergencyContacts[].mobile']),
  example: {
    contactManager: { title: '情報政策担当部長', name: '佐藤 一郎' },
    normalContacts: [
      { priority: 1, department: '情報管理課 情報連携係', name: '田中 三郎', phone: '042-620-7200', email: 'renkei@city.hachioji.tokyo.jp' },
      { priority: 2, department: '情報管理課', name: '高橋 四郎', phone: '042-620-7201', email: 'joho@city.hachioji.tokyo.jp' },
    ],
    emergencyContacts: [{ priority: 1, name: '田中 三郎', mobile: '090-1234-5678', email: 'renkei-kinkyu@city.hachioji.tokyo.jp' }],
  },
});
