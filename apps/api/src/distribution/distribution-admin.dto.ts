import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { PUBLISHABLE_EVENT_TYPES, TRANSPORTS } from '@nws/distribution';
import { DeliveredEventDto } from './distribution-page.dto';

/*
 * What the distribution endpoints other than the pull answer, for the OpenAPI document only: the
 * ledger (DistributionLedger) and the host build these bodies, and an e2e holds real answers to the
 * published schemas (distribution-openapi.e2e-spec.ts).
 */

const EVENT_TYPES = [...PUBLISHABLE_EVENT_TYPES];
const POSITION: ApiPropertyOptions = { type: 'integer', minimum: 0 };
const COUNT: ApiPropertyOptions = { type: 'integer', minimum: 0 };
const CONSUMER: ApiPropertyOptions = { example: 'reference-distributor', description: 'the consumer named in the path' };
const CHECKPOINT: ApiPropertyOptions = { ...POSITION, description: 'the position up to which every event of the consumer is settled (acked or parked), after this call' };

class ConsumerLagDto {
  @ApiProperty({ ...COUNT, description: 'matching events after the checkpoint not settled yet' }) events!: number;
  @ApiProperty({ minimum: 0, description: 'how long ago the oldest of them was recorded (0 when none), to the millisecond' }) seconds!: number;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, description: 'the global position of the oldest of them; null when none is owed' }) oldestPosition!: number | null;
}

/** One consumer as configured, with where it stands. */
export class ConsumerStatusDto {
  @ApiProperty({ example: 'reference-distributor' }) name!: string;
  @ApiProperty({ enum: EVENT_TYPES, isArray: true, description: 'the event types it is registered for' }) eventTypes!: string[];
  @ApiProperty({ enum: [...TRANSPORTS], description: '`http`: pull or stream from this API; `esdb-persistent`: a persistent subscription group of EventStoreDB' }) transport!: string;
  @ApiProperty({ type: String, nullable: true, example: 'distribution-if-system', description: 'esdb-persistent: the persistent subscription group on $all its instances join; null for http' })
  group!: string | null;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'an event not acknowledged this long is delivered again' }) ackTimeoutMs!: number;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'an event delivered this many times without an ack is parked at its next redelivery' }) maxDeliveries!: number;
  @ApiProperty({ ...POSITION, description: 'the position up to which every event is settled (acked or parked)' }) checkpoint!: number;
  @ApiProperty({ type: ConsumerLagDto }) lag!: ConsumerLagDto;
  @ApiProperty({ ...COUNT, description: 'delivered and neither acked nor parked yet' }) inFlight!: number;
  @ApiProperty({ ...COUNT, description: 'parked: GET /distribution/{consumer}/parked lists them' }) parked!: number;
  @ApiProperty({ ...COUNT, description: 'replayed and not delivered again yet' }) replaying!: number;
}

export class DistributionConsumersDto {
  @ApiProperty({ type: [ConsumerStatusDto], description: 'every registered consumer, in the order of the configuration' }) consumers!: ConsumerStatusDto[];
}

export class DistributionLagDto {
  @ApiProperty({ ...POSITION, description: 'the position of the newest event in the store (0 when empty)' }) headPosition!: number;
  @ApiProperty({ ...COUNT, description: 'versions every consumer of versions acknowledged whose distribution is not confirmed on the application yet' }) pendingConfirmations!: number;
  @ApiProperty({ type: [ConsumerStatusDto] }) consumers!: ConsumerStatusDto[];
}

class PublishedEventTypeDto {
  @ApiProperty({ enum: EVENT_TYPES }) type!: string;
  // Draft-07 with type arrays (["string", "null"]), which OpenAPI 3.0 cannot express: open JSON here.
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the JSON Schema (draft-07) of a delivered event of this type: the envelope and the published view of its data' })
  schema!: Record<string, unknown>;
}

export class PublishedEventTypesDto {
  @ApiProperty({ type: [PublishedEventTypeDto], description: 'every event type a consumer can be registered for' }) eventTypes!: PublishedEventTypeDto[];
}

