import { ForwardingEventStore, type AppendResult, type EventStore, type EventToAppend, type ExpectedRevision } from '@nws/event-store';
import type { CheckpointStats } from '@nws/event-store/sqlite';
import type { EngineMetrics } from './metrics.registry';

/** Counts appended events and times appends, whatever the adapter underneath. */
export class MeteredEventStore extends ForwardingEventStore {
  constructor(
    inner: EventStore,
    private readonly metrics: EngineMetrics,
  ) {
    super(inner);
  }

  override async append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const stop = this.metrics.appendSeconds.startTimer();
    const result = await this.inner.append(streamId, events, expectedRevision);
    stop();
    for (const event of events) this.metrics.transitions.inc({ type: event.type });
    return result;
  }
}

interface ObservableAdapter {
  onCommit?: (observer: (size: number, seconds: number) => void) => void;
  onWriterRestart?: (observer: (reason: string) => void) => void;
  onCheckpointTrouble?: (observer: (reason: string) => void) => void;
  readonly checkpointStats?: CheckpointStats;
  inner?: unknown;
}

/** Finds the SQLite adapter under decorators, to observe its group commits, writer-thread restarts and checkpoints. */
export function observeGroupCommits(store: EventStore, metrics: EngineMetrics, log: (message: string) => void = () => undefined): void {
  let current: unknown = store;
  while (current && typeof current === 'object') {
    const candidate = current as ObservableAdapter;
    if (typeof candidate.onCommit === 'function') {
      candidate.onCommit((size, seconds) => {
        metrics.fsyncBatch.observe(size);
        metrics.commitSeconds.observe(seconds);
      });
      candidate.onWriterRestart?.((reason) => {
        metrics.writerRestarts.inc();
        log(`${reason}; a new writer thread takes the next writes`);
      });
      candidate.onCheckpointTrouble?.(log);
      if (candidate.checkpointStats !== undefined) {
        let counted = 0;
        metrics.onScrape(async () => {
          const stats = candidate.checkpointStats;
          if (stats === undefined) return;
          metrics.checkpoints.inc(stats.passes - counted);
          counted = stats.passes;
          metrics.walFrames.set(stats.walFrames);
          metrics.walHeld.set(stats.held ? 1 : 0);
        });
      }
      return;
    }
    current = candidate.inner;
  }
}
