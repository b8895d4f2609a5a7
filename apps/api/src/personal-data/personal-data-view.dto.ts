import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES } from '@nws/engine';
import { ACCESS_PURPOSES, LEGAL_BASES, PERSONAL_DATA_EVENTS } from '@nws/personal-data';
import { ORGANIZATION_KINDS } from '@nws/workflows/connection-application';
import { ANY_JSON } from '../audit/audit-view.dto';

/*
 * What the personal-data endpoints answer (開示等), for the OpenAPI document only: @nws/personal-data
 * builds these bodies (the key store's records, discloseSubject, eraseSubject, the access log), and
 * personal-data-openapi.e2e-spec.ts holds real answers to the published schemas. These routes log
 * their own reads and are not redacted: the caller is the body itself or the operator (MIC).
 */

const ORGAN = {
  enum: [...ORGANIZATION_KINDS, 'J-LIS', 'MIC'],
  example: '市町村長部局',
  description: 'the organ (機関種類) of the code: a body is an organ (J-LIS and MIC, which have none, are their own)',
} as const;

const SUBJECT_ID = { example: 'ps-KnAOVufeYSlkaJle', description: 'opaque (`ps-` and random): reveals no one' } as const;

/** One data subject as the key store holds it (suspension and resumption answer it too). */
export class DataSubjectDto {
  @ApiProperty(SUBJECT_ID) subjectId!: string;
  @ApiProperty({ example: '132012', description: 'the body whose staff the person is' }) organizationCode!: string;
  @ApiProperty(ORGAN) organizationKind!: string;
  @ApiProperty({ type: String, nullable: true, example: '田中 三郎', description: 'the name the person was first seen under; null once erased' }) label!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: '利用停止 since; null when the use is not suspended (and once erased)' }) suspendedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: '消去: when the key was destroyed' }) erasedAt!: string | null;
}

/** GET /personal-data/subjects */
export class DataSubjectListDto {
  @ApiProperty({ example: '132012', description: 'the body listed (the caller’s unless asked for another)' }) organizationCode!: string;
  @ApiProperty(ORGAN) organizationKind!: string;
  @ApiProperty({ type: [DataSubjectDto], description: 'active subjects, oldest first, then erased ones' }) subjects!: DataSubjectDto[];
}

/** POST /personal-data/subjects/{subjectId}/erasure */
export class ErasureResultDto {
  @ApiProperty(SUBJECT_ID) subjectId!: string;
  @ApiProperty({ example: '132012' }) organizationCode!: string;
  @ApiProperty(ORGAN) organizationKind!: string;
  @ApiProperty({ format: 'date-time', description: 'when the key was destroyed (the first erasure’s time when repeated)' }) erasedAt!: string;
  @ApiProperty({ description: 'the subject was erased before: nothing was recorded now' }) alreadyErased!: boolean;
  @ApiProperty({ type: 'integer', nullable: true, description: 'global position of the PersonalDataErased event; null when alreadyErased' }) position!: number | null;
}

class PurposeOfUseDto {
  @ApiProperty() ja!: string;
  @ApiProperty() en!: string;
}

class DisclosedSubjectDto {
  @ApiProperty(SUBJECT_ID) subjectId!: string;
  @ApiProperty({ example: '132012' }) organizationCode!: string;
  @ApiProperty(ORGAN) organizationKind!: string;
  @ApiProperty({ type: String, nullable: true, description: 'the name held (the key store’s `label`); null once erased' }) name!: string | null;
  @ApiProperty({ enum: ['active', 'suspended', 'erased'] }) state!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) suspendedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) erasedAt!: string | null;
}

class SubjectPlaceDto {
  @ApiProperty({ example: 'application-…' }) streamId!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ example: 'FormSaved' }) eventType!: string;
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ type: 'integer' }) position!: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) occurredAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) applicationId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '02-02' }) formCode!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'the master-data version, for MasterDataVersionRegistered' }) masterDataVersion!: number | null;
  @ApiProperty({ example: 'data.form.normalContacts[0].phone', description: 'path in the stored event' }) field!: string;
  @ApiProperty({ ...ANY_JSON, description: 'what it says now: the value, or ［消去済み］ once erased' }) value!: unknown;
}

class DerivedCopyDto {
  @ApiProperty({ enum: ['read-models.sqlite'] }) file!: string;
  @ApiProperty({ enum: ['master_data_versions'] }) table!: string;
  @ApiProperty({ example: '132012' }) organizationCode!: string;
  @ApiProperty({ type: String, nullable: true, example: '市町村長部局', description: '機関種類' }) organizationKind!: string | null;
  @ApiProperty({ type: 'integer' }) version!: number;
}

