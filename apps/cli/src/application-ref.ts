import { APPLICATION_STREAM_PREFIX, ApplicationNotFoundError, applicationIdOf, applicationStream } from '@nws/engine';
import type { EventStore } from '@nws/event-store';
import { APPLICATION_NUMBER_PATTERN } from '@nws/workflows';

/**
 * An application named on the command line, by its id or by its 申請番号 (in any case: what
 * auditors are quoted), and held by the store: its id. A number is looked up among the stored
 * submissions (the number is not personal data: it is stored in clear), not in the read models,
 * which the CLI does not bring up to date.
 */
export async function existingApplicationId(store: EventStore, ref: string): Promise<string> {
  const number = ref.trim().toUpperCase();
  if (APPLICATION_NUMBER_PATTERN.test(number)) {
    // Found in a stored submission: the application exists.
    for await (const event of store.readAll({ filter: { eventTypes: ['ApplicationSubmitted'] } })) {
      if (event.data['applicationNumber'] === number && event.streamId.startsWith(APPLICATION_STREAM_PREFIX)) return event.streamId.slice(APPLICATION_STREAM_PREFIX.length);
    }
  } else {
    const id = applicationIdOf(ref.trim());
    if ((await store.streamRevision(applicationStream(id))) !== undefined) return id;
  }
  throw new ApplicationNotFoundError(ref);
}
