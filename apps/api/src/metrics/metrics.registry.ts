import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { within } from '../infrastructure/within';

/** Live figures of the engine, the same ones the benchmark measures. */
export class EngineMetrics {
  readonly registry = new Registry();
  readonly transitions = new Counter({ name: 'nws_transitions_total', help: 'Events appended, by type', labelNames: ['type'], registers: [this.registry] });
  readonly appendSeconds = new Histogram({
    name: 'nws_append_duration_seconds',
    help: 'Time from append call to durable commit, per append',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly fsyncBatch = new Histogram({
    name: 'nws_group_commit_batch_size',
    help: 'Appends committed together in one transaction and one fsync',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: 'nws_group_commit_duration_seconds',
    help: 'Duration of one group commit (transaction + fsync)',
    buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05],
    registers: [this.registry],
  });
  readonly eventStoreReachable = new Gauge({ name: 'nws_event_store_reachable', help: '1 when the event store answered this scrape, 0 when it did not (the lag is then NaN)', registers: [this.registry] });
  readonly projectionLag = new Gauge({ name: 'nws_projection_lag_events', help: 'Events stored but not yet in every read model', registers: [this.registry] });
  readonly consumerLag = new Gauge({ name: 'nws_consumer_lag_events', help: 'Events a distribution consumer has not settled (acknowledged or parked), as GET /distribution/lag counts them', labelNames: ['consumer'], registers: [this.registry] });
  readonly consumerLagSeconds = new Gauge({ name: 'nws_consumer_lag_seconds', help: 'Age of the oldest event a distribution consumer has not settled (0 when none)', labelNames: ['consumer'], registers: [this.registry] });
  readonly consumerParked = new Gauge({ name: 'nws_consumer_parked_events', help: 'Events parked for a distribution consumer (nacked or delivered too often), waiting for an operator', labelNames: ['consumer'], registers: [this.registry] });
  readonly projectionParked = new Gauge({
    name: 'nws_projection_parked_events',
    help: 'Events a projection did not apply: failed (its handler threw on every attempt) or held (later events of the same stream)',
    labelNames: ['projection', 'reason'],
    registers: [this.registry],
  });
  readonly projectionFaults = new Counter({
    name: 'nws_projection_faults_total',
    help: 'Projection handler failures on an event, by outcome (retry, parked)',
    labelNames: ['projection', 'outcome'],
    registers: [this.registry],
  });
  readonly reactionFailures = new Counter({
    name: 'nws_reaction_failures_total',
    help: 'Failed runs of a workflow reaction (e.g. registering master data after a second approval), by triggering event type and outcome: failed-attempt (tried again), gave-up (the reactor moved on after its last attempt: an operator resends the command with its Idempotency-Key)',
    labelNames: ['event_type', 'outcome'],
    registers: [this.registry],
  });
  readonly storageWritable = new Gauge({
    name: 'nws_storage_writable',
    help: '1 when DATA_DIR and the embedded databases take writes, 0 when writes are refused (disk full, read-only, I/O errors)',
    registers: [this.registry],
  });
  readonly accessLogUnindexed = new Gauge({
    name: 'nws_access_log_unindexed_entries',
    help: "Personal-data access-log entries its indexer has not reached yet (queries by subject or application scan them; grows only while the indexer's steps fail)",
    registers: [this.registry],
  });
  readonly commitDoorbell = new Gauge({
    name: 'nws_event_store_commit_doorbell',
    help: "1 when other processes' commits on the embedded store (the CLI) wake this process's subscriptions at once, 0 when they wait for the next poll (~500 ms; e.g. no file change events)",
    registers: [this.registry],
  });
  readonly storageRefusals = new Counter({
    name: 'nws_storage_refused_writes_total',
    help: 'Requests answered 503 because the disk refused the write, by problem (full, read-only, io-error, cannot-open, busy)',
    labelNames: ['problem'],
    registers: [this.registry],
  });

  readonly writerRestarts = new Counter({
    name: 'nws_event_store_writer_restarts_total',
    help: "Times the embedded store's writer thread stopped other than by shutdown and was replaced (never expected: look at the log line that names why)",
    registers: [this.registry],
  });

  readonly checkpoints = new Counter({
    name: 'nws_event_store_checkpoints_total',
    help: "WAL checkpoints by the embedded store's checkpoint thread (each copied committed WAL frames into the database file and was confirmed by a probe)",
    registers: [this.registry],
  });
  readonly walFrames = new Gauge({
    name: 'nws_event_store_wal_frames',
    help: "Frames in the embedded store's WAL at the latest checkpoint (4,096-byte pages; the WAL starts again past 40,000 by default)",
    registers: [this.registry],
  });
  readonly walHeld = new Gauge({
    name: 'nws_event_store_wal_held',
    help: '1 when the file system refused the probe after a checkpoint: the WAL is kept as it is (no checkpoint, never started again) until a probe passes',
    registers: [this.registry],
  });

  readonly sealerHalted = new Gauge({
    name: 'nws_sealer_halted',
    help: '1 when the store-wide sealer stopped (the store and the witness disagree: run verify; nothing is sealed until an operator acts), else 0 (also where no sealer runs: API replicas, whose worker says it)',
    registers: [this.registry],
  });
  readonly unsealedEvents = new Gauge({
    name: 'nws_unsealed_events',
    help: 'Events committed since the newest seal (removable from the end of the store without a seal or the witness noticing); grows while sealing is paused or stopped',
    registers: [this.registry],
  });

  /**
   * Every series a failure counter can have, at 0 from the start: Prometheus' increase() and rate()
   * do not count a series born at its first increment, so an alert on the first give-up after a
   * start, or the first refused write, never fired.
   */
  initialiseFailureSeries(known: { readonly projections: readonly string[]; readonly reactionTriggers: readonly string[]; readonly storageProblems: readonly string[] }): void {
    for (const projection of known.projections) for (const outcome of ['retry', 'parked']) this.projectionFaults.inc({ projection, outcome }, 0);
    for (const event_type of known.reactionTriggers) for (const outcome of ['failed-attempt', 'gave-up']) this.reactionFailures.inc({ event_type, outcome }, 0);
    for (const problem of known.storageProblems) this.storageRefusals.inc({ problem }, 0);
  }

  /** Gauges other modules refresh right before each scrape (the distribution's consumers). */
  private readonly scrapeHooks = new Set<() => Promise<void>>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'nws_' });
  }

  /** Runs `hook` before every scrape; returns its removal. */
  onScrape(hook: () => Promise<void>): () => void {
    this.scrapeHooks.add(hook);
    return () => this.scrapeHooks.delete(hook);
  }

  /**
   * The exposition text, after every scrape hook ran. A failing hook leaves its gauges as they
   * were and is reported to `onHookError`: one figure that cannot be read must not blind the rest.
   */
  async scrape(onHookError: (error: unknown) => void): Promise<string> {
    for (const hook of this.scrapeHooks) await within(hook(), SCRAPE_HOOK_TIMEOUT_MS, () => new Error(`not refreshed within ${SCRAPE_HOOK_TIMEOUT_MS} ms: shown as last read`)).catch(onHookError);
    return this.registry.metrics();
  }
}

/** How long one scrape waits for a hook: a figure read from a frozen store must not hold the scrape (Prometheus gives up at 10 s). */
export const SCRAPE_HOOK_TIMEOUT_MS = 2_000;
