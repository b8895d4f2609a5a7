import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength, ValidateNested } from 'class-validator';
import { classValidatorForm, IsNotBlank } from '@nws/engine';
import { IsContactEmail, IsJapanesePhoneNumber, displayPhones, phoneDigits } from '../../connection-application/forms/jp-validators';
import { IsUniqueBy } from '../../connection-application/forms/rule-validators';

/** One address however it was typed (case, full-width letters): an account is issued per address. */
export const addressKey = (email: string): string => email.normalize('NFKC').toLowerCase();

export class AccountHolderDto {
  @IsString() @IsNotBlank() @MaxLength(50) name!: string;
  @IsString() @IsNotBlank() @MaxLength(100) department!: string;
  @IsString() @IsNotBlank() @MaxLength(100) title!: string;
  @IsContactEmail() email!: string;
  @IsJapanesePhoneNumber('fixed') phone!: string;
}

/** 情報共有サイト アカウント発行申請書 */
export class AccountRequestFormDto {
  /** 利用目的 */
  @IsString() @IsNotBlank() @MaxLength(500) purpose!: string;
  // One account per address: the same holder twice was issued two accounts.
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsUniqueBy<AccountHolderDto>((holder) => (typeof holder.email === 'string' ? addressKey(holder.email) : undefined), ['アカウント保有者のメールアドレス', 'holder e-mail address'])
  @ValidateNested({ each: true })
  @Type(() => AccountHolderDto)
  holders!: AccountHolderDto[];
}

export const accountRequestForm = classValidatorForm({
  code: 'AR-01',
  title: { ja: '情報共有サイト アカウント発行申請書', en: 'Information-sharing site account request' },
  dto: AccountRequestFormDto,
  personalFields: ['holders[].name', 'holders[].email', 'holders[].phone'],
  normalise: (form) => ({ purpose: form.purpose, holders: form.holders.map((h) => ({ ...h, phone: phoneDigits(h.phone) })) }),
  display: (stored) => displayPhones(stored, ['holders[].phone']),
  example: {
    purpose: '情報連携に関する運用連絡・資料の閲覧のため',
    holders: [{ name: '田中 三郎', department: '情報管理課', title: '主任', email: 'renkei@city.hachioji.tokyo.jp', phone: '042-620-7200' }],
  },
});
