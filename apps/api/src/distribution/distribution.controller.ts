import { Body, ConflictException, Controller, Get, Headers, HttpCode, Inject, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { EncryptingEventStore, SqliteAccessLog } from '@nws/personal-data';
import { CLOCK, type Clock } from '../infrastructure/tokens';
import type { DisclosingRequest } from '../personal-data/access-purpose.guard';
import { disclose } from '../personal-data/response-disclosure.hook';
import { ACCESS_LOG, PERSONAL_DATA_STORE } from '../personal-data/personal-data.tokens';
import { DistributionError, publishedEventTypes } from '@nws/distribution';
import { ForbiddenError, ValidationFailedError, type Actor } from '@nws/engine';
import { isMicDistributor } from '@nws/workflows/connection-application';
import { CurrentActor } from '../auth/current-actor.decorator';
import { PageQueryDto, pageOf } from '../http/page-query.dto';
import { AcksBodyDto, DeliverQueryDto, NacksBodyDto, PullQueryDto, StreamQueryDto } from './distribution.dto';
import { DistributionHost } from './distribution.host';
import { ConsumerStatusDto, DeliveryAtPositionDto, DistributionAckResultDto, DistributionConsumersDto, DistributionLagDto, DistributionNackResultDto, DistributionParkedPageDto, DistributionReplayResultDto, PublishedEventTypesDto } from './distribution-admin.dto';
import { PullPageDto } from './distribution-page.dto';
import { DistributionStreamSession } from './distribution-stream.session';

const DEFAULT_LIMIT = 100;
const STREAM_BATCH = 100;

/**
 * Consumers pull (`/events`) or stream (`/stream`) the published events, then acknowledge them.
 * Only the network operator's (MIC's) distributors consume; auditors may read positions, lag and
 * parked events. Any of MIC's distributors may act for any consumer: consumers are systems
 * registered by configuration, and the token says who operates them, not which one (documented in
 * the README). A distributor of another body may not: its acks would have the system confirm
 * distributions that only MIC's distributors may confirm.
 */
@ApiTags('distribution')
@ApiBearerAuth()
@Controller('distribution')
export class DistributionController {
  constructor(
    private readonly host: DistributionHost,
    @Inject(CLOCK) private readonly clock: Clock,
    // PersonalDataModule is global and always imported (app.module.ts): a streamed event is never sent unredacted or unlogged.
    @Inject(PERSONAL_DATA_STORE) private readonly personalData: EncryptingEventStore,
    @Inject(ACCESS_LOG) private readonly accessLog: SqliteAccessLog,
  ) {}

  @Get('consumers')
  @ApiOperation({ summary: "Registered consumers with their checkpoint and lag (MIC's distributors, auditors)" })
  @ApiOkResponse({ type: DistributionConsumersDto, description: 'every registered consumer with where it stands' })
  async consumers(@CurrentActor() actor: Actor) {
    mayRead(actor);
    return { consumers: (await this.host.lag()).consumers };
  }

  @Get('event-types')
  @ApiOperation({ summary: 'What a consumer receives, per event type: the JSON Schema of the envelope and of the published view of its data (MIC’s distributors, auditors)' })
  @ApiOkResponse({ type: PublishedEventTypesDto, description: 'every distributable event type with its JSON Schema (draft-07)' })
  eventTypes(@CurrentActor() actor: Actor) {
    mayRead(actor);
    return { eventTypes: publishedEventTypes() };
  }

  @Get('lag')
  @ApiOperation({ summary: "Per-consumer lag in events and seconds, and confirmations still owed (MIC's distributors, auditors)" })
  @ApiOkResponse({ type: DistributionLagDto, description: 'the head of the store, the confirmations owed and every consumer with its lag' })
  async lag(@CurrentActor() actor: Actor) {
    mayRead(actor);
    return this.host.lag();
  }

  @Get(':consumer/events')
  @ApiOperation({ summary: 'Pull the next events (published view); each is leased until acked or the ack timeout; `waitMs` long-polls' })
  @ApiOkResponse({ type: PullPageDto })
  async events(@CurrentActor() actor: Actor, @Param('consumer') consumer: string, @Query() query: PullQueryDto, @Res({ passthrough: true }) response: FastifyReply) {
    mayConsume(actor);
    const fetch = () => domain(() => this.host.ledger.fetch(consumer, { limit: query.limit ?? DEFAULT_LIMIT, ...(query.after !== undefined ? { after: query.after } : {}) }));
    // Long polling: listen before the first fetch, so an event stored in between wakes us.
    const { events, checkpoint } = query.waitMs ? await this.host.longPoll(consumer, query.waitMs, fetch, response.raw) : await fetch();
    const nextAfter = Math.max(query.after ?? checkpoint, ...events.map((e) => e.position));
    return { consumer, checkpoint, nextAfter, events };
  }

  @Get(':consumer/events/:position')
  @ApiOperation({ summary: 'esdb-persistent consumers: the published view of the event EventStoreDB handed over at this global position; records the delivery; `status: acked` when already acknowledged' })
  @ApiOkResponse({ type: DeliveryAtPositionDto, description: 'the event at that position, delivered (or already acknowledged) to the consumer' })
  async deliverAt(@CurrentActor() actor: Actor, @Param('consumer') consumer: string, @Param('position') position: string, @Query() query: DeliverQueryDto) {
    mayConsume(actor);
    const { event, status, checkpoint } = await domain(() => this.host.ledger.deliverAt(consumer, parsePosition(position, 'position'), query.eventId));
    return { consumer, status, checkpoint, event };
  }

  @Get(':consumer/stream')
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'Server-Sent Events: `id` is the global position; resumes after Last-Event-ID; comment heartbeats' })
  async stream(
    @CurrentActor() actor: Actor,
    @Param('consumer') consumer: string,
    @Query() query: StreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: DisclosingRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    mayConsume(actor);
    await domain(async () => this.host.ledger.httpConsumer(consumer));
    const after = lastEventId !== undefined && lastEventId !== '' ? parsePosition(lastEventId) : (query.after ?? this.host.ledger.checkpoint(consumer));
    const minTimeout = Math.min(...this.host.config.consumers.map((c) => c.ackTimeoutMs));
    // The stream is written to the socket's response from here on; the headers set on the reply so
    // far (the rate limiter's; helmet writes its own to the socket's response) go with it.
    response.hijack();
    for (const [name, value] of Object.entries(response.getHeaders())) if (value !== undefined) response.raw.setHeader(name, value);
    const session = new DistributionStreamSession(response.raw, this.host.ledger, consumer, after, this.host.ledger.changes$, {
      heartbeatMs: this.host.config.heartbeatMs,
      pollMs: Math.min(1000, Math.max(25, Math.floor(minTimeout / 4))),
      batchSize: STREAM_BATCH,
      // Streamed events bypass the answers' hook that logs pulled ones; the same contacts leave here.
      redact: async (event) => (await disclose(event, { store: this.personalData, accessLog: this.accessLog, clock: this.clock }, request, actor, { publishedView: true, applicationId: null })).body,
    });
    const untrack = this.host.track(session);
    try {
      await session.run();
    } finally {
      untrack();
    }
  }

  @Post(':consumer/acks')
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge events by id (idempotent); moves the checkpoint over every contiguous settled event' })
  @ApiOkResponse({ type: DistributionAckResultDto, description: 'what this call acknowledged, what was acknowledged before, what was never delivered, and the checkpoint after' })
  async ack(@CurrentActor() actor: Actor, @Param('consumer') consumer: string, @Body() body: AcksBodyDto) {
    mayConsume(actor);
    const { changed, ...rest } = await domain(() => this.host.ledger.ack(consumer, body.eventIds));
    return { consumer, acknowledged: changed, ...rest };
  }

  @Post(':consumer/nacks')
  @HttpCode(200)
  @ApiOperation({ summary: 'Refuse events with a reason: they are parked and no longer block later events' })
  @ApiOkResponse({ type: DistributionNackResultDto, description: 'what this call parked, what was acknowledged before (not parked), what was never delivered, and the checkpoint after' })
  async nack(@CurrentActor() actor: Actor, @Param('consumer') consumer: string, @Body() body: NacksBodyDto) {
    mayConsume(actor);
    const { changed, ...rest } = await domain(() => this.host.ledger.nack(consumer, body.eventIds, body.reason));
    return { consumer, parked: changed, ...rest };
  }

  @Get(':consumer/parked')
  @ApiOperation({ summary: "Parked events of a consumer, with the reason (MIC's distributors, auditors)" })
  @ApiOkResponse({ type: DistributionParkedPageDto, description: 'one page of the parked events, oldest position first, with how many are parked in all' })
  async parked(@CurrentActor() actor: Actor, @Param('consumer') consumer: string, @Query() query: PageQueryDto) {
    mayRead(actor);
    const page = pageOf(query);
    const { items, total } = await domain(() => this.host.ledger.parked(consumer, page));
    return { consumer, total, ...page, items };
  }

  @Post(':consumer/parked/:eventId/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deliver a parked event again' })
  @ApiOkResponse({ type: DistributionReplayResultDto, description: 'the event is due again; the checkpoint stepped back below it' })
  async replay(@CurrentActor() actor: Actor, @Param('consumer') consumer: string, @Param('eventId') eventId: string) {
    mayConsume(actor);
    return { consumer, ...(await domain(() => this.host.ledger.replay(consumer, eventId))), status: 'pending' };
  }

  @Get(':consumer')
  @ApiOperation({ summary: "One consumer: checkpoint, lag, in flight, parked (MIC's distributors, auditors)" })
  @ApiOkResponse({ type: ConsumerStatusDto, description: 'the consumer as configured, with where it stands' })
  async consumer(@CurrentActor() actor: Actor, @Param('consumer') consumer: string) {
    mayRead(actor);
    return domain(() => this.host.ledger.status(consumer));
  }
}

