import { APPLICATION_STREAM_PREFIX, ApplicationNotFoundError, applicationStream } from '@nws/engine';
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
  let id: string | undefined = ref;
  if (APPLICATION_NUMBER_PATTERN.test(number)) {
    id = undefined;
    for await (const event of store.readAll({ filter: { eventTypes: ['ApplicationSubmitted'] } })) {
      if (event.data['applicationNumber'] === number && event.streamId.startsWith(APPLICATION_STREAM_PREFIX)) {
        id = event.streamId.slice(APPLICATION_STREAM_PREFIX.length);
        break;
      }
    }
  }
  if (id === undefined || (await store.streamRevision(applicationStream(id))) === undefined) throw new ApplicationNotFoundError(ref);
  return id;
}
