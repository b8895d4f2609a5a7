import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { LARGEST_WHOLE_NUMBER, WholeNumber } from '../http/whole-number.transform';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsNotBlank } from '@nws/engine';
import { PageQueryDto } from '../http/page-query.dto';

/** A page of owed events: `limit` as every list's; positions instead of an offset. */
export class PullQueryDto extends PickType(PageQueryDto, ['limit'] as const) {
  @ApiPropertyOptional({ description: 'global position the consumer has seen; omit to continue at the server-side cursor (leases not expired are not handed out again)' })
  @IsOptional()
  @WholeNumber()
  @IsInt()
  @Min(0)
  @Max(LARGEST_WHOLE_NUMBER)
  after?: number;

  @ApiPropertyOptional({ default: 0, maximum: 60000, description: 'long polling: when nothing is owed, wait up to this many milliseconds for a new event before answering with an empty page' })
  @IsOptional()
  @WholeNumber()
  @IsInt()
  @Min(0)
  @Max(60000)
  waitMs?: number;
}

export class StreamQueryDto {
  @ApiPropertyOptional({ description: 'start after this global position (the Last-Event-ID header wins); default: the consumer checkpoint' })
  @IsOptional()
  @WholeNumber()
  @IsInt()
  @Min(0)
  @Max(LARGEST_WHOLE_NUMBER)
  after?: number;
}

export class DeliverQueryDto {
  @ApiPropertyOptional({ description: 'the id of the event EventStoreDB delivered: refused (404) unless the event at the position has it' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  eventId?: string;
}

export class AcksBodyDto {
  @ApiProperty({ description: 'event ids (idempotency keys): acknowledging twice is harmless', example: ['8c0f5f7e-2b1d-5a7e-9f3c-0d4e6b1a2c3d'] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  eventIds!: string[];
}

export class NacksBodyDto extends AcksBodyDto {
  @ApiProperty({ description: 'why the consumer cannot process them; shown in the parked list', example: 'CSV 出力先の容量が不足しています' })
  @IsString()
  // Shown to the operator who decides what to do with the parked event: spaces say nothing.
  @IsNotBlank()
  @MaxLength(2000)
  reason!: string;
}
