import { Module, type DynamicModule } from '@nestjs/common';
import type { DistributionConfig } from '@nws/distribution';
import type { ProcessRole } from '@nws/runtime';
import { DistributionController } from './distribution.controller';
import { DISTRIBUTION_CONFIG } from '../infrastructure/tokens';
import { DistributionHost } from './distribution.host';

/**
 * Downstream distribution: consumers registered by configuration pull or stream the published
 * events, acknowledge them, and the system confirms distribution of each master-data version
 * once every master-data consumer acknowledged it. Uses the store, engine and clock AppModule exports.
 *
 * The ledger (checkpoints, leases) lives in one process's DATA_DIR, so exactly one process may
 * serve it: the single process (`all`) or the worker. API replicas do not mount it; at scale
 * consumers connect to the worker.
 */
@Module({})
export class DistributionModule {
  /** `config` as createApp read and checked it before opening DATA_DIR (the consumers file is read once). */
  static forRole(role: ProcessRole, config: DistributionConfig): DynamicModule {
    return role === 'api'
      ? { module: DistributionModule }
      : { module: DistributionModule, controllers: [DistributionController], providers: [{ provide: DISTRIBUTION_CONFIG, useValue: config }, DistributionHost] };
  }
}