function mayConsume(actor: Actor): void {
  if (!isMicDistributor(actor)) {
    throw new ForbiddenError({
      ja: '配信先の受信・確認は運営主体（総務省）の配信担当（distributor）のみが行えます。',
      en: 'only a distributor of the network operator (MIC) may consume, acknowledge or replay distribution events',
    });
  }
}

function mayRead(actor: Actor): void {
  if (!isMicDistributor(actor) && actor.role !== 'auditor') {
    throw new ForbiddenError({ ja: '配信状況は運営主体（総務省）の配信担当または監査担当のみが参照できます。', en: "only the network operator's (MIC's) distributors or an auditor may read distribution status" });
  }
}

function parsePosition(raw: string, what = 'Last-Event-ID'): number {
  if (!/^\d{1,15}$/.test(raw.trim())) {
    throw new ValidationFailedError([{ field: what, rule: 'globalPosition', message: { ja: `${what}: 0 以上の整数（グローバル位置）を指定してください。`, en: `${what}: must be a non-negative integer (a global position)` } }]);
  }
  return Number(raw.trim());
}

/** The ledger's errors as HTTP errors with the usual ja/en body. */
async function domain<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DistributionError) {
      throw error.kind === 'not-found' ? new NotFoundException({ ...error.detail }) : new ConflictException({ ...error.detail });
    }
    throw error;
  }
}
