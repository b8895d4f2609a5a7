import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AddressThrottlerGuard, CallerThrottlerGuard, rateLimitWindows } from './http/rate-limit';
import { join } from 'node:path';
import type { DistributionConfig } from '@nws/distribution';
import { EventStoreUnavailableError, STORAGE_PROBLEMS, type EventStore } from '@nws/event-store';
import { WorkflowEngine, WorkflowRegistry, type RequestFingerprints } from '@nws/engine';
import { KeyedRequestFingerprints, PERSONAL_DATA_EVENTS, findEncryptingStore } from '@nws/personal-data';
import { ALL_PROJECTIONS, ProjectionRunner, ReadModelQueries } from '@nws/read-models';
import type { RuntimeConfig } from '@nws/runtime';
import { ALL_WORKFLOWS } from '@nws/workflows';
import { Logger } from '@nestjs/common';
import { ApplicationsController } from './applications/applications.controller';
import { AuditModule } from './audit/audit.module';
import { DistributionModule } from './distribution/distribution.module';
import { AccessPurposeGuard } from './personal-data/access-purpose.guard';
import { UndeclaredQueryGuard } from './http/undeclared-query.guard';
import { PersonalDataModule } from './personal-data/personal-data.module';
import { ReviewQueueController } from './applications/review-queue.controller';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { TokenVerifier } from '@nws/auth';
import { HealthController } from './health/health.controller';
import { StorageHealth } from './health/storage-health';
import { ProjectionsController } from './projections/projections.controller';
import { DomainExceptionFilter } from './http/domain-exception.filter';
import { READ_MODELS_FILE } from '@nws/event-store/create-event-store';
import { ProjectionsHost } from './infrastructure/projections.host';
import { CLOCK, EVENT_STORE, HTTP_DRAIN, PROJECTION_RUNNER, READ_MODEL_QUERIES, RUNTIME_CONFIG, TOKEN_VERIFIER, WORKFLOW_ENGINE, type Clock } from './infrastructure/tokens';
import { MasterDataController } from './master-data/master-data.controller';
import { MasterDataDiffController } from './master-data/master-data-diff.controller';
import { MetricsController } from './metrics/metrics.controller';
import { ReferenceController } from './reference/reference.controller';
import { EngineMetrics } from './metrics/metrics.registry';
import { MeteredEventStore, observeGroupCommits } from './metrics/metered-event-store';
import { WorkflowsController } from './workflows/workflows.controller';

/** The read-model runner, reporting faults and stalls to the log and /metrics. */
function createProjectionRunner(store: EventStore, config: RuntimeConfig, metrics: EngineMetrics): ProjectionRunner {
  const log = new Logger('Projections');
  let stalled = false;
  return new ProjectionRunner(store, ALL_PROJECTIONS, {
    filename: join(config.dataDir, READ_MODELS_FILE),
    // The master data is answered only once the erasures the read models passed are rebuilt out of them (PersonalDataService.erasurePending).
    trackedTypes: [PERSONAL_DATA_EVENTS.erased],
    maxAttempts: config.projections.maxAttempts,
    retryDelayMs: config.projections.retryDelayMs,
    onError: (error) => log.error(`projections will retry: ${String(error)}`),
    onFault: (fault) => {
      metrics.projectionFaults.inc({ projection: fault.projection, outcome: fault.outcome });
      const what = `projection ${fault.projection} failed on the event at position ${fault.position} (${fault.type}, ${fault.streamId}), attempt ${fault.attempt}/${fault.maxAttempts}: ${fault.error}`;
      if (fault.outcome === 'parked') log.error(`${what} — PARKED; see GET /projections/parked, replay with POST /projections/parked/${fault.position}/replay after the fix`);
      else log.warn(`${what} — retrying`);
    },
    // Once per episode: a full disk would otherwise log every few seconds.
    onStall: (error, retryInMs) => {
      if (!stalled) log.error(`read models cannot be written (${error.message}); nothing is skipped, retrying every ${retryInMs} ms or more`);
      stalled = true;
    },
    onRecovered: () => {
      stalled = false;
      log.warn('read models are written again; catching up');
    },
  });
}

