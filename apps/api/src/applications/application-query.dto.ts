import { ApiPropertyOptional } from '@nestjs/swagger';
import { LARGEST_WHOLE_NUMBER, WholeNumber } from '../http/whole-number.transform';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { localized } from '@nws/engine';
import { ALL_WORKFLOWS, APPLICATION_NUMBER_PATTERN } from '@nws/workflows';
import { IsBodyCode } from '../http/body-code.decorator';
import { IsInstantWithOffset, PlusOffsetInQuery } from '../http/instant.decorator';
import { CursorPageQueryDto } from '../http/page-cursor';
import { ORGANIZATION_KINDS } from '@nws/workflows/shared/organizations';

/** `?asOfRevision=N` / `?asOf=<ISO time>`: the application as it stood then, folded from its events. */
export class ApplicationQueryDto {
  @ApiPropertyOptional({ description: 'fold events up to this revision (inclusive)' })
  @IsOptional()
  @WholeNumber()
  @IsInt()
  @Min(0)
  @Max(LARGEST_WHOLE_NUMBER)
  asOfRevision?: number;

  @ApiPropertyOptional({ description: 'fold events that occurred at or before this ISO-8601 time, with a time-zone offset (Z or ±hh:mm)' })
  @IsOptional()
  @PlusOffsetInQuery()
  @IsInstantWithOffset()
  asOf?: string;
}

const unique = (values: readonly string[]) => [...new Set(values)];
/** What the deployed workflows can hold, so a misspelt filter is refused rather than answered with an empty list. */
const WORKFLOW_NAMES = unique(ALL_WORKFLOWS.map((definition) => definition.name));
// `new` is the machine's state before its creation event: no stored application is in it.
const LISTED_STATES = unique(ALL_WORKFLOWS.flatMap((definition) => Object.keys(definition.machine.config.states ?? {}))).filter((state) => state !== 'new');
const CATEGORIES = unique(
  ALL_WORKFLOWS.flatMap((definition) => {
    const category = (definition.createInput.schema['properties'] as { category?: { enum?: unknown } } | undefined)?.category?.enum;
    return Array.isArray(category) ? category.map(String) : [];
  }),
);

/** GET /applications: one page, newest first, narrowed by body, organ, workflow, 申請区分 and state. */
export class ListQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ description: 'the applying body (6-digit code, J-LIS or MIC)', example: '132012' })
  @IsOptional()
  @IsBodyCode()
  organizationCode?: string;

  @ApiPropertyOptional({ enum: ORGANIZATION_KINDS, description: '機関種類: the applying organ (a code\'s 知事部局 and 教育委員会 share it)' })
  @IsOptional()
  @IsIn(ORGANIZATION_KINDS)
  organizationKind?: string;

  @ApiPropertyOptional({ enum: WORKFLOW_NAMES })
  @IsOptional()
  @IsIn(WORKFLOW_NAMES)
  workflow?: string;

  @ApiPropertyOptional({ enum: CATEGORIES, description: '申請区分' })
  @IsOptional()
  @IsIn(CATEGORIES)
  category?: string;

  @ApiPropertyOptional({ enum: LISTED_STATES, isArray: true, description: 'states, comma-separated or repeated (any of them)' })
  @IsOptional()
  // Comma-separated, repeated, or both (`?state=draft,firstReview&state=withdrawn`); a state named twice counts once.
  @Transform(({ value }: { value: unknown }) => {
    const given = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
    return given ? [...new Set(given.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== ''))] : value;
  })
  @IsArray()
  // `?state=` (or `?state=,`) names no state: a 400, not an empty list the caller takes for "none".
  @ArrayNotEmpty()
  @ArrayMaxSize(LISTED_STATES.length)
  @IsIn(LISTED_STATES, { each: true })
  state?: string[];

  @ApiPropertyOptional({ description: '申請番号 (assigned at the first submission), upper or lower case', example: '20261208-132012-AFEA8A' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @Matches(APPLICATION_NUMBER_PATTERN, {
    message: localized('申請番号（例 20261208-132012-AFEA8A、アカウント発行申請は AR- で始まる）で指定してください。', 'must be an application number (申請番号), e.g. 20261208-132012-AFEA8A (AR-… for an account request)'),
  })
  applicationNumber?: string;
}
