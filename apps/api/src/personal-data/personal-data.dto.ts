import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { LEGAL_BASES } from '@nws/personal-data';
import { IsInstantWithOffset, IsNotBefore } from '../http/instant.decorator';
import { PageQueryDto } from '../http/page-query.dto';

const BODY = /^(\d{6}|J-LIS|MIC)$/;
const ASCII_REFERENCE = /^[A-Za-z0-9._/-]{1,64}$/;

/** Body of erasure, suspension and resumption requests: codes only, so the immutable trail holds no free text. */
export class SubjectRequestDto {
  @ApiProperty({ enum: Object.keys(LEGAL_BASES), description: 'legal basis (codes; see the README)' })
  @IsIn(Object.keys(LEGAL_BASES))
  legalBasis!: string;

  @ApiPropertyOptional({ description: '受付番号 of the request: 1–64 of A-Z a-z 0-9 . _ / - (never a name)' })
  @IsOptional()
  @Matches(ASCII_REFERENCE)
  reference?: string;
}

export class SubjectListQueryDto {
  @ApiPropertyOptional({ description: 'the body (defaults to the caller’s)' })
  @IsOptional()
  @Matches(BODY)
  organizationCode?: string;
}

export class AccessLogQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'reads of this data subject (ps-…)' }) @IsOptional() @Matches(/^ps-[A-Za-z0-9_-]{1,40}$/) subjectId?: string;
  @ApiPropertyOptional({ description: 'reads of personal data of this body' }) @IsOptional() @Matches(BODY) organizationCode?: string;
  @ApiPropertyOptional({ description: 'reads of this application' }) @IsOptional() @Matches(/^[0-9a-f-]{36}$/) applicationId?: string;
  @ApiPropertyOptional({ description: 'reads by this caller (token sub)' }) @IsOptional() @Matches(/^[\x21-\x7e]{1,200}$/) actorSub?: string;
  @ApiPropertyOptional({ description: "reads by callers of this body (token org)" }) @IsOptional() @Matches(BODY) actorOrg?: string;
  @ApiPropertyOptional({ description: 'reads at or after this time (ISO 8601 with an offset: Z or +09:00)' }) @IsOptional() @IsInstantWithOffset() from?: string;
  @ApiPropertyOptional({ description: 'reads at or before this time (ISO 8601 with an offset: Z or +09:00)' }) @IsOptional() @IsInstantWithOffset() @IsNotBefore('from') to?: string;
}
