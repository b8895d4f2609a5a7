import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { ORGANIZATION_KINDS } from '@nws/workflows/shared/organizations';

/*
 * What the application endpoints answer, for the OpenAPI document only (client generators and
 * validators): the engine builds these bodies (WorkflowEngine.view and the workflow's `view`), and
 * an e2e holds real answers to the published schemas.
 */

class OrganizationDto {
  @ApiProperty({ example: '132012', description: '全国地方公共団体コード' }) code!: string;
  @ApiProperty({ example: '八王子市' }) name!: string;
  @ApiProperty({ example: '市町村長部局', description: '機関種類 (the organ)' }) kind!: string;
  @ApiProperty({ example: '130001', description: 'the prefecture the body belongs to' }) prefectureCode!: string;
}

class RoutingDto {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'the head department a board of education submits through (首長部局を経由)' }) forwardVia?: string | null;
  @ApiProperty({ type: String, nullable: true, example: '130001', description: 'first review (取りまとめ都道府県 or J-LIS), set at submission' }) firstReviewer!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'MIC', description: 'second review (総務省)' }) secondReviewer!: string | null;
}

export class SavedFormDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: "the form as saved (its schema: GET /workflows/{workflow}, `forms`); phone numbers with hyphens; personal data the caller may not read is redacted" })
  data!: Record<string, unknown>;
  @ApiProperty({ description: 'the round it was saved in' }) round!: number;
  @ApiProperty({ format: 'date-time' }) savedAt!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) savedBy?: Record<string, unknown>;
}

class ReviewerDto {
  @ApiProperty() sub!: string;
  @ApiProperty({ example: '130001' }) org!: string;
  @ApiProperty({ example: '東京都', description: '機関名' }) orgName!: string;
  @ApiProperty({ type: String, nullable: true, description: '部署名' }) department!: string | null;
  @ApiProperty({ type: String, nullable: true, description: '氏名' }) name!: string | null;
}

class ReviewDto {
  @ApiProperty() round!: number;
  @ApiProperty({ enum: ['first', 'second'] }) stage!: string;
  @ApiProperty({ enum: ['承認', '否認'] }) result!: string;
  @ApiProperty({ type: String, nullable: true, description: '審査コメント (always given for 否認)' }) comment!: string | null;
  @ApiProperty({ type: ReviewerDto }) reviewer!: ReviewerDto;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

class RefusedActionDto {
  @ApiProperty({ example: 'approve' }) action!: string;
  @ApiProperty({ type: 'array', items: { $ref: '#/components/schemas/Violation' }, description: 'the refusal the action would get now, as a 400 VALIDATION_FAILED would carry it' })
  violations!: unknown[];
}

/** Inline rather than a $ref: OpenAPI 3.0 cannot make a referenced schema nullable. */
const REGISTERED_MASTER_DATA: ApiPropertyOptions = {
  type: 'object',
  nullable: true,
  required: ['version', 'contentHash', 'registeredAt'],
  properties: { version: { type: 'integer' }, contentHash: { type: 'string', example: 'sha256:…' }, registeredAt: { type: 'string', format: 'date-time' } },
  description: 'connection application: the version its approval registered',
};

/** One application as the caller may read it. */
export class ApplicationViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'connection-application' }) workflow!: string;
  @ApiProperty({ example: '1', description: 'the machine version the application runs on' }) machineVersion!: string;
  @ApiProperty({ example: 'firstReview' }) state!: string;
  @ApiProperty({ description: 'how many events the application has (its ETag; If-Match takes it)' }) revision!: number;
  @ApiProperty({ type: [String], description: 'what the caller may do now' }) allowedActions!: string[];
  @ApiProperty({
    type: [RefusedActionDto],
    description: "what the state and the caller's role offer but would be refused now for a reason outside the application, with the refusal (a 登録 whose body registered master data through another application meanwhile: approve)",
  })
  refusedActions!: RefusedActionDto[];
  @ApiProperty({ type: OrganizationDto }) organization!: OrganizationDto;
  @ApiProperty({ example: '登録', description: '申請区分' }) category!: string;
  @ApiProperty({ description: 'the round (a rejected application revised is the next)' }) round!: number;
  @ApiProperty({ type: String, nullable: true, example: '20261208-132012-AFEA8A', description: '申請番号, from the first submission' }) applicationNumber!: string | null;
  @ApiProperty({ type: RoutingDto }) routing!: RoutingDto;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/SavedFormDto' }, description: 'by form code (02-01, …)' })
  forms!: Record<string, SavedFormDto>;
  @ApiProperty({ type: [ReviewDto] }) reviews!: ReviewDto[];
  // Not @ApiPropertyOptional: its `required: false` would replace the object's own required list.
  @ApiProperty({ ...REGISTERED_MASTER_DATA, selfRequired: false }) masterData?: { version: number; contentHash: string; registeredAt: string } | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) distributedAt?: string | null;
  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: '首長部局を経由: the latest forwarding by the head department — round, when (at), by whom (by: sub, org, organ, name, department; the name redacted as the caller may read it) and its comment',
  })
  forwarding?: Record<string, unknown> | null;
  @ApiPropertyOptional({ type: 'object', nullable: true, additionalProperties: true, description: '取下げ: when and why' }) withdrawal?: Record<string, unknown> | null;
  @ApiPropertyOptional({ format: 'date-time' }) createdAt?: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) submittedAt?: string | null;
  @ApiPropertyOptional({ type: 'array', nullable: true, items: { type: 'object', additionalProperties: true }, description: 'account request: the accounts issued' })
  accounts?: Array<Record<string, unknown>> | null;
}

