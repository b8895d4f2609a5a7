import { EventStoreUnavailableError, type EventStore } from '@nws/event-store';
import { within } from './within';

/** How long a probe or a read waits for the store to tell its head. */
export const HEAD_TIMEOUT_MS = 1_000;

/**
 * The store's head within `timeoutMs`, or EventStoreUnavailableError: during an EventStoreDB outage
 * the client's retries hold a call for seconds before failing it, and a frozen node (a call taken,
 * never answered) holds it for each try's 10 s. What only needs the head to tell how far the local
 * read models are behind must not wait that long; a node that does not answer in time is, for
 * them, a node that is down.
 */
export async function headWithin(store: Pick<EventStore, 'headPosition'>, timeoutMs = HEAD_TIMEOUT_MS): Promise<number> {
  return within(store.headPosition(), timeoutMs, () => new EventStoreUnavailableError(`no answer within ${timeoutMs} ms`));
}
