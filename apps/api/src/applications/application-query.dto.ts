import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsISO8601, IsInt, IsOptional, Matches, Min } from 'class-validator';
import { localized } from '@nws/engine';
import { PageQueryDto } from '../http/page-query.dto';

/** `?asOfRevision=N` / `?asOf=<ISO time>`: the application as it stood then, folded from its events. */
export class ApplicationQueryDto {
  @ApiPropertyOptional({ description: 'fold events up to this revision (inclusive)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  asOfRevision?: number;

  @ApiPropertyOptional({ description: 'fold events that occurred at or before this ISO-8601 time, with a time-zone offset (Z or ±hh:mm)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/(Z|[+-]\d{2}:?\d{2})$/, { message: localized('時差（Z または +09:00 など）を含む ISO 8601 の日時で指定してください。', 'must be an ISO 8601 time with an offset (Z or +09:00)') })
  asOf?: string;
}

/** GET /applications: one page, newest first. */
export class ListQueryDto extends PageQueryDto {}
