import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';

/*
 * What GET /workflows and GET /workflows/{workflow} answer, for the OpenAPI document only: the
 * controller builds these bodies from the WorkflowDefinition (describeWorkflow), and an e2e holds
 * real answers of both workflows to the published schemas (reference-openapi.e2e-spec.ts).
 */

/**
 * The JSON Schemas a definition publishes are draft-07 (type arrays, `const`, `not`,
 * `definitions`), which an OpenAPI 3.0 schema cannot restate: they are described as what they are
 * to a client, an object to hand to a JSON Schema validator.
 */
const JSON_SCHEMA: ApiPropertyOptions = { type: 'object', additionalProperties: true, description: 'a JSON Schema (draft-07) of the body: validate with any JSON Schema validator' };
const EXAMPLE: ApiPropertyOptions = { type: 'object', additionalProperties: true, description: 'a complete body the schema accepts' };

export class WorkflowTitleDto {
  @ApiProperty({ example: '情報提供ネットワークシステム接続申請' }) ja!: string;
  @ApiProperty({ example: 'Connection application to the information-linkage network' }) en!: string;
}

/** One row of GET /workflows. */
export class WorkflowSummaryDto {
  @ApiProperty({ example: 'connection-application', description: 'what `workflow` names in POST /applications and GET /workflows/{workflow}' }) name!: string;
  @ApiProperty({ type: WorkflowTitleDto, description: 'of the latest machine version' }) title!: WorkflowTitleDto;
  @ApiProperty({ example: '1', description: 'the latest machine version: new applications run on it' }) machineVersion!: string;
  @ApiProperty({ type: [String], example: ['1'], description: 'every machine version this deployment runs (applications stay on the one they started with)' }) versions!: string[];
}

class WorkflowTransitionDto {
  @ApiProperty({ example: 'ApplicationSubmitted', description: 'the stored event type that moves the application' }) event!: string;
  @ApiProperty({ example: 'awaitingForward', description: 'the state it moves to (the same state for an event that does not move it)' }) target!: string;
}

class WorkflowStateDto {
  @ApiProperty({ example: 'draft' }) name!: string;
  @ApiProperty({ description: 'no action leaves it' }) final!: boolean;
  @ApiProperty({ type: [WorkflowTransitionDto] }) transitions!: WorkflowTransitionDto[];
}

/** Where a body is sent, with its schema and an example. */
class WorkflowInputDto {
  @ApiProperty({ enum: ['POST'] }) method!: string;
  @ApiProperty({ example: '/applications' }) path!: string;
  @ApiProperty(JSON_SCHEMA) schema!: Record<string, unknown>;
  @ApiProperty(EXAMPLE) example!: Record<string, unknown>;
}

class WorkflowFormSaveDto {
  @ApiProperty({ enum: ['PUT'] }) method!: string;
  @ApiProperty({ example: '/applications/{id}/forms/02-01' }) path!: string;
}

class WorkflowFormDto {
  @ApiProperty({ example: '02-01', description: 'the form code (様式番号)' }) code!: string;
  @ApiProperty({ type: WorkflowTitleDto }) title!: WorkflowTitleDto;
  @ApiProperty({ type: WorkflowFormSaveDto, description: 'how the form is saved into a draft' }) save!: WorkflowFormSaveDto;
  @ApiProperty(JSON_SCHEMA) schema!: Record<string, unknown>;
  @ApiProperty(EXAMPLE) example!: Record<string, unknown>;
  @ApiProperty({ type: [String], example: ['filler.name'], description: 'paths of the personal data in the form (`[]` for each element of a list): redacted for callers who may not read them' })
  personalFields!: string[];
}

/**
 * Inline rather than a class: a schema reached only through `additionalProperties` would need
 * registering on the controller (ApiExtraModels) to be in the document.
 */
const CATEGORY_GUIDE = {
  type: 'object',
  required: ['requiredForms', 'registeredMasterData', 'optionalForms', 'requiredUnlessRegistered'],
  properties: {
    requiredForms: { type: 'array', items: { type: 'string' }, example: ['02-01', '02-02'], description: 'the forms `submit` requires' },
    registeredMasterData: {
      type: 'string',
      enum: ['required', 'absent', 'either'],
      description: "whether the organ's master data must already be registered (変更), must not be (登録), or may be either (接続): offer the category accordingly",
    },
    optionalForms: { type: 'array', items: { type: 'string' }, description: 'forms `submit` takes when they are saved' },
    requiredUnlessRegistered: {
      type: 'array',
      items: { type: 'string' },
      description: "forms `submit` requires unless the organ's master data holds them already (接続: 責任体制 and 連絡窓口)",
    },
  },
};

interface CategoryGuide {
  requiredForms: string[];
  registeredMasterData: 'required' | 'absent' | 'either';
  optionalForms: string[];
  requiredUnlessRegistered: string[];
}

/**
 * GET /workflows/{workflow}: the latest machine version, described from the machine itself. A
 * workflow's own guide adds fields at the top level (connection-application: `categories`,
 * `selection`); other workflows may add others.
 */
export class WorkflowDefinitionDto {
  @ApiProperty({ example: 'connection-application' }) name!: string;
  @ApiProperty({ type: WorkflowTitleDto }) title!: WorkflowTitleDto;
  @ApiProperty({ example: '1' }) machineVersion!: string;
  @ApiProperty({ example: 'new', description: 'the state before the first event' }) initialState!: string;
  @ApiProperty({ type: [WorkflowStateDto], description: 'every state, with the events that leave it' }) states!: WorkflowStateDto[];
  @ApiProperty({ type: [String], example: ['submit', 'approve'], description: 'what a client may POST to /applications/{id}/actions/{action}, in display order' })
  actions!: string[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: CATEGORY_GUIDE,
    description: 'connection-application: by 申請区分 (登録, 変更, 接続), the forms it requires and takes',
  })
  categories?: Record<string, CategoryGuide>;
  @ApiPropertyOptional({ type: WorkflowInputDto, description: 'connection-application: generating 様03-07/03-08/03-09 into a draft from the selection-screen choices' })
  selection?: WorkflowInputDto;
  @ApiProperty({ type: WorkflowInputDto, description: 'creating an application of this workflow' }) create!: WorkflowInputDto;
  @ApiProperty({ type: [WorkflowFormDto], description: 'every form of the workflow, in display order' }) forms!: WorkflowFormDto[];
}