class RequesterDto {
  @ApiProperty() sub!: string;
  @ApiProperty() org!: string;
  @ApiPropertyOptional({ enum: ORGANIZATION_KINDS, description: 'the requester’s organ, where its token names one' }) organ?: string;
  @ApiProperty({ example: 'applicant', description: 'a role, or `system` (the retention run)' }) role!: string;
}

/** A request about the subject, as its event in `personal-data-{org}` records it. */
class SubjectRequestRecordDto {
  @ApiProperty({ enum: [PERSONAL_DATA_EVENTS.erased, PERSONAL_DATA_EVENTS.suspended, PERSONAL_DATA_EVENTS.resumed] }) type!: string;
  @ApiProperty({ type: 'integer' }) position!: number;
  @ApiProperty(SUBJECT_ID) subjectId!: string;
  @ApiProperty({ example: '132012' }) organizationCode!: string;
  @ApiPropertyOptional({ ...ORGAN, description: 'the subject’s organ (absent in requests recorded before organs were named: the code’s default organ)' }) organizationKind?: string;
  @ApiProperty({ type: RequesterDto }) requestedBy!: RequesterDto;
  @ApiProperty({ enum: Object.keys(LEGAL_BASES) }) legalBasis!: string;
  @ApiProperty({ type: String, nullable: true, description: '受付番号' }) reference!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

class AccessLogActorDto {
  @ApiProperty() sub!: string;
  @ApiProperty({ example: '130001' }) org!: string;
  @ApiPropertyOptional({ enum: ORGANIZATION_KINDS, description: 'the reader’s organ, where its token named one' }) organ?: string;
  @ApiProperty({ enum: ROLES }) role!: string;
}

/** One read of personal data by someone outside the body: places only, never values. */
export class AccessLogEntryDto {
  @ApiProperty({ type: 'integer', minimum: 1 }) seq!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: AccessLogActorDto }) actor!: AccessLogActorDto;
  @ApiProperty({ enum: [...Object.keys(ACCESS_PURPOSES), 'unstated'], description: 'X-Access-Purpose, or the role’s default; `unstated` when neither gave one' }) purpose!: string;
  @ApiProperty({ type: String, nullable: true, description: 'X-Access-Reference' }) reference!: string | null;
  @ApiProperty({ example: 'GET' }) method!: string;
  @ApiProperty({ example: '/applications/:id', description: 'the route pattern, never the URL' }) route!: string;
  @ApiProperty({ example: '132012', description: 'the body whose staff’s data was read' }) organizationCode!: string;
  @ApiProperty(ORGAN) organizationKind!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) applicationId!: string | null;
  @ApiProperty({ type: [String] }) subjectIds!: string[];
  @ApiProperty({ type: [String], example: ['forms.02-02.data.normalContacts[0].phone'], description: 'field paths as shown to the reader' }) fields!: string[];
  @ApiProperty({ type: String, nullable: true, description: 'X-Correlation-ID' }) requestId!: string | null;
}

/** GET /personal-data/access-log */
export class AccessLogPageDto {
  @ApiProperty({ type: [AccessLogEntryDto], description: 'in `order` (oldest first unless `?order=newest`), `limit` from `offset`' }) entries!: AccessLogEntryDto[];
  @ApiProperty({ description: 'how many entries match in all (every page)', minimum: 0 }) total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
  @ApiProperty({ enum: ['oldest', 'newest'] }) order!: string;
}

/** GET /personal-data/subjects/{subjectId}: 開示 */
export class SubjectDisclosureDto {
  @ApiProperty({ type: DisclosedSubjectDto }) subject!: DisclosedSubjectDto;
  @ApiProperty({ type: [PurposeOfUseDto], description: '利用目的' }) purposes!: PurposeOfUseDto[];
  @ApiProperty({ type: [PurposeOfUseDto], description: '第三者提供' }) thirdPartyProvision!: PurposeOfUseDto[];
  @ApiProperty({ type: [SubjectPlaceDto], description: 'every event field holding the subject’s data' }) places!: SubjectPlaceDto[];
  @ApiProperty({ type: [DerivedCopyDto], description: 'copies derived from the events (rebuilt from them on erasure)' }) derivedCopies!: DerivedCopyDto[];
  @ApiProperty({ type: [SubjectRequestRecordDto], description: 'erasure, suspension and resumption requests, oldest first' }) requests!: SubjectRequestRecordDto[];
  @ApiProperty({ type: [AccessLogEntryDto], description: 'who outside the body read the subject’s data: the newest 1,000 reads, oldest first' }) accessLog!: AccessLogEntryDto[];
  @ApiProperty({ description: 'false when there were more reads than `accessLog` lists (GET /personal-data/access-log?subjectId= pages through those logged with the subject)' }) accessLogComplete!: boolean;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
}
