import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath, type ApiPropertyOptions } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/*
 * What the audit endpoints answer (verify, round diff, path, machine diagram), for the OpenAPI
 * document only: @nws/audit builds these bodies, and audit-openapi.e2e-spec.ts holds real answers
 * to the published schemas.
 */

/**
 * Any JSON value, null included. OpenAPI 3.0 has no type for it that client generators agree on,
 * and `nullable` needs a `type` beside it (ajv refuses it alone): one branch per JSON type, null
 * going through the object's, so every value matches exactly one.
 */
export const ANY_JSON: { oneOf: SchemaObject[] } = {
  oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: {} }, { type: 'object', nullable: true, additionalProperties: true }],
};

/**
 * A referenced schema, or null. OpenAPI 3.0 cannot put `nullable` beside a $ref, so null is a
 * branch of its own; the containing class names the model in @ApiExtraModels so it is published.
 */
function nullableRef(model: new () => object, description: string): ApiPropertyOptions {
  return { oneOf: [{ $ref: getSchemaPath(model) }, { type: 'object', nullable: true, enum: [null] }], description };
}

/** One leaf (or whole subtree) that differs between two JSON values (diffJson). */
export class FieldChangeDto {
  @ApiProperty({ example: 'normalContacts[0].phone', description: 'JSON path in the style of validation errors; "" when the whole value appeared or disappeared (nothing to compare with)' })
  path!: string;
  @ApiProperty({ enum: ['added', 'removed', 'changed'] }) kind!: string;
  @ApiPropertyOptional({ ...ANY_JSON, description: 'the value before: absent when `added`; personal data redacted as the caller may read it' }) before?: unknown;
  @ApiPropertyOptional({ ...ANY_JSON, description: 'the value after: absent when `removed`; personal data redacted as the caller may read it' }) after?: unknown;
}

/** A broken link of the application's chain: StreamChainTracker, the only check a stream verification makes, sets every field. */
export class IntegrityProblemDto {
  @ApiProperty({ enum: ['hash-mismatch', 'prev-hash-mismatch', 'missing-integrity', 'revision-gap'] }) kind!: string;
  @ApiProperty({ description: 'what broke, in English' }) message!: string;
  @ApiProperty({ example: 'application-…' }) streamId!: string;
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ type: 'integer', description: 'its place in the whole store' }) position!: number;
  @ApiProperty() eventId!: string;
  @ApiProperty({ description: 'what the verifier derives (a hash, or `revision n`)' }) expected!: string;
  @ApiProperty({ description: 'what the event stores' }) found!: string;
}

/** GET /applications/{id}/verify */
@ApiExtraModels(IntegrityProblemDto)
export class ApplicationVerificationDto {
  @ApiProperty({ format: 'uuid' }) applicationId!: string;
  @ApiProperty({ example: 'application-…', description: "the application's stream" }) streamId!: string;
  @ApiProperty({ description: 'no problem found' }) valid!: boolean;
  @ApiProperty({ type: 'integer' }) checkedEvents!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null: the stream has no event' }) lastRevision!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) lastPosition!: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'sha256:…' }) lastHash!: string | null;
  @ApiProperty({ type: [IntegrityProblemDto], description: 'every broken link (at most 100), oldest first' }) problems!: IntegrityProblemDto[];
  @ApiProperty(nullableRef(IntegrityProblemDto, 'problems[0], or null')) firstProblem!: IntegrityProblemDto | null;
  // Inline rather than a $ref: OpenAPI 3.0 cannot make a referenced schema nullable.
  @ApiProperty({
    type: 'object',
    nullable: true,
    selfRequired: true,
    required: ['sequence', 'toPosition', 'sealedAt', 'sealHash', 'coversLastEvent'],
    properties: {
      sequence: { type: 'integer', minimum: 1 },
      toPosition: { type: 'integer', description: 'the last position it covers' },
      sealedAt: { type: 'string', format: 'date-time' },
      sealHash: { type: 'string' },
      coversLastEvent: { type: 'boolean', description: "whether the application's last event is at or below the seal's position; the seal itself is checked by verifying the whole store (`nws verify`), not here" },
    },
    description: 'the newest seal of the store; null before the first',
  })
  seal!: unknown;
  @ApiProperty({ enum: ['running', 'stopped', 'halted', 'in-another-process'], description: 'the sealer of this process (`in-another-process`: an API replica, the worker seals)' })
  sealer!: string;
}

const FORM_VERSION: ApiPropertyOptions = {
  type: 'object',
  nullable: true,
  selfRequired: true,
  required: ['savedAt', 'savedBy', 'savedInRound'],
  properties: {
    savedAt: { type: 'string', nullable: true, format: 'date-time' },
    savedBy: { type: 'object', nullable: true, additionalProperties: true, description: 'the actor as the view shows it (personal data redacted)' },
    savedInRound: { type: 'integer', nullable: true, description: 'the round this version of the form was saved in' },
  },
};

