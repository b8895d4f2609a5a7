import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { LARGEST_WHOLE_NUMBER, WholeNumber } from '../http/whole-number.transform';
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

/**
 * `GET /reference/pia-threshold?subjects=…&handlers=…&seriousIncident=…`: what decides the
 * 特定個人情報保護評価 a 事務 needs (特定個人情報保護評価指針 第6の2), as 様03-07's PIA column asks it.
 */
export class PiaThresholdQueryDto {
  @ApiProperty({ description: '対象人数: the people recorded in all the 特定個人情報ファイル the 事務 holds', example: 120000 })
  @WholeNumber()
  @IsInt()
  @Min(0)
  @Max(LARGEST_WHOLE_NUMBER)
  subjects!: number;

  @ApiProperty({ description: '取扱者数: staff of the body and its contractors who handle those files', example: 40 })
  @WholeNumber()
  @IsInt()
  @Min(0)
  @Max(LARGEST_WHOLE_NUMBER)
  handlers!: number;

  @ApiProperty({ description: '重大事故: a serious incident with 特定個人情報 known at the body within the past year', enum: ['true', 'false'] })
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  seriousIncident!: boolean;
}
