import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import { IsInstantWithOffset } from '../http/instant.decorator';
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
  @IsInstantWithOffset()
  asOf?: string;
}

/** GET /applications: one page, newest first. */
export class ListQueryDto extends PageQueryDto {}
