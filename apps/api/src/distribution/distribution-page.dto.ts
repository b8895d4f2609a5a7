import { ApiProperty } from '@nestjs/swagger';

/*
 * A page of GET /distribution/{consumer}/events, for the OpenAPI document only. Each event's
 * `data` is the published view of its type, whose JSON Schema GET /distribution/event-types gives;
 * an e2e holds real pages to this schema (openapi-document.e2e-spec.ts).
 */

export class DeliveredEventDto {
  @ApiProperty({ format: 'uuid', description: 'acknowledge (or nack) it by this id' }) eventId!: string;
  @ApiProperty({ description: 'its global position (the order to apply events in)' }) position!: number;
  @ApiProperty({ enum: ['SecondReviewApproved', 'MasterDataRegistered', 'MasterDataVersionRegistered', 'MasterDataDistributed'] }) type!: string;
  @ApiProperty({ example: 'master-data-132012' }) streamId!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: String, nullable: true }) correlationId!: string | null;
  @ApiProperty({ minimum: 1, description: 'how many times it has been delivered to this consumer' }) attempt!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the published view of the event (per type: GET /distribution/event-types)' })
  data!: Record<string, unknown>;
}

export class PullPageDto {
  @ApiProperty({ example: 'reference-distributor' }) consumer!: string;
  @ApiProperty({ description: 'the position up to which every event is settled (acked or parked)' }) checkpoint!: number;
  @ApiProperty({ description: 'pass as `after` to fetch the page that follows without acknowledging this one' }) nextAfter!: number;
  @ApiProperty({ type: [DeliveredEventDto], description: 'in global order; each leased until acked or the ack timeout' }) events!: DeliveredEventDto[];
}
