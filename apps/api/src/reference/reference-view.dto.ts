import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BODY_TYPES, DELEGATION_INSTRUMENT_KINDS, EXTRA_CHOICE_IDS } from '@nws/reference-catalog';

/*
 * What the reference endpoints (the selection screen's catalog) answer, for the OpenAPI document
 * only: the bodies are the catalog's own values (libs/reference-catalog), and an e2e holds real
 * answers to the published schemas (reference-openapi.e2e-spec.ts).
 */

const CATALOG_VERSION = { example: 'beppyo2-2015', description: 'the dated version of 番号法 別表第二 the answer is from (forms record it)' };

class ExtraChoiceLabelDto {
  @ApiProperty({ example: '福祉事務所を設置している町村（生活保護・児童扶養手当等の事務）' }) ja!: string;
  @ApiProperty({ example: 'town or village running its own welfare office (public assistance, child-rearing allowance, …)' }) en!: string;
}

class ExtraChoiceDto {
  @ApiProperty({ enum: EXTRA_CHOICE_IDS, description: 'what `extraChoices` takes' }) id!: string;
  @ApiProperty({ type: ExtraChoiceLabelDto }) label!: ExtraChoiceLabelDto;
  @ApiProperty({ enum: BODY_TYPES, isArray: true, description: 'the body types offered this choice' }) bodyTypes!: string[];
  @ApiPropertyOptional({ enum: BODY_TYPES, description: 'an association doing the work of another kind of body: the rows of that kind it may take only by delegation (受任)' })
  actsAs?: string;
}

class BodyTypeDto {
  @ApiProperty({ enum: BODY_TYPES, description: '機関種類' }) type!: string;
  @ApiProperty({ type: [ExtraChoiceDto], description: 'the choices where the type alone does not settle the affairs (empty when it does)' }) extraChoices!: ExtraChoiceDto[];
}

/** GET /reference/beppyo2/body-types */
export class BodyTypesDto {
  @ApiProperty(CATALOG_VERSION) catalogVersion!: string;
  @ApiProperty({ type: [BodyTypeDto] }) bodyTypes!: BodyTypeDto[];
}

class Beppyo2RowDto {
  @ApiProperty({ example: '27', description: '項番' }) itemNo!: string;
  @ApiProperty({ example: '二十七', description: '項番 as the law writes it' }) itemNoKanji!: string;
  @ApiProperty({ example: '1', description: '行内連番: the row within its 項, from 1' }) rowNo!: string;
  @ApiProperty({ description: '情報照会者 (the text of the law)' }) querier!: string;
  @ApiProperty({ description: '事務' }) affair!: string;
  @ApiProperty({ description: '情報提供者 (the text of the law)' }) provider!: string;
  @ApiProperty({ description: '特定個人情報' }) personalInfo!: string;
}

/** GET /reference/beppyo2/items/{itemNo}: one 項 of 番号法 別表第二. */
export class Beppyo2ItemDto {
  @ApiProperty({ example: '27', description: '項番 (e.g. 27, 56の2)' }) itemNo!: string;
  @ApiProperty({ example: '二十七' }) itemNoKanji!: string;
  @ApiProperty({ example: '市町村長', description: '情報照会者 (（削除） for a deleted 項)' }) querier!: string;
  @ApiProperty({ description: '事務 (empty for a deleted 項)' }) affair!: string;
  @ApiProperty({ description: 'removed by an amendment: its number is known, it is never selectable' }) deleted!: boolean;
  @ApiProperty({ type: [Beppyo2RowDto], description: 'one row per 情報提供者 and 特定個人情報 (empty for a deleted 項)' }) rows!: Beppyo2RowDto[];
}

/** Which organ of one local government an article within it delegates from and to. */
class BasisOrgansDto {
  @ApiProperty({ enum: ['head', 'committee'], description: 'head: the 長 (首長部局・知事部局); committee: a 委員会 or 委員 (e.g. the 教育委員会)' }) delegator!: string;
  @ApiProperty({ enum: ['head', 'committee'] }) delegatee!: string;
}

/** One element of GET /reference/delegation-bases. */
export class DelegationBasisDto {
  @ApiProperty({ example: '地方自治法第252条の14', description: "what 様03-08's 委任の根拠となる法令 stores" }) id!: string;
  @ApiProperty({ example: '第二百五十二条の十四', description: 'the article as the law writes it' }) article!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ description: 'the text of the article' }) text!: string;
  @ApiProperty({ enum: DELEGATION_INSTRUMENT_KINDS, isArray: true, description: 'the instruments that can carry a delegation under this article' }) instruments!: string[];
  @ApiProperty({
    enum: ['sameBody', 'otherBody', 'prefectureToMunicipality', 'toAssociation'],
    description: 'between whom it delegates: organs of one local government (one code), another body, a prefecture to a 市区町村 of it, members to their 一部事務組合・広域連合 (rule basisParties)',
  })
  parties!: string;
  @ApiPropertyOptional({
    type: BasisOrgansDto,
    description: 'for an article within one body (sameBody): 第180条の2 from the head to a 委員会, 第180条の7 from a 委員会 to the head; a link the other way round is refused at submission (rule basisDirection)',
  })
  organs?: BasisOrgansDto;
}

