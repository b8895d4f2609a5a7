import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsIn, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { isJsonObject, IsNotBlank, validateDto, type FieldViolation } from '@nws/engine';
import type { ClassConstructor } from 'class-transformer';
import { BODY_TYPES, EXTRA_CHOICE_IDS } from '@nws/reference-catalog';
import { IsSeirekiDate } from './jp-validators';
import { IsLocalGovernmentCode } from './catalog-validators';
import { PiaDto } from './form-03-07.form';
import { DelegationDto } from './form-03-08.form';
import { IndependentUseAffairDto } from './form-03-09.form';

/*
 * The shapes of the selection screen's input (申請前情報選択画面). The catalog (libs/reference-catalog)
 * checks values against 別表第二 and trusts shapes: a number where it reads a list would throw
 * there. Held here to the same DTOs as the forms the choices end up in (PIA, 委任の根拠, 独自利用事務),
 * so a wrong entry is refused naming the field the client sent (`receivedQueries[0].delegation.chain`),
 * not the row of a generated form it would have become.
 */

/** 機関種類 and what refines it. Which codes and extra choices fit the type is the catalog's to say. */
export class BodySelectionDto {
  @IsIn(BODY_TYPES) bodyType!: string;
  @IsOptional() @IsString() @MaxLength(6) localGovernmentCode?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @IsIn(EXTRA_CHOICE_IDS, { each: true }) extraChoices?: string[];
}

/** 受任事務: an affair queried on behalf of another body. */
export class ReceivedQueryChoiceDto {
  @IsString() @MaxLength(10) itemNo!: string;
  @IsOptional() @IsString() @IsNotBlank() @MaxLength(200) procedure?: string;
  @IsDefined() @ValidateNested() @Type(() => DelegationDto) delegation!: DelegationDto;
}

/** 委任した特定個人情報: a row (`項番-行内連番`) the delegatee provides instead. */
export class DelegatedProvisionChoiceDto {
  @IsString() @MaxLength(20) key!: string;
  @IsString() @IsLocalGovernmentCode() delegateeCode!: string;
}

/** 受任により情報提供を行う特定個人情報 */
export class ReceivedProvisionChoiceDto {
  @IsString() @MaxLength(20) key!: string;
  @IsDefined() @ValidateNested() @Type(() => DelegationDto) delegation!: DelegationDto;
}

/** The applicant's choices (FormGenerationInput without the body, the date and the category). */
export class SelectionChoicesDto {
  /** PIA status of every row without its own entry below. */
  @IsDefined() @ValidateNested() @Type(() => PiaDto) pia!: PiaDto;
  /** Per 項番 of a queried affair: each value is checked as `pia` is (checkSelectionInput). */
  @IsOptional() @IsObject() piaByQuery?: Record<string, PiaDto>;
  /** Per provision key (`項番-行内連番`). */
  @IsOptional() @IsObject() piaByProvision?: Record<string, PiaDto>;
  @IsOptional() @IsArray() @ArrayMaxSize(300) @IsString({ each: true }) notQuerying?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(300) @ValidateNested({ each: true }) @Type(() => ReceivedQueryChoiceDto) receivedQueries?: ReceivedQueryChoiceDto[];
  @IsOptional() @IsArray() @ArrayMaxSize(600) @IsString({ each: true }) notProviding?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(600) @ValidateNested({ each: true }) @Type(() => DelegatedProvisionChoiceDto) delegatedProvisions?: DelegatedProvisionChoiceDto[];
  @IsOptional() @IsArray() @ArrayMaxSize(600) @ValidateNested({ each: true }) @Type(() => ReceivedProvisionChoiceDto) receivedProvisions?: ReceivedProvisionChoiceDto[];
  @IsOptional() @IsArray() @ArrayMaxSize(600) @IsString({ each: true }) alsoProviding?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => IndependentUseAffairDto) independentUse?: IndependentUseAffairDto[];
}

/** `generate-selection-forms` on a draft: the body and date come from the application, its extra choices from the applicant. */
export class GenerateSelectionFormsDto extends SelectionChoicesDto {
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @IsIn(EXTRA_CHOICE_IDS, { each: true }) extraChoices?: string[];
}

/** `POST /reference/beppyo2/forms`: the whole FormGenerationInput of the catalog. */
export class FormGenerationInputDto extends SelectionChoicesDto {
  @IsDefined() @ValidateNested() @Type(() => BodySelectionDto) body!: BodySelectionDto;
  /** 申請年月日 YYYY/MM/DD */
  @IsSeirekiDate() applicationDate!: string;
  @IsOptional() @IsIn(['登録', '変更']) category?: string;
}

/** Published with the workflow (GET /workflows/connection-application, `selection`): every query affair done, with its PIA, and one 独自利用事務. */
export const SELECTION_EXAMPLE = {
  pia: { status: '実施済', documents: [{ number: '1', title: '住民基本台帳に関する事務 全項目評価書' }] },
  independentUse: [
    {
      affairName: '学校教育法による就学援助に準ずる学用品費等の支給に関する事務',
      ordinanceName: '八王子市行政手続における特定の個人を識別するための番号の利用等に関する法律に基づく個人番号の利用に関する条例',
      ordinanceArticle: '別表第1の3の項',
      notification: { number: '132012-2026-001', date: '2026/06/30' },
    },
  ],
};

const PIA_MAPS = ['piaByQuery', 'piaByProvision'] as const;
/** More keys than 別表第二 has rows is not a selection. */
const MAX_PIA_ENTRIES = 1000;

/**
 * The violations of the input's shapes, every one at once, or none. The PIA maps are records
 * keyed by the client's own 項番 or row keys, which class-validator cannot walk: each value is
 * held to PiaDto here.
 */
export function checkSelectionInput(dto: ClassConstructor<SelectionChoicesDto>, input: unknown): FieldViolation[] {
  const checked = validateDto(dto, input);
  const violations = checked.ok ? [] : [...checked.violations];
  if (!isJsonObject(input)) return violations;
  for (const map of PIA_MAPS) {
    const entries = input[map];
    if (!isJsonObject(entries)) continue;
    const keys = Object.keys(entries);
    if (keys.length > MAX_PIA_ENTRIES) {
      violations.push({ field: map, rule: 'maxEntries', message: { ja: `${map}: ${MAX_PIA_ENTRIES}件以内にしてください。`, en: `${map}: allows at most ${MAX_PIA_ENTRIES} entries` } });
      continue;
    }
    for (const key of keys) {
      const pia = validateDto(PiaDto, entries[key]);
      if (pia.ok) continue;
      violations.push(...pia.violations.map((v) => violationUnder(v, `${map}.${key}`)));
    }
  }
  return violations;
}

/** A violation of a nested value, named from the body: its field and the field its message starts with. */
export function violationUnder(violation: FieldViolation, parent: string): FieldViolation {
  const field = violation.field === '(body)' ? parent : `${parent}.${violation.field}`;
  const rename = (text: string) => (text.startsWith(`${violation.field}:`) ? `${field}${text.slice(violation.field.length)}` : text);
  return { field, rule: violation.rule, message: { ja: rename(violation.message.ja), en: rename(violation.message.en) } };
}
