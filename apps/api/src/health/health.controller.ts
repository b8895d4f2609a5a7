import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@nws/event-store';
import type { ProjectionRunner } from '@nws/read-models';
import type { RuntimeConfig } from '@nws/runtime';
import { Public } from '../auth/public.decorator';
import { NoRateLimit } from '../http/rate-limit';
import { EVENT_STORE, PROJECTION_RUNNER, RUNTIME_CONFIG } from '../infrastructure/tokens';
import { StorageHealth } from './storage-health';

@ApiTags('health')
@NoRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_RUNNER) private readonly projections: ProjectionRunner,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly storage: StorageHealth,
  ) {}

  /**
   * Always 200 while the process answers: a full or read-only disk still serves reads, and a
   * restart would not free the disk, so a load balancer must keep the replica. `status` is
   * `degraded` when writes are refused (`storage.state`), a projection is stalled, or events are
   * parked; alert on it (or on nws_storage_writable / nws_projection_parked_events).
   */
  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness, store head, read-model lag, storage (writes accepted?) and parked projection events' })
  async health() {
    const head = await this.store.headPosition();
    const storage = this.storage.report();
    const runner = this.projections.status;
    const parkedEvents = Object.values(runner.parked).reduce((sum, p) => sum + p.failed + p.held, 0);
    const degraded = !storage.writesAccepted || runner.state === 'stalled' || parkedEvents > 0;
    return {
      status: degraded ? 'degraded' : 'ok',
      eventStore: { kind: this.config.eventStore, headPosition: head },
      projections: { position: this.projections.position, lagEvents: Math.max(0, head - this.projections.position), state: runner.state, parked: runner.parked },
      storage,
      authMode: this.config.jwt.mode,
    };
  }
}
