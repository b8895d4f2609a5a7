import { storageProblemOf, type RecordedEvent } from '@nws/event-store';
import type { Projection } from './projection';
import type { ProjectionFault } from './projection-runner.types';

/** How a projection's failures are told apart from the database's, keyed, and reported. */

/** The projection's own failure on one event, as opposed to the database refusing writes. */
export class HandlerFault extends Error {
  constructor(readonly projection: Projection, readonly event: RecordedEvent, readonly original: unknown) {
    super(messageOf(original));
  }
}

const MAX_ERROR_LENGTH = 1000;

/**
 * The database, not the projection, failed: disk full, read-only, I/O error, locked by another
 * process, corrupt. Such a batch is retried later and never parks an event.
 */
export function isDatabaseFailure(error: unknown): boolean {
  if (storageProblemOf(error)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|CORRUPT|NOTADB|NOMEM|PROTOCOL|INTERRUPT)/.test(code);
}

export function failureKey(projection: string, at: string | number): string {
  return `${projection}\u0000${at}`;
}

export function toFault(projection: Projection, event: RecordedEvent, error: unknown, attempt: number, maxAttempts: number, outcome: 'retry' | 'parked'): ProjectionFault {
  return { projection: projection.name, position: event.position, streamId: event.streamId, type: event.type, error: truncate(messageOf(error)), attempt, maxAttempts, outcome };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function truncate(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
