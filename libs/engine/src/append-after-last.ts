import { WrongExpectedRevisionError, type EventStore, type EventToAppend, type RecordedEvent } from '@nws/event-store';

/** A stream's last event; undefined when there is no stream. */
export async function lastEventOf(store: EventStore, streamId: string): Promise<RecordedEvent | undefined> {
  const revision = await store.streamRevision(streamId);
  if (revision === undefined) return undefined;
  for await (const event of store.readStream(streamId, { fromRevision: revision, toRevision: revision })) return event;
  return undefined;
}

/**
 * Appends what `next` makes of a stream's last event (each event the whole of something: a list, a
 * claim), at that event's revision: made again from the stream as it is when another append came
 * first. `next` answers undefined when there is nothing to append. `what` names the work when it
 * gives up after `attempts`.
 */
export async function appendAfterLast(store: EventStore, streamId: string, next: (latest: RecordedEvent | undefined) => EventToAppend | undefined, what: string, attempts = 10): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const latest = await lastEventOf(store, streamId);
    const event = next(latest);
    if (event === undefined) return;
    try {
      await store.append(streamId, [event], latest === undefined ? 'no_stream' : latest.revision);
      return;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
  }
  throw new Error(`could not ${what}: too much contention`);
}
