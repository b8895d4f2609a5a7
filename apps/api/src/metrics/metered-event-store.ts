import type { Observable } from 'rxjs';
import type { AppendResult, EventStore, EventToAppend, ExpectedRevision, ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions } from '@nws/event-store';
import type { EngineMetrics } from './metrics.registry';

/** Counts appended events and times appends, whatever the adapter underneath. */
export class MeteredEventStore implements EventStore {
  constructor(
    readonly inner: EventStore,
    private readonly metrics: EngineMetrics,
  ) {}

  async append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const stop = this.metrics.appendSeconds.startTimer();
    const result = await this.inner.append(streamId, events, expectedRevision);
    stop();
    for (const event of events) this.metrics.transitions.inc({ type: event.type });
    return result;
  }
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    return this.inner.readStream(streamId, options);
  }
  streamRevision(streamId: string): Promise<number | undefined> {
    return this.inner.streamRevision(streamId);
  }
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return this.inner.readAll(options);
  }
  subscribeToAll(options?: SubscribeOptions): Observable<RecordedEvent> {
    return this.inner.subscribeToAll(options);
  }
  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Finds the SQLite adapter under decorators, to observe its group commits. */
export function observeGroupCommits(store: EventStore, metrics: EngineMetrics): void {
  let current: unknown = store;
  while (current && typeof current === 'object') {
    const candidate = current as { onCommit?: (observer: (size: number, seconds: number) => void) => void; inner?: unknown };
    if (typeof candidate.onCommit === 'function') {
      candidate.onCommit((size, seconds) => {
        metrics.fsyncBatch.observe(size);
        metrics.commitSeconds.observe(seconds);
      });
      return;
    }
    current = candidate.inner;
  }
}
