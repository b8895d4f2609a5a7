import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { localized } from '@nws/engine';
import { ORGANIZATION_KINDS } from '@nws/workflows/connection-application';
import { ACCESS_REFERENCE_PATTERN, LEGAL_BASES_FOR } from '@nws/personal-data';
import { IsBodyCode } from '../http/body-code.decorator';
import { IsInstantWithOffset, IsNotBefore, PlusOffsetInQuery } from '../http/instant.decorator';
import { PageQueryDto } from '../http/page-query.dto';

/** Body of erasure, suspension and resumption requests: codes only, so the immutable trail holds no free text. */
class SubjectRequestDto {
  @ApiPropertyOptional({ description: '受付番号 of the request: 1–64 of A-Z a-z 0-9 . _ / - (never a name)' })
  @IsOptional()
  @Matches(ACCESS_REFERENCE_PATTERN, { message: localized('受付番号は英数字と . _ / - の1〜64文字で指定してください（氏名は書かないでください）。', 'must be 1–64 of A-Z a-z 0-9 . _ / - (a 受付番号, never a name)') })
  reference?: string;
}

// One DTO per request, each with the bases that request may cite: a refusal then lists those, and
// so does the OpenAPI document, not all five codes.
export class ErasureRequestDto extends SubjectRequestDto {
  @ApiProperty({ enum: LEGAL_BASES_FOR.erasure, description: 'legal basis of the erasure (codes; see the README)' })
  @IsIn(LEGAL_BASES_FOR.erasure)
  legalBasis!: string;
}

export class SuspensionRequestDto extends SubjectRequestDto {
  @ApiProperty({ enum: LEGAL_BASES_FOR.suspension, description: 'legal basis of the suspension (codes; see the README)' })
  @IsIn(LEGAL_BASES_FOR.suspension)
  legalBasis!: string;
}

export class ResumptionRequestDto extends SubjectRequestDto {
  @ApiProperty({ enum: LEGAL_BASES_FOR.resumption, description: 'legal basis of lifting the suspension (codes; see the README)' })
  @IsIn(LEGAL_BASES_FOR.resumption)
  legalBasis!: string;
}

/** A body is an organ of a code: a 市町村教育委員会 is not its 市町村長部局. */
const ORGAN_QUERY = {
  enum: ORGANIZATION_KINDS,
  description: "the organ (機関種類) of the code: the caller's own organ for its own code, else the code's default organ (its 首長部局)",
};

export class SubjectListQueryDto {
  @ApiPropertyOptional({ description: 'the body (defaults to the caller’s)' })
  @IsOptional()
  @IsBodyCode()
  organizationCode?: string;

  @ApiPropertyOptional(ORGAN_QUERY) @IsOptional() @IsIn(ORGANIZATION_KINDS) organ?: string;
}

export class AccessLogQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'reads of this data subject (ps-…)' }) @IsOptional() @Matches(/^ps-[A-Za-z0-9_-]{1,40}$/, { message: localized('本人ID（ps- で始まるもの）で指定してください。', 'must be a data subject id (ps-…)') }) subjectId?: string;
  @ApiPropertyOptional({ description: 'reads of personal data of this body' }) @IsOptional() @IsBodyCode() organizationCode?: string;
  @ApiPropertyOptional(ORGAN_QUERY) @IsOptional() @IsIn(ORGANIZATION_KINDS) organ?: string;
  @ApiPropertyOptional({ description: 'reads of this application' }) @IsOptional() @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value)) @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: localized('申請ID（UUID）で指定してください。', 'must be an application id (a UUID)') }) applicationId?: string;
  @ApiPropertyOptional({ description: 'reads by this caller (token sub)' }) @IsOptional() @Matches(/^[\x21-\x7e]{1,200}$/, { message: localized('1〜200文字の表示可能な ASCII 文字で指定してください。', 'must be 1 to 200 printable ASCII characters') }) actorSub?: string;
  @ApiPropertyOptional({ description: "reads by callers of this body (token org)" }) @IsOptional() @IsBodyCode() actorOrg?: string;
  @ApiPropertyOptional({ description: 'reads at or after this time (ISO 8601 with an offset: Z or +09:00)' }) @IsOptional() @PlusOffsetInQuery() @IsInstantWithOffset() from?: string;
  @ApiPropertyOptional({ description: 'reads at or before this time (ISO 8601 with an offset: Z or +09:00)' }) @IsOptional() @PlusOffsetInQuery() @IsInstantWithOffset() @IsNotBefore('from') to?: string;
  @ApiPropertyOptional({ enum: ['oldest', 'newest'], default: 'oldest', description: 'newest first: who read the data lately' }) @IsOptional() @IsIn(['oldest', 'newest']) order?: 'oldest' | 'newest';
}
