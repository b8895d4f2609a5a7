import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@nws/event-store';
import type { ProjectionRunner } from '@nws/read-models';
import type { RuntimeConfig } from '@nws/runtime';
import { Public } from '../auth/public.decorator';
import { NoRateLimit } from '../http/rate-limit';
import { headWithin } from '../infrastructure/store-head';
import { EVENT_STORE, PROJECTION_RUNNER, RUNTIME_CONFIG } from '../infrastructure/tokens';
import { HealthDto } from './health-view.dto';
import { StorageHealth } from './storage-health';
import { SealerHost } from '../audit/sealer.host';

@ApiTags('health')
@NoRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_RUNNER) private readonly projections: ProjectionRunner,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly storage: StorageHealth,
    // Absent in API replicas (PROCESS_ROLE=api): the worker seals.
    @Optional() private readonly sealerHost?: SealerHost,
  ) {}

  /**
   * Always 200 while the process answers: a full or read-only disk still serves reads, and a
   * restart would not free the disk, so a load balancer must keep the replica. `status` is
   * `degraded` when writes are refused (`storage.state`), a projection is stalled, events are
   * parked, or the sealer halted; alert on it (or on nws_storage_writable / nws_projection_parked_events / nws_sealer_halted).
   */
  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness, store head, read-model lag, storage (writes accepted?) and parked projection events' })
  @ApiOkResponse({ type: HealthDto, description: 'always while the process answers: `status` is degraded when writes are refused, a projection is stalled, events are parked, the store is unreachable or the sealer halted' })
  async health() {
    const head = await this.headPosition();
    const storage = this.storage.report();
    const runner = this.projections.status;
    const parkedEvents = Object.values(runner.parked).reduce((sum, p) => sum + p.failed + p.held, 0);
    const sealer = this.sealerHost?.report() ?? null;
    // A halted sealer seals nothing until an operator acts: the newest events can then be removed unseen.
    const degraded = !storage.writesAccepted || runner.state === 'stalled' || parkedEvents > 0 || !head.reachable || sealer?.state === 'halted';
    return {
      status: degraded ? 'degraded' : 'ok',
      eventStore: { kind: this.config.eventStore, ...head },
      projections: { position: this.projections.position, lagEvents: head.reachable ? this.projections.lagEvents(head.headPosition) : null, state: runner.state, parked: runner.parked },
      storage,
      sealer,
      authMode: this.config.jwt.mode,
    };
  }

  /**
   * During an EventStoreDB outage a load balancer would drop a replica that still serves what it
   * has: an unreachable store (or one not answering within the bound) is `degraded`, not an error.
   */
  private async headPosition(): Promise<{ reachable: true; headPosition: number } | { reachable: false; headPosition: null; problem: string }> {
    try {
      return { reachable: true, headPosition: await headWithin(this.store) };
    } catch (error) {
      return { reachable: false, headPosition: null, problem: error instanceof Error ? error.message : String(error) };
    }
  }
}
