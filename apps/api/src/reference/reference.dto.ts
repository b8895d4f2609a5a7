import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { localized } from '@nws/engine';

/**
 * `GET /reference/beppyo2/selection?bodyType=…&localGovernmentCode=…&extraChoices=a,b`: the same
 * question as the POST, as a link a selection screen can bookmark. Which values are known is the
 * catalog's to say (its refusal names the field); this only fixes the shapes.
 */
export class SelectionQueryDto {
  @ApiProperty({ description: '機関種類, one of GET /reference/beppyo2/body-types', example: '市町村長部局' })
  @IsString()
  @MaxLength(40)
  bodyType!: string;

  @ApiPropertyOptional({ description: '全国地方公共団体コード (6 digits) of the body', example: '132012' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: localized('6桁の全国地方公共団体コードで指定してください。', 'must be a 6-digit local government code') })
  localGovernmentCode?: string;

  @ApiPropertyOptional({ description: 'extra choices of the body type, comma-separated or repeated', type: [String] })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter((v) => v !== '') : value))
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  extraChoices?: string[];
}
