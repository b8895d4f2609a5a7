import { ApiPropertyOptional } from '@nestjs/swagger';
import { LARGEST_WHOLE_NUMBER, WholeNumber } from '../http/whole-number.transform';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { localized } from '@nws/engine';
import { ApplicationQueryDto } from '../applications/application-query.dto';

/** `?from=<round>&to=<round>`; both optional: the last rejected round against its resubmission. */
export class RoundDiffQueryDto {
  @ApiPropertyOptional({ description: 'round to compare from (default: the last rejected round)' })
  @IsOptional()
  @WholeNumber()
  @IsInt()
  @Min(1)
  @Max(LARGEST_WHOLE_NUMBER)
  from?: number;

  @ApiPropertyOptional({ description: 'round to compare to (default: the round after `from`, i.e. the resubmission)' })
  @IsOptional()
  @WholeNumber()
  @IsInt()
  @Min(1)
  @Max(LARGEST_WHOLE_NUMBER)
  to?: number;
}

export const DIAGRAM_FORMATS = ['json', 'mermaid', 'svg'] as const;

/** The path of an application, optionally as it stood at a revision or a time. */
export class PathQueryDto extends ApplicationQueryDto {
  @ApiPropertyOptional({ enum: DIAGRAM_FORMATS, description: 'json (default) or mermaid (text/plain); also chosen by Accept' })
  @IsOptional()
  @IsIn(DIAGRAM_FORMATS)
  format?: (typeof DIAGRAM_FORMATS)[number];
}

export class DiagramQueryDto {
  @ApiPropertyOptional({ description: 'machine version (default: the latest)' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9A-Za-z.-]{1,20}$/, { message: localized('機械のバージョン（英数字、. と - の1〜20文字）で指定してください。', 'must be a machine version: 1–20 of A-Z a-z 0-9 . -') })
  version?: string;

  @ApiPropertyOptional({ enum: DIAGRAM_FORMATS, description: 'mermaid (default, text/plain) or json ({ mermaid }); also chosen by Accept' })
  @IsOptional()
  @IsIn(DIAGRAM_FORMATS)
  format?: (typeof DIAGRAM_FORMATS)[number];
}
