import type { JsonObject } from '@nws/event-store';
import { PUBLISHABLE_EVENT_TYPES, PUBLISHED_DATA_NOTICES, VERSION_EVENT } from './published-event';

/*
 * What a downstream system receives, as JSON Schema (draft-07), one per event type: the envelope
 * (PublishedEvent) and the published view of its data (the allow-lists in published-event.ts).
 * Served at GET /distribution/event-types so a consumer can check what it parses; the e2e holds
 * every delivered event to its schema, so the two cannot drift apart.
 */

const text: JsonObject = { type: 'string', minLength: 1 };
const nullableText: JsonObject = { type: ['string', 'null'] };
const nullableCount: JsonObject = { type: ['integer', 'null'], minimum: 0 };
const organizationCode: JsonObject = { type: ['string', 'null'], description: '全国地方公共団体コード (6 digits) of the body' };
const organizationKind: JsonObject = { type: ['string', 'null'], description: '機関種類: organs of one local government share its code' };

const DATA: Record<string, JsonObject> = {
  [VERSION_EVENT]: {
    description: 'A version of a body’s master data (本番用マスタデータ), as published: never emergency contacts, reviewers’ names or comments',
    type: 'object',
    additionalProperties: false,
    required: ['organizationCode', 'organizationKind', 'version', 'applicationId', 'applicationNumber', 'category', 'contentHash', 'content'],
    properties: {
      organizationCode,
      organizationKind,
      version: { ...nullableCount, description: 'the organ’s version number, from 1' },
      applicationId: nullableText,
      applicationNumber: { ...nullableText, description: '申請番号' },
      category: { ...nullableText, description: '申請区分 (登録, 変更, 接続)' },
      contentHash: { ...nullableText, description: 'sha256 of the canonical JSON (RFC 8785) of content as registered: the version’s identity' },
      publishedContentHash: {
        ...text,
        description: 'present only where personal data is withheld from content (［利用停止中］, ［消去済み］): sha256 of the canonical JSON of content as sent, which contentHash no longer matches',
      },
      content: {
        type: ['object', 'null'],
        description: 'the master data itself (organization, structure, contacts in priority order, affairs and information, delegations)',
        required: ['organization'],
        properties: { organization: { type: 'object', required: ['code', 'name', 'kind'], properties: { code: text, name: text, kind: text } } },
      },
    },
  },
  SecondReviewApproved: {
    description: 'The operator (総務省) approved an application in second review',
    type: 'object',
    additionalProperties: false,
    required: ['applicationId', 'workflow', 'round', 'reviewerBody'],
    properties: {
      applicationId: nullableText,
      workflow: { ...nullableText, description: 'the workflow the application runs (connection-application, account-request; GET /workflows)' },
      round: { ...nullableCount, description: 'the application’s round, from 1' },
      reviewerBody: { type: 'object', additionalProperties: false, required: ['code', 'name'], properties: { code: nullableText, name: nullableText } },
    },
  },
  MasterDataRegistered: {
    description: 'The application’s content became a version of its body’s master data',
    type: 'object',
    additionalProperties: false,
    required: ['applicationId', 'organizationCode', 'organizationKind', 'version', 'contentHash'],
    properties: { applicationId: nullableText, organizationCode, organizationKind, version: nullableCount, contentHash: nullableText },
  },
  ...Object.fromEntries(
    PUBLISHED_DATA_NOTICES.map((type) => [
      type,
      {
        description:
          'A person of the body (the organ) had their data erased (消去), their use suspended (利用停止) or resumed: the organ’s master-data versions as published changed (publishedContentHash), not their contentHash. Fetch them again (GET /master-data/organizations/{code}/versions/{version}?organ=) and replace the copies kept. Names the body and the kind of change, never the person.',
        type: 'object',
        additionalProperties: false,
        required: ['organizationCode', 'organizationKind', 'change'],
        properties: {
          organizationCode,
          organizationKind,
          change: { enum: ['erased', 'suspended', 'resumed'], description: 'erased: 消去 (for good); suspended: 利用停止; resumed: 利用停止の解除' },
        },
      },
    ]),
  ),
  MasterDataDistributed: {
    description: 'Every consumer of versions acknowledged the application’s version: the application is distributed',
    type: 'object',
    additionalProperties: false,
    required: ['applicationId', 'organizationCode', 'organizationKind', 'version'],
    properties: { applicationId: nullableText, organizationCode, organizationKind, version: nullableCount },
  },
};

/** The schema of one published event of `type`: the envelope with its data. */
export function publishedEventSchema(type: string): JsonObject {
  const data = DATA[type];
  if (!data) throw new Error(`no published view for ${type}`);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: type,
    type: 'object',
    additionalProperties: false,
    required: ['eventId', 'position', 'type', 'streamId', 'occurredAt', 'recordedAt', 'correlationId', 'attempt', 'data'],
    properties: {
      eventId: { ...text, description: 'idempotency key of the delivery: acknowledge by it' },
      position: { type: 'integer', minimum: 0, description: 'global position: the SSE id, the pull’s `after`' },
      type: { const: type },
      streamId: text,
      occurredAt: { type: 'string', format: 'date-time' },
      recordedAt: { type: 'string', format: 'date-time' },
      correlationId: nullableText,
      attempt: { type: 'integer', minimum: 1, description: '1 on the first delivery, more on redeliveries' },
      data,
    },
  };
}

/** Every event type a consumer can be registered for, with its schema. */
export function publishedEventTypes(): Array<{ readonly type: string; readonly schema: JsonObject }> {
  return PUBLISHABLE_EVENT_TYPES.map((type) => ({ type, schema: publishedEventSchema(type) }));
}
