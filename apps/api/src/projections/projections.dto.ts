import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class ParkedQueryDto {
  @ApiPropertyOptional({ description: 'only this projection (e.g. applications, master-data)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  projection?: string;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class ReplayQueryDto {
  @ApiPropertyOptional({ description: 'replay for this projection only (default: every projection that parked the event)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  projection?: string;
}
