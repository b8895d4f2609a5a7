import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsISO8601, IsInt, IsOptional, Min } from 'class-validator';

/** `?asOfRevision=N` / `?asOf=<ISO time>`: the application as it stood then, folded from its events. */
export class ApplicationQueryDto {
  @ApiPropertyOptional({ description: 'fold events up to this revision (inclusive)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  asOfRevision?: number;

  @ApiPropertyOptional({ description: 'fold events that occurred at or before this ISO-8601 time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  asOf?: string;
}

export class ListQueryDto {
  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  limit?: number;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}
