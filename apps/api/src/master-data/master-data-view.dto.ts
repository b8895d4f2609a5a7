import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/*
 * What the master-data endpoints answer, for the OpenAPI document only; an e2e holds real answers
 * to the published schemas (openapi-document.e2e-spec.ts).
 */

/** One registered version, without its content. */
export class MasterDataVersionSummaryDto {
  @ApiProperty({ example: '132012' }) organizationCode!: string;
  @ApiProperty({ example: '市町村長部局', description: '機関種類: organs of one code have versions of their own' }) organizationKind!: string;
  @ApiProperty({ minimum: 1 }) version!: number;
  @ApiProperty({ description: 'the application whose approval registered it' }) applicationId!: string;
  @ApiProperty({ type: String, nullable: true, description: '申請番号' }) applicationNumber!: string | null;
  @ApiProperty({ type: String, nullable: true, description: '申請区分 (登録, 変更, 接続)' }) category!: string | null;
  @ApiProperty({ example: 'sha256:…', description: 'sha256 of the canonical JSON (RFC 8785) of content as registered: the version’s identity' }) contentHash!: string;
  @ApiPropertyOptional({ example: 'sha256:…', description: 'present only where personal data is withheld from content (［利用停止中］, ［消去済み］): sha256 of content as sent, which contentHash no longer matches' })
  publishedContentHash?: string;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'delegations held for their other side (突合待ち): outside the content, never distributed; for the body itself, reviewers and auditors only',
  })
  pendingDelegations?: Array<Record<string, unknown>>;
  @ApiPropertyOptional({ type: 'object', nullable: true, additionalProperties: true, description: 'why it was registered: an approval, or a counterpart that settled a delegation' })
  cause?: Record<string, unknown> | null;
}

/** One version with its content. */
export class MasterDataVersionDto extends MasterDataVersionSummaryDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the master data itself (organization, structure, contacts in priority order, affairs and information, delegations)' })
  content!: Record<string, unknown>;
}

class OrganVersionDto {
  @ApiProperty({ example: '市町村長部局' }) organ!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ description: "whether it is the code's default organ" }) default!: boolean;
}

/** The current version of an organ, and the organs of the code that have master data. */
export class CurrentMasterDataDto extends MasterDataVersionDto {
  @ApiProperty({ type: [OrganVersionDto] }) organs!: OrganVersionDto[];
}
