import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@nws/event-store';
import type { ProjectionRunner } from '@nws/read-models';
import type { RuntimeConfig } from '@nws/runtime';
import { Public } from '../auth/public.decorator';
import { NoRateLimit } from '../http/rate-limit';
import { EVENT_STORE, PROJECTION_RUNNER, RUNTIME_CONFIG } from '../infrastructure/tokens';

@ApiTags('health')
@NoRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_RUNNER) private readonly projections: ProjectionRunner,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness and read-model lag' })
  async health() {
    const head = await this.store.headPosition();
    return {
      status: 'ok',
      eventStore: { kind: this.config.eventStore, headPosition: head },
      projections: { position: this.projections.position, lagEvents: Math.max(0, head - this.projections.position) },
      authMode: this.config.jwt.mode,
    };
  }
}
