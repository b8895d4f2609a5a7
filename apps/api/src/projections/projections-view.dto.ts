import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import type { StorageProblem } from '@nws/event-store';
import type { ProjectionRunnerState } from '@nws/read-models';

/*
 * What the projection endpoints answer, for the OpenAPI document only: the bodies are the
 * ProjectionRunner's status, parked rows and replay results, and an e2e holds real answers to the
 * published schemas (projections-openapi.e2e-spec.ts). GET /health reuses the counts and enums.
 */

// Records over the union types, so a state or problem added to them fails the build here instead of
// the document going on without it.
const RUNNER_STATES: Record<ProjectionRunnerState, true> = { running: true, retrying: true, stalled: true, stopped: true };
const PROBLEMS: Record<StorageProblem, true> = { full: true, 'read-only': true, 'io-error': true, 'cannot-open': true, busy: true };
export const PROJECTION_RUNNER_STATES = Object.keys(RUNNER_STATES);
export const STORAGE_PROBLEMS = Object.keys(PROBLEMS);

export const PROJECTION_STATE: ApiPropertyOptions = {
  enum: PROJECTION_RUNNER_STATES,
  description: 'running; retrying (a projection threw on an event: retried before it is parked); stalled (the read-model database refuses writes: disk full, read-only …); stopped',
};

/** How many events one projection parked. */
export interface ParkedCounts {
  failed: number;
  held: number;
}

/**
 * By projection name, every projection listed (zeros included). The counts are inline: a schema
 * reached only through `additionalProperties` would need registering on each controller
 * (ApiExtraModels) to be in the document.
 */
export const PARKED_BY_PROJECTION: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['failed', 'held'],
    properties: {
      failed: { type: 'integer', minimum: 0, description: 'its handler threw on them on every attempt' },
      held: { type: 'integer', minimum: 0, description: 'later events of the same streams, held back so that each stream is applied in order' },
    },
  },
  example: { applications: { failed: 0, held: 0 }, 'master-data': { failed: 0, held: 0 } },
};

/**
 * Inline rather than a $ref: OpenAPI 3.0 cannot make a referenced schema nullable. `selfRequired`:
 * with `required` listing the object's own fields, Nest would leave the property itself out of its
 * parent's required list.
 */
const STALL: ApiPropertyOptions = {
  type: 'object',
  nullable: true,
  selfRequired: true,
  required: ['problem', 'since', 'error'],
  properties: {
    problem: { type: 'string', enum: STORAGE_PROBLEMS },
    since: { type: 'string', format: 'date-time' },
    error: { type: 'string' },
  },
  description: 'while stalled: what the read-model database refused, and since when (null otherwise)',
};

/** GET /projections */
export class ProjectionsStatusDto {
  @ApiProperty(PROJECTION_STATE) state!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'the lowest checkpoint: every projection has applied (or parked) every event up to this global position' }) position!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { applications: 42, 'master-data': 42 }, description: 'by projection: the global position it has applied up to' })
  checkpoints!: Record<string, number>;
  @ApiProperty({ ...PARKED_BY_PROJECTION, description: 'parked events by projection (GET /projections/parked lists them)' }) parked!: Record<string, ParkedCounts>;
  @ApiProperty(STALL) storage!: { problem: string; since: string; error: string } | null;
  @ApiProperty({ type: String, nullable: true, description: 'the last fault or database error met (kept after recovery)' }) lastError!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'while retrying or stalled: when the next attempt runs' }) nextAttemptAt!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, description: "the store's last global position (null when the store is unavailable)" }) headPosition!: number | null;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 0,
    description:
      'events not yet applied by every projection: exact on the embedded store (positions count events); on EventStoreDB, whose positions are byte offsets in its log, the distance in the log divided by the spacing of the events received (an estimate); null when the store is unavailable',
  })
  lagEvents!: number | null;
}

class ParkedProjectionEventDto {
  @ApiProperty({ example: 'applications' }) projection!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'the global position of the event (what the replay names)' }) position!: number;
  @ApiProperty({ example: 'application-0d4f…' }) streamId!: string;
  @ApiProperty({ example: 'ApplicationSubmitted', description: 'the event type' }) type!: string;
  @ApiProperty({ enum: ['failed', 'held'], description: 'failed: its handler threw on every attempt; held: a later event of a stream with a failed one' }) reason!: string;
  @ApiProperty({ type: String, nullable: true, description: 'what the handler threw (null when held)' }) error!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'how often it was applied and failed (0 when held)' }) attempts!: number;
  @ApiProperty({ format: 'date-time' }) parkedAt!: string;
  @ApiProperty({ format: 'date-time' }) lastAttemptAt!: string;
}

/** GET /projections/parked: one page, oldest first. */
export class ParkedProjectionEventsPageDto {
  @ApiProperty({ type: [ParkedProjectionEventDto] }) items!: ParkedProjectionEventDto[];
}

/** Inline and selfRequired as STALL. */
const FAILED_AGAIN: ApiPropertyOptions = {
  type: 'object',
  nullable: true,
  selfRequired: true,
  required: ['position', 'error'],
  properties: { position: { type: 'integer' }, error: { type: 'string' } },
  description: 'the event that failed again (then the answer is a 409, not this body): null in every 200',
};

class ProjectionReplayResultDto {
  @ApiProperty({ example: 'applications' }) projection!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty({ type: 'array', items: { type: 'integer' }, description: 'the positions applied and removed from the parked list, in order' }) applied!: number[];
  @ApiProperty(FAILED_AGAIN) failed!: { position: number; error: string } | null;
  @ApiProperty({ type: 'array', items: { type: 'integer' }, description: 'the positions of the stream still parked (empty in every 200)' }) stillParked!: number[];
}

/** POST /projections/parked/{position}/replay */
export class ProjectionReplayDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'the position named in the path' }) position!: number;
  @ApiProperty({ type: [ProjectionReplayResultDto], description: 'one per projection that had parked the event (or only the one `projection` named)' }) results!: ProjectionReplayResultDto[];
}
