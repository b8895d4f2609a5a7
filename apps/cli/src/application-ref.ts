import { InvalidArgumentError } from 'commander';
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
    // Found in a stored submission: the application exists. Two applications of one body submitted
    // on one day may share a number (six hex digits of their ids): the first found was taken, and an
    // auditor read another application than the one quoted. Both are named instead.
    const found = new Set<string>();
    for await (const event of store.readAll({ filter: { eventTypes: ['ApplicationSubmitted'] } })) {
      if (event.data['applicationNumber'] === number && event.streamId.startsWith(APPLICATION_STREAM_PREFIX)) found.add(event.streamId.slice(APPLICATION_STREAM_PREFIX.length));
    }
    if (found.size > 1) {
      const ids = [...found].join(', ');
      throw new InvalidArgumentError(`申請番号 ${number} の申請が複数あります（${ids}）。申請IDで指定してください / ${found.size} applications have 申請番号 ${number} (${ids}): name one by its id`);
    }
    const [only] = found;
    if (only !== undefined) return only;
  } else {
    const id = applicationIdOf(ref.trim());
    if ((await store.streamRevision(applicationStream(id))) !== undefined) return id;
  }
  throw new ApplicationNotFoundError(ref);
}
