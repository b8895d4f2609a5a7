import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { join } from 'node:path';
import type { EventStore } from '@nws/event-store';
import type { WorkflowEngine } from '@nws/engine';
import {
  ConfirmationWorker,
  DistributionLedger,
  engineConfirm,
  loadDistributionConfig,
  type ConsumerStatus,
  type DistributionConfig,
} from '@nws/distribution';
import { DISTRIBUTION_FILE, SqliteDistributionStore } from '@nws/distribution/distribution-store.sqlite';
import type { RuntimeConfig } from '@nws/runtime';
import { SYSTEM_ACTOR } from '@nws/workflows/connection-application';
import { CLOCK, EVENT_STORE, RUNTIME_CONFIG, WORKFLOW_ENGINE, type Clock } from '../infrastructure/tokens';

/** Anything that must end before the store closes (open SSE streams). */
export interface Closable {
  close(): void;
}

/**
 * Owns the distribution ledger (DATA_DIR/distribution.sqlite), the worker that confirms
 * acknowledged versions on their applications, the periodic lag log, and the open streams,
 * which it ends first on shutdown so the HTTP server can close.
 */
@Injectable()
export class DistributionHost implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  readonly config: DistributionConfig;
  readonly ledger: DistributionLedger;
  private readonly logger = new Logger('Distribution');
  private readonly store: SqliteDistributionStore;
  private readonly worker: ConfirmationWorker;
  private readonly streams = new Set<Closable>();
  private lagTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(RUNTIME_CONFIG) runtime: RuntimeConfig,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(WORKFLOW_ENGINE) engine: WorkflowEngine,
    @Inject(CLOCK) clock: Clock,
  ) {
    // Read here rather than in RuntimeConfig: only this module knows these settings.
    this.config = loadDistributionConfig(process.env);
    this.store = new SqliteDistributionStore(join(runtime.dataDir, DISTRIBUTION_FILE));
    this.worker = new ConfirmationWorker(this.store, engineConfirm(engine, SYSTEM_ACTOR, clock), {
      onOutcome: (applicationId, eventId, outcome) => {
        if (outcome.kind === 'failed') this.logger.error(`cannot confirm distribution of ${applicationId} (version event ${eventId}): ${outcome.reason}`);
      },
    });
    this.ledger = new DistributionLedger(events, this.store, this.config.consumers, { onConfirmationOwed: () => this.worker.kick() });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ledger.watch();
    this.worker.start();
    if (this.config.lagLogIntervalMs > 0) {
      this.lagTimer = setInterval(() => void this.logLag(), this.config.lagLogIntervalMs);
      this.lagTimer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.lagTimer);
    for (const stream of this.streams) stream.close();
    this.streams.clear();
    this.ledger.stop();
    await this.worker.stop();
  }

  onApplicationShutdown(): void {
    this.store.close();
  }

  track(stream: Closable): () => void {
    this.streams.add(stream);
    return () => this.streams.delete(stream);
  }

  async lag(): Promise<{ headPosition: number; pendingConfirmations: number; consumers: ConsumerStatus[] }> {
    const consumers = await Promise.all(this.config.consumers.map((c) => this.ledger.status(c.name)));
    return { headPosition: await this.events.headPosition(), pendingConfirmations: this.store.countOwed(), consumers };
  }

  private async logLag(): Promise<void> {
    try {
      const { consumers, pendingConfirmations } = await this.lag();
      const line = consumers.map((c) => `${c.name}: ${c.lag.events} events / ${c.lag.seconds} s behind, ${c.parked} parked`).join('; ');
      // Warn only when someone is behind, so the default log levels (error, warn) show what needs attention.
      const behind = consumers.some((c) => c.lag.events > 0 || c.parked > 0) || pendingConfirmations > 0;
      const message = `lag — ${line}; confirmations owed: ${pendingConfirmations}`;
      if (behind) this.logger.warn(message);
      else this.logger.log(message);
    } catch (error) {
      this.logger.error(`lag check failed: ${String(error)}`);
    }
  }
}
