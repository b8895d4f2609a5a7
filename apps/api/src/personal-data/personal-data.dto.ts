import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import { LEGAL_BASES } from '@nws/personal-data';
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
  @IsOptional() @Matches(/^ps-[A-Za-z0-9_-]{1,40}$/) subjectId?: string;
  @IsOptional() @Matches(BODY) organizationCode?: string;
  @IsOptional() @Matches(/^[0-9a-f-]{36}$/) applicationId?: string;
  @IsOptional() @Matches(/^[\x21-\x7e]{1,200}$/) actorSub?: string;
  @IsOptional() @Matches(BODY) actorOrg?: string;
  @IsOptional() @IsISO8601() from?: string;
  @IsOptional() @IsISO8601() to?: string;
}
