import { ApiPropertyOptional } from '@nestjs/swagger';
import { LARGEST_WHOLE_NUMBER, WholeNumber } from './whole-number.transform';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `?limit=&offset=` of every list: at most 1,000 rows a page (default 100), so no list is one unbounded response. */
export class PageQueryDto {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @WholeNumber()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @WholeNumber()
  @IsInt()
  @Min(0)
  @Max(LARGEST_WHOLE_NUMBER)
  offset?: number;
}

/** The page a query asks for, the defaults filled in. */
export function pageOf(query: PageQueryDto): { readonly limit: number; readonly offset: number } {
  return { limit: query.limit ?? 100, offset: query.offset ?? 0 };
}
