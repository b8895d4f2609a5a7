import { Controller, Get, Header, Inject, Logger, Optional } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { EventStore } from '@nws/event-store';
import type { ProjectionRunner } from '@nws/read-models';
import { Public } from '../auth/public.decorator';
import { StorageHealth } from '../health/storage-health';
import { NoRateLimit } from '../http/rate-limit';
import { headWithin } from '../infrastructure/store-head';
import { EVENT_STORE, PROJECTION_RUNNER } from '../infrastructure/tokens';
import { EngineMetrics } from './metrics.registry';
import { SealerHost } from '../audit/sealer.host';

/** Prometheus scrape endpoint. Holds no personal data; bind it to an internal network in production. */
@ApiExcludeController()
@NoRateLimit()
@Controller('metrics')
export class MetricsController {
  private readonly logger = new Logger('Metrics');

  constructor(
    private readonly metrics: EngineMetrics,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_RUNNER) private readonly projections: ProjectionRunner,
    private readonly storage: StorageHealth,
    // Absent in API replicas (PROCESS_ROLE=api): the worker seals, and says so.
    @Optional() private readonly sealerHost?: SealerHost,
  ) {}

  @Public()
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    // The store unreachable (EventStoreDB down) is when the figures matter most: answered without
    // the lag (NaN: unknown) rather than failing the whole scrape, and said by nws_event_store_reachable.
    // Bounded: a frozen node held a scrape for each of the client's tries (Prometheus gives up first).
    const head = await headWithin(this.store).catch((error: unknown) => {
      this.logger.warn(`the store's head could not be read for this scrape: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    this.metrics.eventStoreReachable.set(head === undefined ? 0 : 1);
    this.metrics.projectionLag.set(head === undefined ? Number.NaN : this.projections.lagEvents(head));
    for (const [projection, counts] of Object.entries(this.projections.parkedCounts())) {
      this.metrics.projectionParked.set({ projection, reason: 'failed' }, counts.failed);
      this.metrics.projectionParked.set({ projection, reason: 'held' }, counts.held);
    }
    const storage = this.storage.report();
    this.metrics.storageWritable.set(storage.writesAccepted ? 1 : 0);
    this.metrics.accessLogUnindexed.set(storage.accessLogUnindexed);
    if (storage.commitDoorbell !== null) this.metrics.commitDoorbell.set(storage.commitDoorbell ? 1 : 0);
    const sealer = this.sealerHost?.report();
    if (sealer) {
      this.metrics.sealerHalted.set(sealer.state === 'halted' ? 1 : 0);
      this.metrics.unsealedEvents.set(sealer.unsealedEvents);
    }
    return this.metrics.scrape((error) => this.logger.error(`a figure could not be refreshed for this scrape: ${error instanceof Error ? error.message : String(error)}`));
  }
}