class QueryAffairOptionDto {
  @ApiProperty({ example: '27' }) itemNo!: string;
  @ApiProperty({ example: '二十七' }) itemNoKanji!: string;
  @ApiProperty({ description: '事務' }) affairName!: string;
  @ApiProperty({ description: 'the 情報照会者 text of the law that matched' }) querier!: string;
  @ApiProperty({ description: 'matched only through an extra choice with `actsAs`: the body may register it as 受任 only' }) byDelegationOnly!: boolean;
}

class ProvisionOptionDto {
  @ApiProperty({ example: '27-4', description: '項番-行内連番' }) key!: string;
  @ApiProperty({ example: '27' }) itemNo!: string;
  @ApiProperty({ example: '4' }) rowNo!: string;
  @ApiProperty({ description: '特定個人情報' }) personalInfoName!: string;
  @ApiProperty({ description: 'the affair the information is provided for' }) affairName!: string;
  @ApiProperty({ description: 'who queries it (the text of the law)' }) querier!: string;
  @ApiProperty({ description: 'the 情報提供者 text of the law that matched' }) provider!: string;
  @ApiProperty({ description: 'matched only through an extra choice with `actsAs`: provided as 受任 only' }) byDelegationOnly!: boolean;
}

/** GET and POST /reference/beppyo2/selection: what the body may query and must provide, in the order of the law. */
export class AffairSelectionDto {
  @ApiProperty(CATALOG_VERSION) catalogVersion!: string;
  @ApiProperty({ enum: BODY_TYPES }) bodyType!: string;
  @ApiProperty({ type: String, nullable: true, example: '132012', description: 'as given (null when not)' }) localGovernmentCode!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['city', 'town', null],
    description: '市 (incl. 特別区 and 指定都市) or 町村, from the code: only for 市町村長部局 and 市町村教育委員会 with a known municipality code, null otherwise',
  })
  municipalityKind!: string | null;
  @ApiProperty({ type: [String], description: 'the extra choices given, without repeats' }) extraChoices!: string[];
  @ApiProperty({ type: [QueryAffairOptionDto], description: '情報照会を行う事務: the 項 whose 情報照会者 the body is' }) queries!: QueryAffairOptionDto[];
  @ApiProperty({ type: [ProvisionOptionDto], description: '情報提供を行う特定個人情報: the rows whose 情報提供者 the body is' }) provisions!: ProvisionOptionDto[];
  @ApiProperty({ type: [ProvisionOptionDto], description: 'rows whose 情報提供者 is named by the benefit it pays: never listed by type; the applicant may opt in (`alsoProviding`)' })
  optionalProvisions!: ProvisionOptionDto[];
}

const DRAFT = { type: 'object', additionalProperties: true } as const;

/** The drafts are form bodies: their schemas are GET /workflows/connection-application, `forms`. */
class GeneratedFormDraftsDto {
  @ApiProperty({ ...DRAFT, description: '様03-07 (情報照会・提供): always generated' }) '03-07'!: Record<string, unknown>;
  @ApiPropertyOptional({ ...DRAFT, description: '様03-08 (委任・受任): only when a choice delegates or receives' }) '03-08'?: Record<string, unknown>;
  @ApiPropertyOptional({ ...DRAFT, description: '様03-09 (独自利用事務): only when `independentUse` lists any' }) '03-09'?: Record<string, unknown>;
}

class FormChecklistDto {
  @ApiProperty({ description: 'what 様03-06 must say of 様03-08: whether it is attached' }) form0308!: boolean;
  @ApiProperty({ description: 'what 様03-06 must say of 様03-09: whether it is attached' }) form0309!: boolean;
}

/** POST /reference/beppyo2/forms: drafts to save with PUT /applications/{id}/forms/{code}. */
export class GeneratedFormsDto {
  @ApiProperty(CATALOG_VERSION) catalogVersion!: string;
  @ApiProperty({ type: GeneratedFormDraftsDto, description: 'by form code' }) forms!: GeneratedFormDraftsDto;
  @ApiProperty({ type: FormChecklistDto }) checklist!: FormChecklistDto;
}

class PiaThresholdRuleDto {
  @ApiProperty({ description: '対象人数 from (inclusive)', example: 100000 }) subjectsFrom!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: '対象人数 below (exclusive); null: no upper bound', example: 300000 }) subjectsBelow!: number | null;
  @ApiProperty({ enum: ['yes', 'no', '*'], description: 'whether the row holds for 500 or more handlers (`*`: either)' }) handlers500OrMore!: string;
  @ApiProperty({ enum: ['yes', 'no', '*'], description: 'whether the row holds for a serious incident in the past year (`*`: either)' }) seriousIncident!: string;
}

/** GET /reference/pia-threshold */
export class PiaThresholdDto {
  @ApiProperty({ description: 'the evaluation required, as the 指針 names it', example: '基礎項目評価+重点項目評価' }) required!: string;
  @ApiProperty({ description: '`yes(…)`: checked against the published sources named; `partial`: taken from the 指針 as commonly quoted, to be checked against https://www.ppc.go.jp/legal/assessment/', example: 'yes(成田市)' }) verified!: string;
  @ApiProperty({ type: PiaThresholdRuleDto, description: 'the row of the threshold table that decided it' }) rule!: PiaThresholdRuleDto;
  @ApiProperty({ type: [String], description: 'where the table comes from' }) provenance!: string[];
}
