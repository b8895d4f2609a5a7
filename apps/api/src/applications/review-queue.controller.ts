import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { ForbiddenError, type Actor } from '@nws/engine';
import type { EventStore } from '@nws/event-store';
import type { ProjectionRunner, ReadModelQueries } from '@nws/read-models';
import { organOf, reviewingBodyOf } from '@nws/workflows/shared/organizations';
import { CurrentActor } from '../auth/current-actor.decorator';
import { pageOf } from '../http/page-query.dto';
import { CursorPageQueryDto, decodeCursor, encodeCursor } from '../http/page-cursor';
import { STALE_HEADER_DOC, caughtUpOrMarkedStale } from '../http/read-model-freshness';
import { EVENT_STORE, PROJECTION_RUNNER, READ_MODEL_QUERIES } from '../infrastructure/tokens';
import { ReviewQueuePageDto } from './application-view.dto';

/** MIC's second-review queue is national: paged like every list, with the total beside it. */
export class ReviewQueueQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ enum: ['forward', 'first', 'second'], description: 'defaults from the caller role; forward = boards of education waiting for their head department' })
  @IsOptional()
  @IsIn(['forward', 'first', 'second'])
  stage?: 'forward' | 'first' | 'second';
}

@ApiTags('review-queue')
@ApiBearerAuth()
@Controller('review-queue')
export class ReviewQueueController {
  constructor(
    @Inject(READ_MODEL_QUERIES) private readonly queries: ReadModelQueries,
    @Inject(PROJECTION_RUNNER) private readonly projections: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  @ApiOperation({ summary: "Applications waiting for the caller's body (first: 取りまとめ都道府県 or J-LIS; second: MIC)" })
  @ApiOkResponse({ type: ReviewQueuePageDto, description: 'one page of the queue, `stale` as X-Read-Model-Stale says', headers: STALE_HEADER_DOC })
  async queue(@Query() query: ReviewQueueQueryDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: FastifyReply) {
    // The stage follows the role: an applicant's queue is what it forwards.
    const stage = query.stage ?? (actor.role === 'second-reviewer' ? 'second' : actor.role === 'applicant' ? 'forward' : 'first');
    // A reviewer's queue is its reviewing body's: a prefecture's through its governor's department only.
    const reviewing = reviewingBodyOf(actor) !== undefined;
    const allowed =
      actor.role === 'auditor' ||
      (actor.role === 'first-reviewer' && stage === 'first' && reviewing) ||
      (actor.role === 'second-reviewer' && stage === 'second' && reviewing) ||
      (actor.role === 'applicant' && stage === 'forward' && organOf(actor) === '市町村長部局');
    if (!allowed) {
      const label = { forward: '経由（進達）', first: '一次審査', second: '二次審査' }[stage];
      throw new ForbiddenError({
        ja: `stage: ${label}の待ち行列を閲覧する権限がありません（${actor.role}）。`,
        en: `stage: ${/^[aeiou]/.test(actor.role) ? 'an' : 'a'} ${actor.role} may not read the ${stage} queue${query.stage === undefined ? ' (the stage its role reads when none is asked for)' : ''}`,
      });
    }
    // Read-your-writes: a reviewer who just acted sees the queue without the application. While the
    // store is down the queue is still what this replica has, said stale.
    const after = decodeCursor(query.cursor, query.offset);
    const lagging = !(await caughtUpOrMarkedStale(this.store, this.projections, res));
    const page = pageOf(query);
    const { items, total } = this.queries.reviewQueue(stage, actor.role === 'auditor' ? undefined : actor.org, { ...page, ...(after ? { after: { updatedAt: after.at, id: after.id } } : {}) });
    // A full page may have more after it: where it ended, for the next one (?cursor=).
    const last = items.length === page.limit ? items.at(-1) : undefined;
    return { stage, org: actor.role === 'auditor' ? null : actor.org, stale: lagging, total, ...page, nextCursor: last ? encodeCursor({ at: last.updatedAt, id: last.id }) : null, items };
  }
}
