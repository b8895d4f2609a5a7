import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import type { EventStoreKind, JwtMode } from '@nws/runtime';
import { PARKED_BY_PROJECTION, PROJECTION_STATE, STORAGE_PROBLEMS, type ParkedCounts } from '../projections/projections-view.dto';

/*
 * What GET /health answers, for the OpenAPI document only: HealthController and StorageHealth build
 * it, and an e2e holds real answers to the published schema (projections-openapi.e2e-spec.ts).
 */

// Records over the union types, so a kind or mode added to them fails the build here.
const STORE_KINDS: Record<EventStoreKind, true> = { sqlite: true, esdb: true };
const AUTH_MODES: Record<JwtMode, true> = { development: true, configured: true, 'public-key': true, jwks: true };

/**
 * Inline rather than a $ref: OpenAPI 3.0 cannot make a referenced schema nullable. `selfRequired`:
 * with `required` listing the object's own fields, Nest would leave the property itself out of its
 * parent's required list.
 */
const writerProblem = (description: string): ApiPropertyOptions => ({
  type: 'object',
  nullable: true,
  selfRequired: true,
  required: ['problem', 'since'],
  properties: { problem: { type: 'string', enum: STORAGE_PROBLEMS }, since: { type: 'string', format: 'date-time' } },
  description,
});

class HealthEventStoreDto {
  @ApiProperty({ enum: Object.keys(STORE_KINDS), description: 'sqlite: the embedded store in DATA_DIR; esdb: EventStoreDB' }) kind!: string;
  @ApiProperty({ description: 'whether the store told its head within a second (an unreachable store makes `status` degraded, not an error)' }) reachable!: boolean;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, description: 'its last global position (null when unreachable)' }) headPosition!: number | null;
  @ApiPropertyOptional({ description: 'only when unreachable: why' }) problem?: string;
}

class HealthProjectionsDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'the lowest checkpoint of the read-model projections' }) position!: number;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, description: 'events stored and not yet in every read model (null when the store is unreachable); see GET /projections' }) lagEvents!: number | null;
  @ApiProperty(PROJECTION_STATE) state!: string;
  @ApiProperty({ ...PARKED_BY_PROJECTION, description: 'parked events by projection: any makes `status` degraded' }) parked!: Record<string, ParkedCounts>;
}

class HealthStorageDto {
  @ApiProperty({ enum: ['ok', ...STORAGE_PROBLEMS], description: 'ok, or the problem that refuses writes now (the data directory’s, else the first writer’s)' }) state!: string;
  @ApiProperty({ description: 'state is ok: writes are accepted (reads are served either way)' }) writesAccepted!: boolean;
  @ApiProperty({ enum: ['ok', ...STORAGE_PROBLEMS], description: 'a file created and written in DATA_DIR just now (at most once a second)' }) dataDir!: string;
  @ApiProperty(writerProblem("the embedded event store's latest commit failed (null: it succeeded, or the store is EventStoreDB)")) eventStore!: { problem: string; since: string } | null;
  @ApiProperty(writerProblem('the read-model database refuses writes: projections are stalled on it (null otherwise)')) readModels!: { problem: string; since: string } | null;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'personal-data access-log entries waiting in memory for the disk' }) accessLogBacklog!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'access-log entries its indexer has not reached (queries by subject or application scan them)' }) accessLogUnindexed!: number;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: "whether other processes' commits on the embedded store (the CLI) wake this one at once (false: at the next poll, ~500 ms); null on EventStoreDB",
  })
  commitDoorbell!: boolean | null;
}

/** Inline, as writerProblem: OpenAPI 3.0 cannot make a referenced schema nullable. */
const SEALER: ApiPropertyOptions = {
  type: 'object',
  nullable: true,
  selfRequired: true,
  required: ['state', 'reason', 'lastSeal', 'unsealedEvents'],
  properties: {
    state: { type: 'string', enum: ['running', 'paused', 'halted', 'stopped'], description: 'halted: the store and the witness disagree, nothing is sealed until an operator runs verify (`status` degraded); paused: the disk refuses writes, sealing resumes with it' },
    reason: { type: 'string', nullable: true, description: 'why it halted' },
    lastSeal: {
      type: 'object',
      nullable: true,
      required: ['sequence', 'toPosition', 'sealedAt'],
      properties: { sequence: { type: 'integer', minimum: 1 }, toPosition: { type: 'integer', minimum: 0, description: 'the last position it covers' }, sealedAt: { type: 'string', format: 'date-time' } },
      description: 'the newest seal (null before the first)',
    },
    unsealedEvents: { type: 'integer', minimum: 0, description: 'events committed since the newest seal' },
  },
  description: 'the store-wide sealer where it runs (the single process, the worker); null in API replicas',
};

/**
 * GET /health: always 200 while the process answers (a load balancer must keep a replica that
 * serves reads); `status` says whether something needs an operator.
 */
export class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'], description: 'degraded: writes are refused, a projection is stalled, events are parked, the store is unreachable, or the sealer halted' }) status!: string;
  @ApiProperty({ type: HealthEventStoreDto }) eventStore!: HealthEventStoreDto;
  @ApiProperty({ type: HealthProjectionsDto }) projections!: HealthProjectionsDto;
  @ApiProperty({ type: HealthStorageDto }) storage!: HealthStorageDto;
  @ApiProperty(SEALER) sealer!: Record<string, unknown> | null;
  @ApiProperty({ enum: Object.keys(AUTH_MODES), description: 'how bearer tokens are verified (development: a secret generated in DATA_DIR)' }) authMode!: string;
}
