import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ORGANIZATION_KINDS, type OrganizationKind } from '@nws/workflows/connection-application';

/** `?organ=`: which organ (機関) of the code; the code's default organ (its 首長部局) when absent. */
export class MasterDataOrganQueryDto {
  @ApiPropertyOptional({
    enum: ORGANIZATION_KINDS,
    description:
      'the organ (機関種類) whose master data is wanted: organs of one local government share its code (e.g. 都道府県教育委員会 beside 都道府県知事部局). ' +
      "Default: the code's default organ (都道府県知事部局 for a prefecture, 市町村長部局 for a municipality, 一部事務組合・広域連合 for a code outside the local-government list).",
  })
  @IsOptional()
  @IsIn(ORGANIZATION_KINDS)
  organ?: OrganizationKind;
}