@Module({})
export class AppModule {
  /** The store is opened by the caller (main.ts or a test) so it can be closed and reopened. */
  static forRoot(config: RuntimeConfig, store: EventStore, distribution: DistributionConfig): DynamicModule {
    const logger = new Logger('Engine');
    const metrics = new EngineMetrics();
    metrics.initialiseFailureSeries({
      projections: ALL_PROJECTIONS.map((p) => p.name),
      reactionTriggers: [...new Set(ALL_WORKFLOWS.flatMap((w) => (w.reactions ?? []).flatMap((r) => r.on)))],
      storageProblems: STORAGE_PROBLEMS,
    });
    observeGroupCommits(store, metrics, (message) => logger.error(message));
    const metered = new MeteredEventStore(store, metrics);
    const windows = rateLimitWindows(config.rateLimit);
    // RATE_LIMIT=off registers no throttler at all: the throttler's guard, given no window, warns
    // on every start (once per guard) that nothing is limited, which a log collector alerts on.
    const limited = windows.length > 0;
    return {
      module: AppModule,
      // Global so feature modules (distribution) inject the store, engine and clock built here.
      global: true,
      imports: [...(limited ? [ThrottlerModule.forRoot({ throttlers: windows })] : []), DistributionModule.forRole(config.role, distribution), AuditModule.forRole(config.role), PersonalDataModule.forRoot(config, store)],
      exports: [RUNTIME_CONFIG, EVENT_STORE, CLOCK, WORKFLOW_ENGINE, PROJECTION_RUNNER, READ_MODEL_QUERIES, EngineMetrics, HTTP_DRAIN],
      controllers:
        config.role === 'worker'
          ? // Master data too: the distributors the worker serves fetch versions again after an erasure or a suspension (their notices).
            [HealthController, MetricsController, ProjectionsController, MasterDataController]
          : [ApplicationsController, ReviewQueueController, WorkflowsController, MasterDataController, MasterDataDiffController, ReferenceController, HealthController, MetricsController, ProjectionsController],
      providers: [
        { provide: RUNTIME_CONFIG, useValue: config },
        { provide: EngineMetrics, useValue: metrics },
        { provide: EVENT_STORE, useValue: metered },
        { provide: CLOCK, useValue: (() => new Date().toISOString()) satisfies Clock },
        { provide: HTTP_DRAIN, useValue: new AbortController() },
        {
          provide: WORKFLOW_ENGINE,
          inject: [EVENT_STORE, CLOCK],
          useFactory: (eventStore: EventStore, clock: Clock) =>
            new WorkflowEngine(eventStore, new WorkflowRegistry(ALL_WORKFLOWS), {
              clock,
              fingerprints: requestFingerprintsOf(eventStore),
              // Every attempt that fails is logged here; the reactor tries again (an unavailable
              // store from its checkpoint once the store is back, anything else a few times with
              // backoff) and says at error level when it gives up (ProjectionsHost).
              onReactionError: (error, event) => {
                metrics.reactionFailures.inc({ event_type: event.type, outcome: 'failed-attempt' });
                logger.warn(`reaction to ${event.type} (${event.streamId}@${event.revision}) failed; the reactor tries it again: ${error instanceof EventStoreUnavailableError ? String(error) : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
              },
            }),
        },
        {
          provide: PROJECTION_RUNNER,
          inject: [EVENT_STORE],
          useFactory: (eventStore: EventStore) => createProjectionRunner(eventStore, config, metrics),
        },
        StorageHealth,
        { provide: READ_MODEL_QUERIES, inject: [PROJECTION_RUNNER], useFactory: (runner: ProjectionRunner) => new ReadModelQueries(runner.db) },
        ProjectionsHost,
        { provide: TOKEN_VERIFIER, useValue: new TokenVerifier(config.jwt) },
        // Order matters: address limit, then authentication, then the per-caller limit, then the
        // stated purpose of reading personal data (refused before the handler when malformed).
        ...(limited ? [{ provide: APP_GUARD, useClass: AddressThrottlerGuard }] : []),
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        ...(limited ? [{ provide: APP_GUARD, useClass: CallerThrottlerGuard }] : []),
        { provide: APP_GUARD, useClass: AccessPurposeGuard },
        { provide: APP_GUARD, useClass: UndeclaredQueryGuard },
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
      ],
    };
  }
}

/** Keyed with the key store's fingerprint keys, which erasures destroy, when the store holds personal data (createEventStore's always does). */
function requestFingerprintsOf(store: EventStore): RequestFingerprints | undefined {
  const encrypting = findEncryptingStore(store);
  return encrypting ? new KeyedRequestFingerprints(encrypting.keys) : undefined;
}
