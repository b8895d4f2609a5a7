import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class ActionBodyDto {
  @ApiPropertyOptional({ description: '審査コメント / reason. Required and concrete for `reject`.', maxLength: 2000, example: '様02-02の通常連絡先を直通番号にしてください。' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}