class FormDiffDto {
  @ApiProperty({ example: '02-02' }) formCode!: string;
  @ApiProperty({ enum: ['added', 'removed', 'changed'] }) status!: string;
  @ApiProperty({ type: [FieldChangeDto], description: 'only the fields that differ' }) changes!: FieldChangeDto[];
  @ApiProperty({ ...FORM_VERSION, description: 'the form in the earlier round; null when `added`' }) before!: unknown;
  @ApiProperty({ ...FORM_VERSION, description: 'the form in the later round; null when `removed`' }) after!: unknown;
}

class RoundSummaryDto {
  @ApiProperty({ type: 'integer', minimum: 1 }) round!: number;
  @ApiProperty({ type: 'integer', description: 'revision of the last event of the round (when its forms were current)' }) lastRevision!: number;
  @ApiProperty({ example: 'rejected', description: 'the state at the end of the round' }) state!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) submittedAt!: string | null;
  @ApiProperty({
    type: 'object',
    nullable: true,
    selfRequired: true,
    required: ['stage', 'comment', 'at', 'reviewer'],
    properties: {
      stage: { type: 'string', enum: ['first', 'second'] },
      comment: { type: 'string', nullable: true, description: '審査コメント' },
      at: { type: 'string', format: 'date-time' },
      reviewer: { type: 'object', nullable: true, additionalProperties: true, description: 'as the view shows it (personal data redacted)' },
    },
    description: 'the review that rejected this round (否認), or null',
  })
  rejection!: unknown;
}

/** GET /applications/{id}/diff */
export class RoundDiffDto {
  @ApiProperty({ format: 'uuid' }) applicationId!: string;
  @ApiProperty({ example: '132012', description: 'the applicant body (全国地方公共団体コード)' }) organizationCode!: string;
  @ApiProperty({ example: '市町村長部局', description: '機関種類 of the applicant body' }) organizationKind!: string;
  @ApiProperty({ type: RoundSummaryDto }) from!: RoundSummaryDto;
  @ApiProperty({ type: RoundSummaryDto }) to!: RoundSummaryDto;
  @ApiProperty({ type: [FormDiffDto], description: 'only the forms that differ, each with only the fields that differ' }) forms!: FormDiffDto[];
  @ApiProperty({ type: [String], description: 'codes of the forms that did not change' }) unchangedForms!: string[];
  @ApiProperty({ type: 'integer', description: 'how many changes `forms` lists' }) changedFields!: number;
}

class PathStepDto {
  @ApiProperty({ example: 'firstReview' }) state!: string;
  @ApiProperty({ type: String, nullable: true, description: 'the state before; null for the first' }) from!: string | null;
  @ApiProperty({ example: 'ApplicationSubmitted', description: 'the event that entered it' }) event!: string;
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ type: 'integer' }) position!: number;
  @ApiProperty({ format: 'date-time' }) enteredAt!: string;
  @ApiProperty({
    type: 'object',
    nullable: true,
    selfRequired: true,
    required: ['sub', 'org', 'role', 'name', 'department'],
    properties: {
      sub: { type: 'string', nullable: true },
      org: { type: 'string', nullable: true },
      organ: { type: 'string', description: 'the organ (機関種類), where the token named one' },
      role: { type: 'string', nullable: true },
      name: { type: 'string', nullable: true, description: 'personal data: redacted as the caller may read it' },
      department: { type: 'string', nullable: true },
    },
    description: 'who, as the event recorded it; null when it names nobody',
  })
  by!: unknown;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'null: it is still there' }) leftAt!: string | null;
  @ApiProperty({ type: 'integer', description: 'events recorded in the state without leaving it (forms saved in a draft)' }) eventsInState!: number;
}

/** GET /applications/{id}/path, application/json */
export class ApplicationPathDto {
  @ApiProperty({ format: 'uuid' }) applicationId!: string;
  @ApiProperty({ example: 'connection-application' }) workflow!: string;
  @ApiProperty({ example: '1' }) machineVersion!: string;
  @ApiProperty({ example: 'firstReview', description: 'the state (at asOf / asOfRevision when given)' }) state!: string;
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ type: [PathStepDto], description: 'each visit of a state, in order' }) steps!: PathStepDto[];
  @ApiProperty({ description: 'the same path as a Mermaid stateDiagram-v2 (what text/plain answers)' }) mermaid!: string;
}

class DiagramTitleDto {
  @ApiProperty({ example: '情報提供ネットワークシステム接続申請' }) ja!: string;
  @ApiProperty({ example: 'Connection application to the information-linkage network' }) en!: string;
}

/** GET /workflows/{workflow}/diagram, application/json */
export class WorkflowDiagramDto {
  @ApiProperty({ example: 'connection-application' }) workflow!: string;
  @ApiProperty({ example: '1' }) machineVersion!: string;
  @ApiProperty({ type: DiagramTitleDto }) title!: DiagramTitleDto;
  @ApiProperty({ description: 'the machine as a Mermaid stateDiagram-v2 (what text/plain answers)' }) mermaid!: string;
}
