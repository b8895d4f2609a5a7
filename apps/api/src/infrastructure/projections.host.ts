import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { EventStoreUnavailableError, consumeAll, guardedWrite, type EventStore } from '@nws/event-store';
import type { WorkflowEngine } from '@nws/engine';
import { PersonalDataErasedMeanwhileError } from '@nws/personal-data';
import type { ProjectionRunner } from '@nws/read-models';
import type { RuntimeConfig } from '@nws/runtime';
import { EngineMetrics } from '../metrics/metrics.registry';
import { runReactionCatchUps } from './reaction-catch-ups';
import { EVENT_STORE, PROJECTION_RUNNER, RUNTIME_CONFIG, WORKFLOW_ENGINE } from './tokens';

const REACTOR_CHECKPOINT = 'reactor';
/** Pause before the reactor reads again from its checkpoint after the store or the disk refused. */
const REACTOR_RETRY_MS = 5000;
/** A reaction that fails for another reason is tried again: 5 attempts over ~3 s (0.2, 0.4, 0.8, 1.6 s apart). */
const REACTION_RETRY = { attempts: 5, backoffMs: 200 } as const;

/**
 * Runs the projections and the reactor (workflow reactions such as master-data registration)
 * inside the API process. The reactor catches up from its checkpoint at start, so a reaction
 * interrupted by a crash is completed after restart; reactions are idempotent. A reaction the
 * store refused (unavailable, disk full) keeps the checkpoint before its event: the reactor reads
 * again from there after a pause, so the reaction is not lost. A reaction that fails otherwise
 * (contention among many approvals of one body) is tried again a few times before the reactor
 * moves on; a reaction its command is still running inline is waited for, not raced.
 */
@Injectable()
export class ProjectionsHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private reactor: Subscription | undefined;
  private reactorRetry: NodeJS.Timeout | undefined;
  private reactorStalled = false;
  private stopping = false;
  /** Settles once the reactions' catch-ups (runReactionCatchUps) of this start are done. */
  catchUps: Promise<void> = Promise.resolve();

  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(WORKFLOW_ENGINE) private readonly engine: WorkflowEngine,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly metrics: EngineMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.runner.start();
    // API replicas at scale leave reactions to the single worker (they are idempotent anyway).
    if (this.config.role !== 'api') this.startReactor();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reactorRetry);
    this.reactor?.unsubscribe();
    this.runner.close();
    await this.store.close();
  }

  private startReactor(): void {
    this.runner.db.exec('CREATE TABLE IF NOT EXISTS reactor_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
    const types = [...new Set(this.engine.workflows.names().flatMap((name) => this.engine.workflows.versions(name).flatMap((d) => (d.reactions ?? []).flatMap((r) => r.on))))];
    if (types.length === 0) return;
    const reactor = this.runner.db.prepare('SELECT position FROM reactor_checkpoints WHERE name = ?').get(REACTOR_CHECKPOINT) as { position: number } | undefined;
    this.catchUps = runReactionCatchUps({
      engine: this.engine,
      store: this.store,
      db: this.runner.db,
      dataDir: this.config.dataDir,
      logger: this.logger,
      reactorPosition: reactor?.position ?? 0,
      stopping: () => this.stopping,
    }).catch((error: unknown) => this.logger.error(`reactions' catch-up stopped: ${String(error)}`));
    this.subscribeReactor(types);
  }

  private subscribeReactor(types: readonly string[]): void {
    const db = this.runner.db;
    const row = db.prepare('SELECT position FROM reactor_checkpoints WHERE name = ?').get(REACTOR_CHECKPOINT) as { position: number } | undefined;
    const save = db.prepare('INSERT INTO reactor_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position');
    this.reactor = consumeAll(this.store, { after: row?.position ?? 0, filter: { eventTypes: [...types], streamPrefixes: ['application-'] } }, async (event) => {
      const definition = this.engine.workflows.get(String(event.metadata['workflow']), String(event.metadata['machineVersion']));
      const failures = await this.engine.reactOnce(definition, event, REACTION_RETRY);
      const retryable = failures.find((f) => f.error instanceof EventStoreUnavailableError);
      if (retryable) throw retryable.error;
      // A person the reaction copies was erased (by another process, whose notice this one has not
      // read yet): its folds still hold them in clear. Moving on would leave the approval without
      // its master data; forgotten, the reaction is tried again from the checkpoint and reads ［消去済み］.
      const erased = failures.find((f) => f.error instanceof PersonalDataErasedMeanwhileError);
      if (erased) {
        this.engine.forgetCachedFolds();
        throw erased.error;
      }
      if (failures.length > 0) {
        // Each attempt was logged (and counted) by the engine; what is left is for an operator.
        this.metrics.reactionFailures.inc({ event_type: event.type, outcome: 'gave-up' });
        this.logger.error(
          `reaction to ${event.type} (event ${event.id}, position ${event.position}) still failed after ${REACTION_RETRY.attempts} attempts; moving on. ` +
            'Reactions are idempotent: resending the command with the same Idempotency-Key runs them again.',
        );
      }
      guardedWrite(db, 'reactor checkpoint', this.config.dataDir, () => save.run(REACTOR_CHECKPOINT, event.position));
      if (this.reactorStalled) {
        this.reactorStalled = false;
        this.logger.warn('reactor is running again');
      }
    })
      .subscribe({
        error: (error: unknown) => {
          if (this.stopping) return;
          if (!this.reactorStalled) this.logger.error(`reactor paused, reading again from its checkpoint every ${REACTOR_RETRY_MS} ms: ${String(error)}`);
          this.reactorStalled = true;
          this.reactorRetry = setTimeout(() => this.subscribeReactor(types), REACTOR_RETRY_MS);
          this.reactorRetry.unref();
        },
      });
  }
}
