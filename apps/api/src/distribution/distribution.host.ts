import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { join } from 'node:path';
import { filter } from 'rxjs';
import type { EventStore } from '@nws/event-store';
import type { WorkflowEngine } from '@nws/engine';
import {
  ConfirmationWorker,
  DistributionLedger,
  engineConfirm,
  ensureConsumerGroups,
  persistentGroupsFor,
  type ConsumerStatus,
  type DistributionConfig,
  type PersistentGroups,
} from '@nws/distribution';
import { DISTRIBUTION_FILE, SqliteDistributionStore } from '@nws/distribution/distribution-store.sqlite';
import { storedEventStoreOf } from '@nws/personal-data';
import type { RuntimeConfig } from '@nws/runtime';
import { SYSTEM_ACTOR } from '@nws/workflows/connection-application';
import { headWithin } from '../infrastructure/store-head';
import { CLOCK, DISTRIBUTION_CONFIG, EVENT_STORE, HTTP_DRAIN, RUNTIME_CONFIG, WORKFLOW_ENGINE, type Clock } from '../infrastructure/tokens';
import { EngineMetrics } from '../metrics/metrics.registry';

/** Anything that must end before the store closes (open SSE streams). */
export interface Closable {
  close(): void;
}

/**
 * Owns the distribution ledger (DATA_DIR/distribution.sqlite), the worker that confirms
 * acknowledged versions on their applications, the periodic lag log, and the open long polls and
 * streams, which it ends as soon as the API stops taking requests (HTTP_DRAIN) so the HTTP server
 * can close; the ledger stays open until then for the requests still being answered.
 */