export class DeliveryAtPositionDto {
  @ApiProperty(CONSUMER) consumer!: string;
  @ApiProperty({ enum: ['delivered', 'acked'], description: '`acked`: this consumer acknowledged the event already; acknowledge it to EventStoreDB only' }) status!: string;
  @ApiProperty(CHECKPOINT) checkpoint!: number;
  @ApiProperty({ type: DeliveredEventDto, description: 'the published view of the event at that position' }) event!: DeliveredEventDto;
}

class SettleResultDto {
  @ApiProperty(CONSUMER) consumer!: string;
  @ApiProperty({ type: [String], description: 'ids this consumer had acknowledged before: left as they are' }) alreadyAcknowledged!: string[];
  @ApiProperty({ type: [String], description: 'ids never delivered to this consumer: nothing to settle' }) unknown!: string[];
  @ApiProperty(CHECKPOINT) checkpoint!: number;
}

export class DistributionAckResultDto extends SettleResultDto {
  @ApiProperty({ type: [String], description: 'ids this call acknowledged' }) acknowledged!: string[];
}

export class DistributionNackResultDto extends SettleResultDto {
  @ApiProperty({ type: [String], description: 'ids this call parked (a parked id nacked again is parked again, with the new reason)' }) parked!: string[];
}

/**
 * Inline rather than a $ref: OpenAPI 3.0 cannot make a referenced schema nullable. The fields of
 * DeliveredEventDto. `selfRequired`: with its own `required` list, the property would otherwise
 * be left out of the parent's.
 */
const PARKED_EVENT: ApiPropertyOptions = {
  type: 'object',
  nullable: true,
  selfRequired: true,
  required: ['eventId', 'position', 'type', 'streamId', 'occurredAt', 'recordedAt', 'correlationId', 'attempt', 'data'],
  properties: {
    eventId: { type: 'string', format: 'uuid' },
    position: { type: 'integer', minimum: 0 },
    type: { type: 'string', enum: EVENT_TYPES },
    streamId: { type: 'string' },
    occurredAt: { type: 'string', format: 'date-time' },
    recordedAt: { type: 'string', format: 'date-time' },
    correlationId: { type: 'string', nullable: true },
    // The record's attempts, which a replay resets: 0 when parked again before its redelivery.
    attempt: { type: 'integer', minimum: 0 },
    data: { type: 'object', additionalProperties: true, description: 'the published view (per type: GET /distribution/event-types)' },
  },
  description: 'the event as the consumer receives it; null when the store no longer has an event at that position',
};

class DistributionParkedEventDto {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty(POSITION) position!: number;
  @ApiProperty({ enum: EVENT_TYPES }) type!: string;
  @ApiProperty({ ...COUNT, description: 'how many times it was delivered (a replay starts again from 0)' }) attempts!: number;
  @ApiProperty({ type: String, nullable: true, description: "the consumer's nack reason, or why the ledger parked it (not acknowledged after maxDeliveries)" }) reason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) parkedAt!: string | null;
  @ApiProperty(PARKED_EVENT) event!: Record<string, unknown> | null;
}

export class DistributionParkedPageDto {
  @ApiProperty(CONSUMER) consumer!: string;
  @ApiProperty({ ...COUNT, description: 'how many events of the consumer are parked in all (every page)' }) total!: number;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1000, description: 'the page size asked for (default 100)' }) limit!: number;
  @ApiProperty({ ...COUNT, description: 'how many parked events come before this page' }) offset!: number;
  @ApiProperty({ type: [DistributionParkedEventDto], description: 'oldest position first' }) items!: DistributionParkedEventDto[];
}

export class DistributionReplayResultDto {
  @ApiProperty(CONSUMER) consumer!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty(POSITION) position!: number;
  @ApiProperty({ ...CHECKPOINT, description: 'stepped back below the event until it is settled again' }) checkpoint!: number;
  @ApiProperty({ enum: ['pending'], description: 'due again at once: the next pull or stream delivers it' }) status!: string;
}
