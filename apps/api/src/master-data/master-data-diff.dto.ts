import { ApiProperty } from '@nestjs/swagger';
import { FieldChangeDto } from '../audit/audit-view.dto';

/*
 * What GET /applications/{id}/master-data-diff answers, for the OpenAPI document only: the
 * controller assembles it from diffJson and the 委任・受任の突合 (delegation-matching.ts), and
 * audit-openapi.e2e-spec.ts holds real answers to the published schema.
 */

const KIND = { enum: ['query', 'provision'], description: 'query: 情報照会事務; provision: 情報提供事務' } as const;
const SIDE = { enum: ['delegator', 'delegatee'], description: 'delegator: 委任; delegatee: 受任' } as const;

class DelegationChainLinkDto {
  @ApiProperty({ example: '130001' }) delegatorCode!: string;
  @ApiProperty({ example: '132012' }) delegateeCode!: string;
  @ApiProperty({ example: '地方自治法第252条の17の2' }) basis!: string;
  @ApiProperty({ example: '条例' }) instrumentKind!: string;
  @ApiProperty() instrumentName!: string;
  @ApiProperty() delegatorHoldsByLaw!: boolean;
}

/** One side of one delegation pair, as the body filed it in 様03-08 (or carried over from its version). */
class DelegationEntryDto {
  @ApiProperty({ ...KIND }) kind!: string;
  @ApiProperty({ ...SIDE }) side!: string;
  @ApiProperty({ description: '別表第二 version the row was chosen from' }) catalogVersion!: string;
  @ApiProperty({ example: '27' }) itemNo!: string;
  @ApiProperty({ type: String, nullable: true, description: '事務名 (query affairs)' }) affairName!: string | null;
  @ApiProperty({ type: String, nullable: true, description: '特定個人情報名 (provision)' }) personalInfoName!: string | null;
  @ApiProperty({ type: String, nullable: true, description: '個別の手続 of a query affair delegated in part' }) procedure!: string | null;
  @ApiProperty({ example: '130001' }) delegatorCode!: string;
  @ApiProperty({ example: '132012' }) delegateeCode!: string;
  @ApiProperty({ type: [DelegationChainLinkDto], nullable: true, description: '委任の根拠, every step of the chain: filed by the delegatee; null on the delegator’s side' })
  chain!: DelegationChainLinkDto[] | null;
  @ApiProperty({ example: '情報提供事務の委任', description: 'kind and side in words' }) label!: string;
}

/** An entry that enters the master data. */
class MatchedDelegationDto extends DelegationEntryDto {
  @ApiProperty({ enum: ['突合済み', '受任のみで登録（情報照会）'], description: '突合済み: the other side’s approved master data holds the opposite entry; a query affair enters with its delegatee’s entry alone' })
  statusLabel!: string;
  // Inline rather than a $ref: OpenAPI 3.0 cannot make a referenced schema nullable.
  @ApiProperty({
    type: 'object',
    nullable: true,
    selfRequired: true,
    required: ['organizationCode', 'organizationKind', 'organizationName', 'version', 'applicationId', 'applicationNumber'],
    properties: {
      organizationCode: { type: 'string', example: '130001' },
      organizationKind: { type: 'string', example: '都道府県知事部局', description: '機関種類: which organ of the code matched' },
      organizationName: { type: 'string', example: '東京都' },
      version: { type: 'integer', description: 'its master-data version holding the opposite entry' },
      applicationId: { type: 'string', format: 'uuid', description: 'the application that registered that version' },
      applicationNumber: { type: 'string', nullable: true, description: '申請番号' },
    },
    description: 'the other body whose master data holds the opposite entry; null for a query affair',
  })
  matchedWith!: unknown;
}

class AwaitedSideDto {
  @ApiProperty({ example: '132012' }) organizationCode!: string;
  @ApiProperty({ example: '八王子市' }) organizationName!: string;
  @ApiProperty({ ...SIDE }) side!: string;
  @ApiProperty({ example: '情報提供事務の受任' }) label!: string;
}

class DelegationMessageDto {
  @ApiProperty() ja!: string;
  @ApiProperty() en!: string;
}

/** An entry held out of the master data until the other side's application is approved (突合待ち). */
class UnmatchedDelegationDto extends DelegationEntryDto {
  @ApiProperty({ enum: ['突合待ち'] }) statusLabel!: string;
  @ApiProperty({ type: AwaitedSideDto, description: 'whose entry it waits for' }) awaiting!: AwaitedSideDto;
  @ApiProperty({ type: DelegationMessageDto, description: 'the same, in words for the second reviewer' }) message!: DelegationMessageDto;
}

class DelegationReconciliationDto {
  @ApiProperty({ enum: ['委任・受任の突合'] }) label!: string;
  @ApiProperty({ type: [MatchedDelegationDto] }) matched!: MatchedDelegationDto[];
  @ApiProperty({ type: [UnmatchedDelegationDto] }) unmatched!: UnmatchedDelegationDto[];
}

/** GET /applications/{id}/master-data-diff */
export class MasterDataDiffDto {
  @ApiProperty({ example: '132012' }) organizationCode!: string;
  @ApiProperty({ example: '市町村長部局', description: '機関種類' }) organizationKind!: string;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: "the version compared with: the organ's current one (another application's); once this application registered a version, the one before it. null: there is none",
  })
  againstVersion!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'the version this application registered, whose content `changes` leads to; null: not registered (yet)' })
  registeredVersion!: number | null;
  @ApiProperty({
    type: [FieldChangeDto],
    description: 'field by field, bookkeeping (applicationNumber, category) left out; with no version to compare with, one `added` change at path "" holding the whole content',
  })
  changes!: FieldChangeDto[];
  @ApiProperty({ type: DelegationReconciliationDto, description: '委任・受任の突合 of its 様03-08 against the other bodies’ current master data' })
  delegations!: DelegationReconciliationDto;
}
