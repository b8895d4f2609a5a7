import { GENESIS_HASH, computeEventHash, integrityOf, type RecordedEvent } from '@nws/event-store';
import type { IntegrityProblem } from './integrity-report';

/**
 * The per-stream hash chain checked incrementally, for events that arrive in global order (one
 * pass over the whole store or an export file): memory grows with the number of streams, not
 * events. After a broken link it re-synchronises on the stored hash, so each tampered event is
 * reported once and the ones after it are still checked on their own.
 * As in `verifyStreamChain`: `expected` is what the verifier derives, `found` what the event stores.
 */
export class StreamChainTracker {
  private readonly streams = new Map<string, { next: number; prev: string }>();

  get streamCount(): number {
    return this.streams.size;
  }

  lastHash(streamId: string): string | undefined {
    return this.streams.get(streamId)?.prev;
  }

  lastRevision(streamId: string): number | undefined {
    const state = this.streams.get(streamId);
    return state ? state.next - 1 : undefined;
  }

  check(event: RecordedEvent): IntegrityProblem | undefined {
    const state = this.streams.get(event.streamId) ?? { next: 0, prev: GENESIS_HASH };
    this.streams.set(event.streamId, state);
    const at = { streamId: event.streamId, revision: event.revision, position: event.position, eventId: event.id };
    const integrity = integrityOf(event);
    let problem: IntegrityProblem | undefined;
    if (event.revision !== state.next) {
      problem = {
        ...at,
        kind: 'revision-gap',
        message: event.revision > state.next ? `revision${event.revision - 1 > state.next ? `s ${state.next}..${event.revision - 1} are` : ` ${state.next} is`} missing from this stream` : 'revision repeated or out of order',
        expected: `revision ${state.next}`,
        found: `revision ${event.revision}`,
      };
    } else if (!integrity) {
      problem = { ...at, kind: 'missing-integrity', message: 'the event carries no hash', expected: 'an integrity block', found: 'none' };
    } else if (integrity.prevHash !== state.prev) {
      problem = { ...at, kind: 'prev-hash-mismatch', message: 'the event does not point to the hash of its predecessor', expected: state.prev, found: integrity.prevHash };
    } else {
      const recomputed = computeEventHash(event, state.prev);
      if (recomputed !== integrity.hash) {
        problem = { ...at, kind: 'hash-mismatch', message: 'the stored event no longer hashes to the value recorded when it was appended', expected: recomputed, found: integrity.hash };
      }
    }
    state.next = event.revision + 1;
    state.prev = integrity?.hash ?? computeEventHash(event, state.prev);
    return problem;
  }
}
