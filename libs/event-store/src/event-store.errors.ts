import type { ExpectedRevision } from './event-store.port';

/** The stream was not at the revision the caller expected: someone else appended first. */
export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | undefined,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${actual === undefined ? 'no stream' : actual}`);
  }
}

/** An event id was reused for a different event: ids are idempotency keys, not free labels. */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(readonly eventId: string, readonly streamId: string) {
    super(`event id ${eventId} is already used by another event (appending to ${streamId})`);
  }
}

/** The store could not be reached or is not the leader now; safe to retry later. */
export class EventStoreUnavailableError extends Error {
  // `string`, not the literal: StorageUnavailableError (a full or read-only disk) is one of these.
  override readonly name: string = 'EventStoreUnavailableError';
  constructor(message: string, readonly retryAfterSeconds = 1, options?: { cause?: unknown }) {
    super(message, options);
  }
}