/** One row of GET /applications (the read model). */
export class ApplicationRowDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() workflow!: string;
  @ApiProperty() machineVersion!: string;
  @ApiProperty({ example: '132012' }) organizationCode!: string;
  @ApiProperty({ type: String, nullable: true, example: '八王子市' }) organizationName!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: [...ORGANIZATION_KINDS, null], description: '機関種類: the applying organ (null: recorded before organs were)' }) organizationKind!: string | null;
  @ApiProperty({ type: String, nullable: true, description: '申請区分' }) category!: string | null;
  @ApiProperty() state!: string;
  @ApiProperty() revision!: number;
  @ApiProperty({ type: Number, nullable: true }) round!: number | null;
  @ApiProperty({ type: String, nullable: true, description: '申請番号' }) applicationNumber!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['first', 'second', null], description: 'the review it waits in' }) waitingStage!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the body it waits at' }) waitingOrg!: string | null;
  @ApiProperty({ type: String, nullable: true }) firstReviewer!: string | null;
  @ApiProperty({ type: String, nullable: true }) secondReviewer!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}


class HistoryActorDto {
  @ApiProperty() sub!: string;
  @ApiProperty({ example: '132012' }) org!: string;
  @ApiProperty({ example: 'applicant' }) role!: string;
  @ApiPropertyOptional({ description: '機関種類, when the token names one' }) organ?: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'personal data: redacted as the caller may read it' }) name?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) department?: string | null;
}

/** One stored event as auditors read it (historyEntry). */
class HistoryEventDto {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ description: 'its place in the application, from 0' }) revision!: number;
  @ApiProperty({ description: 'its place in the whole store' }) position!: number;
  @ApiProperty({ example: 'FirstReviewApproved' }) type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
  @ApiProperty({ type: HistoryActorDto }) actor!: HistoryActorDto;
  @ApiProperty({ format: 'date-time', description: 'when the command said it happened' }) occurredAt!: string;
  @ApiProperty({ format: 'date-time', description: 'when the store recorded it' }) recordedAt!: string;
  @ApiProperty({ example: '1' }) machineVersion!: string;
  @ApiProperty({ example: 'secondReview', description: 'the state after it' }) stateAfter!: string;
  @ApiProperty() commandId!: string;
  @ApiProperty() correlationId!: string;
  @ApiProperty() causationId!: string;
}

/** GET /applications/{id}/history */
export class ApplicationHistoryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() workflow!: string;
  @ApiProperty() state!: string;
  @ApiProperty() revision!: number;
  @ApiProperty({ type: [HistoryEventDto], description: 'every event, oldest first' }) events!: HistoryEventDto[];
}

/** GET /review-queue: one page of what waits for the caller's body, oldest first. */
export class ReviewQueuePageDto {
  @ApiProperty({ enum: ['forward', 'first', 'second'] }) stage!: string;
  @ApiProperty({ type: String, nullable: true, description: "the caller's body (null for an auditor: every body)" }) org!: string | null;
  @ApiProperty({ description: 'true when the read model had not caught up with the store within the wait, or the event store is unavailable (the queue is what this replica had): the page may still show what was just decided; X-Read-Model-Stale says the same' }) stale!: boolean;
  @ApiProperty({ description: 'how many wait in all (every page)' }) total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
  @ApiProperty({ type: String, nullable: true, description: 'after a full page: `?cursor=` for the next one, which an application decided meanwhile does not shift (null on the last page)' }) nextCursor!: string | null;
  @ApiProperty({ type: [ApplicationRowDto] }) items!: ApplicationRowDto[];
}
