import { WrongExpectedRevisionError } from '../event-store.errors';
import type { AppendResult, EventStore, EventToAppend, ExpectedRevision } from '../event-store.port';
import { ForwardingEventStore } from '../forwarding-event-store';
import { GENESIS_HASH, INTEGRITY_KEY, computeEventHash, integrityOf } from './event-hash';

const CACHE_LIMIT = 10_000;

/**
 * Decorates any EventStore so that every appended event carries a hash chained to the previous
 * event of its stream. Done here, not in one adapter or in the engine, so every writer (commands,
 * reactions, distribution) and every adapter produce the same verifiable chain.
 *
 * The previous hash is taken at the caller's expected revision, so a retried append with the same
 * ids and expected revision produces byte-identical events and stays idempotent in every adapter.
 */
export class ChainedEventStore extends ForwardingEventStore {
  /** streamId → [revision, hash] of the last event we saw appended; only a hint, checked by revision. */
  private readonly lastHashes = new Map<string, readonly [number, string]>();

  constructor(inner: EventStore) {
    super(inner);
  }

  override async append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    for (let attempt = 0; ; attempt++) {
      const exact = await this.exactRevision(streamId, expectedRevision);
      const prev = exact === undefined ? GENESIS_HASH : await this.hashAt(streamId, exact);
      let prevHash = prev;
      let revision = exact ?? -1;
      const chained = events.map((event) => {
        revision += 1;
        const { [INTEGRITY_KEY]: _ignored, ...metadata } = event.metadata;
        const hash = computeEventHash({ ...event, streamId, revision, metadata }, prevHash);
        const out: EventToAppend = { ...event, metadata: { ...metadata, [INTEGRITY_KEY]: { hash, prevHash } } };
        prevHash = hash;
        return out;
      });
      try {
        const result = await this.inner.append(streamId, chained, exact === undefined ? 'no_stream' : exact);
        // Remember what is stored, not what we computed: an append of ids already stored (a racing
        // retry of the same command, e.g. a reaction run twice) is answered as a no-op by the
        // adapter, and the stored events may carry other bytes (another occurredAt) than ours.
        // Only an adapter that says it wrote our events spares the read-back.
        this.lastHashes.delete(streamId);
        const stored = result.replayed === false ? prevHash : await this.hashAt(streamId, result.nextExpectedRevision);
        this.remember(streamId, result.nextExpectedRevision, stored);
        return result;
      } catch (error) {
        this.lastHashes.delete(streamId);
        // 'any' and 'stream_exists' promise no particular revision: chase the stream's end.
        const loose = expectedRevision === 'any' || expectedRevision === 'stream_exists';
        if (loose && error instanceof WrongExpectedRevisionError && attempt < 10) continue;
        throw error;
      }
    }
  }

  private async exactRevision(streamId: string, expected: ExpectedRevision): Promise<number | undefined> {
    if (typeof expected === 'number') return expected;
    if (expected === 'no_stream') return undefined;
    const current = await this.inner.streamRevision(streamId);
    if (current === undefined && expected === 'stream_exists') throw new WrongExpectedRevisionError(streamId, expected, undefined);
    return current;
  }

  private async hashAt(streamId: string, revision: number): Promise<string> {
    const cached = this.lastHashes.get(streamId);
    if (cached && cached[0] === revision) return cached[1];
    for await (const event of this.inner.readStream(streamId, { fromRevision: revision, toRevision: revision })) {
      // An event written before chaining existed starts a new chain from its own position.
      return integrityOf(event)?.hash ?? GENESIS_HASH;
    }
    // The expected revision is not there: let the inner store report the conflict.
    return GENESIS_HASH;
  }

  private remember(streamId: string, revision: number, hash: string): void {
    this.lastHashes.delete(streamId);
    this.lastHashes.set(streamId, [revision, hash]);
    if (this.lastHashes.size > CACHE_LIMIT) this.lastHashes.delete(this.lastHashes.keys().next().value!);
  }
}
