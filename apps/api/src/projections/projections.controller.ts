import { ConflictException, Controller, Get, HttpCode, Inject, Logger, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ForbiddenError, ValidationFailedError, type Actor } from '@nws/engine';
import type { EventStore } from '@nws/event-store';
import { ParkedEventNotFoundError, type ProjectionRunner } from '@nws/read-models';
import { CurrentActor } from '../auth/current-actor.decorator';
import { EVENT_STORE, PROJECTION_RUNNER } from '../infrastructure/tokens';
import { ParkedQueryDto, ReplayQueryDto } from './projections.dto';
import { pageOf } from '../http/page-query.dto';
import { STALE_HEADER, headIfAvailable } from '../http/read-model-freshness';
import { ParkedProjectionEventsPageDto, ProjectionReplayDto, ProjectionsStatusDto } from './projections-view.dto';

/**
 * The read-model projections as operated: checkpoints, lag, state (running, retrying, stalled on
 * the disk) and the events a projection parked because its handler kept throwing on them.
 * Operators and auditors read; only operators replay (after the projection was fixed).
 */
@ApiTags('projections')
@ApiBearerAuth()
@Controller('projections')
export class ProjectionsController {
  private readonly logger = new Logger('Projections');

  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Projection state, checkpoints, lag and parked counts (operator, auditor)' })
  @ApiOkResponse({
    type: ProjectionsStatusDto,
    description: 'the runner as it is now, with the store head',
    headers: { [STALE_HEADER]: { description: '`true` when the event store is unavailable (or does not answer within 1 s): `headPosition` and `lagEvents` are null', schema: { type: 'string', enum: ['true'] } } },
  })
  async status(@CurrentActor() actor: Actor, @Res({ passthrough: true }) res: FastifyReply) {
    mayRead(actor);
    // An outage is when an operator most needs the checkpoints: the head unknown, not a 503.
    const head = await headIfAvailable(this.store);
    const status = this.runner.status;
    if (head === undefined) {
      void res.header(STALE_HEADER, 'true');
      return { ...status, headPosition: null, lagEvents: null };
    }
    return { ...status, headPosition: head, lagEvents: this.runner.lagEvents(head) };
  }

  @Get('parked')
  @ApiOperation({ summary: 'Events a projection parked (failed: its handler threw on every attempt; held: later events of the same stream), oldest first (operator, auditor)' })
  @ApiOkResponse({ type: ParkedProjectionEventsPageDto, description: 'one page of parked events, oldest first' })
  parked(@CurrentActor() actor: Actor, @Query() query: ParkedQueryDto) {
    mayRead(actor);
    this.assertProjection(query.projection);
    return { items: this.runner.parked({ ...(query.projection !== undefined ? { projection: query.projection } : {}), ...pageOf(query) }) };
  }

  @Post('parked/:position/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply a parked event again, with the events of its stream held behind it, in order (operator); 409 if it fails again' })
  @ApiOkResponse({ type: ProjectionReplayDto, description: 'applied: the event and those held behind it left the parked list' })
  async replay(@CurrentActor() actor: Actor, @Param('position') raw: string, @Query() query: ReplayQueryDto) {
    // The role first: nobody else learns anything from this route, not even what it validates.
    if (actor.role !== 'operator') {
      throw new ForbiddenError({ ja: '保留中のイベントの再適用は運用担当（operator）のみが行えます。', en: 'only an operator may replay parked projection events' });
    }
    if (!/^[1-9]\d{0,14}$/.test(raw)) {
      // A violation as every other 400 has, so a client shows it beside the field it names.
      throw new ValidationFailedError([{ field: 'position', rule: 'globalPosition', message: { ja: 'position: 1 以上の整数（グローバル位置）を指定してください。', en: 'position: must be a positive integer (a global position)' } }]);
    }
    const position = Number(raw);
    this.assertProjection(query.projection);
    try {
      const results = await this.runner.replayParked(position, query.projection !== undefined ? { projection: query.projection } : {});
      for (const result of results) {
        this.logger.log(`replay by ${actor.sub} of ${result.projection} at ${position} (${result.streamId}): applied [${result.applied.join(', ')}]${result.failed ? `, failed again at ${result.failed.position}` : ''}`);
      }
      const failed = results.find((r) => r.failed);
      if (failed?.failed) {
        throw new ConflictException({
          ja: `投影 ${failed.projection} はイベント（位置 ${failed.failed.position}）を再び適用できませんでした。保留のままです: ${failed.failed.error}`,
          en: `projection ${failed.projection} failed again on the event at position ${failed.failed.position}; it stays parked: ${failed.failed.error}`,
        });
      }
      return { position, results };
    } catch (error) {
      if (error instanceof ParkedEventNotFoundError) {
        throw new NotFoundException({ ja: `位置 ${position} に保留中のイベントはありません。`, en: error.message });
      }
      throw error;
    }
  }

  /** A projection that does not exist is a typo, not a projection without parked events. */
  private assertProjection(name: string | undefined): void {
    const known = Object.keys(this.runner.parkedCounts());
    if (name === undefined || known.includes(name)) return;
    throw new ValidationFailedError([
      { field: 'projection', rule: 'isIn', message: { ja: `projection: 投影は ${known.map((k) => `「${k}」`).join(', ')} のいずれかです。`, en: `projection: must be one of ${known.map((k) => JSON.stringify(k)).join(', ')}` } },
    ]);
  }
}

function mayRead(actor: Actor): void {
  if (actor.role !== 'operator' && actor.role !== 'auditor') {
    throw new ForbiddenError({ ja: '投影の状態は運用担当または監査担当のみが参照できます。', en: 'only an operator or an auditor may read projection status' });
  }
}
