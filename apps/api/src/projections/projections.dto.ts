import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../http/page-query.dto';

export class ParkedQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'only this projection (e.g. applications, master-data)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  projection?: string;
}

export class ReplayQueryDto {
  @ApiPropertyOptional({ description: 'replay for this projection only (default: every projection that parked the event)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  projection?: string;
}
