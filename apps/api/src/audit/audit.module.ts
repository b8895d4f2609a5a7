import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRole } from '@nws/runtime';
import { AuditController } from './audit.controller';
import { SealerHost } from './sealer.host';
import { WorkflowDiagramController } from './workflow-diagram.controller';

/**
 * Audit: verify, diff between rounds, path and machine diagrams over HTTP (wherever the API is
 * served), and the store-wide sealer (once: in the single process, or in the worker — like the
 * reactor — so replicas do not each keep a witness). Uses what AppModule exports.
 */
@Module({})
export class AuditModule {
  static forRole(role: ProcessRole): DynamicModule {
    return {
      module: AuditModule,
      // /health and /metrics say how sealing goes where it runs.
      global: true,
      controllers: role === 'worker' ? [] : [AuditController, WorkflowDiagramController],
      providers: role === 'api' ? [] : [SealerHost],
      exports: role === 'api' ? [] : [SealerHost],
    };
  }
}
