import { ForwardingEventStore, type AppendResult, type EventStore, type EventToAppend, type ExpectedRevision, type ReadAllOptions, type ReadStreamOptions, type RecordedEvent } from '@nws/event-store';

/**
 * The trigger of a reaction that started early was not stored as the reaction saw it (its append
 * failed or raced, or the store answered with events stored before): whatever the reaction was
 * about to write or run is dropped, and the command decides again on what is stored.
 */
export class TriggerNotStoredError extends Error {
  constructor(override readonly cause?: unknown) {
    super('the event that triggered this reaction was not stored as given: the reaction writes nothing');
    this.name = 'TriggerNotStoredError';
  }
}

/**
 * Opens once a command's own events are stored (`open`) or never (`refuse`). Until then, a
 * reaction started early can compute but not act: see GatedEventStore.
 */
export class TriggerGate {
  readonly stored: Promise<void>;
  private resolve!: () => void;
  private reject!: (error: unknown) => void;

  constructor() {
    this.stored = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Nobody may be waiting when the gate is refused (the reaction had not reached a write yet).
    this.stored.catch(() => undefined);
  }

  /** The first decision stands: a promise settles once, so a later `open` or `refuse` changes nothing. */
  open(): void {
    this.resolve();
  }

  refuse(cause?: unknown): void {
    this.reject(new TriggerNotStoredError(cause));
  }
}

/**
 * The store as a reaction started early sees it: everything it writes, and everything it reads
 * of the trigger's own stream (or of the whole store), waits until the trigger is stored, and
 * fails with TriggerNotStoredError if it never is. Reads of other streams (what the reaction
 * computes from) go through at once: that is the point of starting early.
 */
export class GatedEventStore extends ForwardingEventStore {
  constructor(
    inner: EventStore,
    private readonly gate: TriggerGate,
    private readonly triggerStream: string,
  ) {
    super(inner);
  }

  override async append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    await this.gate.stored;
    const result = await this.inner.append(streamId, events, expectedRevision);
    // What the reaction does next (the registration's own command) is less urgent than handing on
    // what it just wrote: a long poll woken by this commit serves its page, access-log entry
    // included, in this turn of the event loop; the reaction goes on in the next.
    await nextTurn();
    return result;
  }

  override readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    return streamId === this.triggerStream ? this.afterGate(() => this.inner.readStream(streamId, options)) : this.inner.readStream(streamId, options);
  }

  override async streamRevision(streamId: string): Promise<number | undefined> {
    if (streamId === this.triggerStream) await this.gate.stored;
    return this.inner.streamRevision(streamId);
  }

  override readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return this.afterGate(() => this.inner.readAll(options));
  }

  override async headPosition(): Promise<number> {
    await this.gate.stored;
    return this.inner.headPosition();
  }

  /** The engine's store is not the reaction's to close. */
  override async close(): Promise<void> {}

  private async *afterGate(read: () => AsyncIterable<RecordedEvent>): AsyncIterable<RecordedEvent> {
    await this.gate.stored;
    yield* read();
  }
}

/** Resolves in the next turn of the event loop, after the immediates queued in this one have run. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