@Injectable()
export class DistributionHost implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  readonly ledger: DistributionLedger;
  private readonly logger = new Logger('Distribution');
  private readonly store: SqliteDistributionStore;
  private readonly worker: ConfirmationWorker;
  private readonly streams = new Set<Closable>();
  private lagTimer: NodeJS.Timeout | undefined;
  /** esdb-persistent consumers: where their groups are created. */
  private readonly groups: PersistentGroups | undefined;
  private groupsTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** No long poll or stream is held open any more: the API is stopping. */
  private draining = false;
  private unhookMetrics: (() => void) | undefined;

  constructor(
    @Inject(RUNTIME_CONFIG) runtime: RuntimeConfig,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(WORKFLOW_ENGINE) private readonly engine: WorkflowEngine,
    @Inject(CLOCK) clock: Clock,
    private readonly metrics: EngineMetrics,
    @Inject(HTTP_DRAIN) drain: AbortController,
    @Inject(DISTRIBUTION_CONFIG) readonly config: DistributionConfig,
  ) {
    drain.signal.addEventListener('abort', () => this.endStreams(), { once: true });
    this.store = new SqliteDistributionStore(join(runtime.dataDir, DISTRIBUTION_FILE));
    this.worker = new ConfirmationWorker(this.store, engineConfirm(engine, SYSTEM_ACTOR, clock), {
      onOutcome: (applicationId, eventId, outcome) => {
        if (outcome.kind === 'failed') this.logger.error(`cannot confirm distribution of ${applicationId} (version event ${eventId}): ${outcome.reason}`);
      },
    });
    this.ledger = new DistributionLedger(events, this.store, this.config.consumers, { onConfirmationOwed: () => this.worker.kick(), stored: storedEventStoreOf(events) });
    try {
      this.groups = persistentGroupsFor(this.config.consumers, runtime.eventStore, events);
    } catch (error) {
      this.store.close();
      throw error;
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ledger.watch();
    const owed = await this.ledger.oweDueConfirmations();
    if (owed > 0) this.logger.log(`${owed} version(s) acknowledged by every consumer now configured: their distribution is confirmed`);
    this.worker.start();
    // Each scrape reads what GET /distribution/lag answers: the scan is as long as a consumer is behind.
    this.unhookMetrics = this.metrics.onScrape(async () => {
      for (const consumer of (await this.lag()).consumers) {
        this.metrics.consumerLag.set({ consumer: consumer.name }, consumer.lag.events);
        this.metrics.consumerLagSeconds.set({ consumer: consumer.name }, consumer.lag.seconds);
        this.metrics.consumerParked.set({ consumer: consumer.name }, consumer.parked);
      }
    });
    if (this.groups) await this.ensureGroups(this.groups);
    if (this.config.lagLogIntervalMs > 0) {
      this.lagTimer = setInterval(() => void this.logLag(), this.config.lagLogIntervalMs);
      this.lagTimer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.unhookMetrics?.();
    clearTimeout(this.groupsTimer);
    clearInterval(this.lagTimer);
    this.endStreams();
    this.ledger.stop();
    await this.worker.stop();
  }

  onApplicationShutdown(): void {
    this.store.close();
  }

  /**
   * Fetches; when nothing is owed, waits for the ledger to announce a new event for this consumer
   * (or `waitMs`, the client going away, or shutdown) and fetches again. Leases that expire while
   * waiting are not announced: they come with the client's next poll.
   */
  async longPoll<T extends { readonly events: readonly unknown[] }>(consumer: string, waitMs: number, fetch: () => Promise<T>, response: { once(event: 'close', listener: () => void): unknown }): Promise<T> {
    const deadline = Date.now() + waitMs;
    let dirty = false;
    let wake: (() => void) | undefined;
    let gone = false;
    const end = () => {
      gone = true;
      wake?.();
    };
    const changes = this.ledger.changes$.pipe(filter((name) => name === consumer)).subscribe(() => {
      dirty = true;
      wake?.();
    });
    const untrack = this.track({ close: end });
    response.once('close', end);
    try {
      for (;;) {
        dirty = false;
        const result = await fetch();
        const left = deadline - Date.now();
        if (result.events.length > 0 || gone || left <= 0) return result;
        if (!dirty) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, left);
            function done() {
              clearTimeout(timer);
              wake = undefined;
              resolve();
            }
            wake = done;
          });
        }
        if (!dirty) return result;
        // Woken by a new event while a command still runs its reactions (an approval registering
        // its master-data version): wait for the next event they append, or for them to end, so
        // both come in one page instead of a second round trip (pull, ack, pull) per approval.
        if (this.engine.reactingInline) {
          dirty = false;
          await Promise.race([this.engine.inlineReactionsSettled(), new Promise<void>((resolve) => (wake = resolve))]);
          wake = undefined;
        }
      }
    } finally {
      changes.unsubscribe();
      untrack();
    }
  }

  /** Holds a long poll or stream open until it ends itself or the API stops; once stopping, ends it at once. */
  track(stream: Closable): () => void {
    if (this.draining) {
      stream.close();
      return () => undefined;
    }
    this.streams.add(stream);
    return () => this.streams.delete(stream);
  }

  private endStreams(): void {
    this.draining = true;
    for (const stream of this.streams) stream.close();
    this.streams.clear();
  }

  async lag(): Promise<{ headPosition: number; pendingConfirmations: number; consumers: ConsumerStatus[] }> {
    const consumers = await Promise.all(this.config.consumers.map((c) => this.ledger.status(c.name)));
    // Bounded like every read that only needs the head: a frozen node held /distribution/lag and each /metrics scrape.
    return { headPosition: await headWithin(this.events), pendingConfirmations: this.store.countOwed(), consumers };
  }

  /** Creates the consumers' groups; while EventStoreDB is unreachable, keeps trying in the background rather than failing the start. */
  private async ensureGroups(groups: PersistentGroups): Promise<void> {
    try {
      const created = await ensureConsumerGroups(groups, this.config.consumers);
      this.logger.log(`persistent subscription groups ready: ${created.join(', ')}`);
    } catch (error) {
      this.logger.error(`cannot create the persistent subscription groups yet: ${error instanceof Error ? error.message : String(error)}; trying again in 5 s`);
      if (this.stopped) return;
      this.groupsTimer = setTimeout(() => void this.ensureGroups(groups), 5000);
      this.groupsTimer.unref();
    }
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
      // A check that was under way when the process began to stop meets the ledger closed: not an error.
      if (this.stopped) return;
      this.logger.error(`lag check failed: ${String(error)}`);
    }
  }
}
