import type { StorageProblem, StorageUnavailableError } from '@nws/event-store';

export interface ProjectionRunnerOptions {
  readonly filename: string;
  /** Events applied per transaction at most while catching up. */
  readonly batchSize?: number;
  /**
   * How far behind the store the read models may be for `waitFor` to wait (events, default
   * 10,000). Further behind they are catching up (a start on a large store), not behind one
   * reader's write, and reads are answered from what is there at once.
   */
  readonly readYourWritesLag?: number;
  /** How often a projection is run on an event that makes it throw before the event is parked (default 3, at least 2). */
  readonly maxAttempts?: number;
  /** Delay before the first retry (ms, default 100); doubled per attempt. */
  readonly retryDelayMs?: number;
  /** Longest delay between retries while the read-model database refuses writes (ms, default 5000). */
  readonly maxRetryDelayMs?: number;
  /** Anything that is not a projection fault: the event subscription failed, an unexpected database error. */
  readonly onError?: (error: unknown) => void;
  /** A projection threw on an event: it is retried (`outcome: 'retry'`) or was just parked. */
  readonly onFault?: (fault: ProjectionFault) => void;
  /** The read-model database refused a write (disk full, read-only): nothing was applied; retried after `retryInMs`. */
  readonly onStall?: (error: StorageUnavailableError, retryInMs: number) => void;
  /** A stall is over: a batch was applied again. */
  readonly onRecovered?: () => void;
  /** Event types whose newest position the runner keeps (`lastSeen`), e.g. what other parts of the process must have acted on before its read models are whole. */
  readonly trackedTypes?: readonly string[];
}

export interface ProjectionFault {
  readonly projection: string;
  readonly position: number;
  readonly streamId: string;
  readonly type: string;
  readonly error: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly outcome: 'retry' | 'parked';
}

/**
 * An event one projection did not apply. `failed`: its handler threw on it `attempts` times.
 * `held`: a later event of the same stream, kept back so that the stream is applied in order
 * once the failed one is replayed.
 */
export interface ParkedProjectionEvent {
  readonly projection: string;
  readonly position: number;
  readonly streamId: string;
  readonly type: string;
  readonly reason: 'failed' | 'held';
  readonly error: string | null;
  readonly attempts: number;
  readonly parkedAt: string;
  readonly lastAttemptAt: string;
}

export interface ProjectionReplayResult {
  readonly projection: string;
  readonly streamId: string;
  /** Positions applied and removed from the parked list, in order. */
  readonly applied: number[];
  /** The event that failed again (it stays parked with one more attempt, and so does what follows it). */
  readonly failed: { readonly position: number; readonly error: string } | null;
  readonly stillParked: number[];
}

export type ProjectionRunnerState = 'running' | 'retrying' | 'stalled' | 'stopped';

export interface ProjectionRunnerStatus {
  readonly state: ProjectionRunnerState;
  /** Lowest checkpoint: every projection has applied (or parked) every event up to here. */
  readonly position: number;
  readonly checkpoints: Record<string, number>;
  readonly parked: Record<string, { failed: number; held: number }>;
  /** While stalled: what the read-model database refused. */
  readonly storage: { readonly problem: StorageProblem; readonly since: string; readonly error: string } | null;
  readonly lastError: string | null;
  readonly nextAttemptAt: string | null;
}

/** No event of that position is parked (for that projection). */
export class ParkedEventNotFoundError extends Error {
  override readonly name = 'ParkedEventNotFoundError';
  constructor(readonly position: number, readonly projection?: string) {
    super(`no parked event at position ${position}${projection ? ` for projection ${projection}` : ''}`);
  }
}
