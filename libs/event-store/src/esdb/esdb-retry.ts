import {
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
} from '@eventstore/db-client';
import { EventStoreUnavailableError } from '../event-store.errors';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * How long one try may take before it counts as timed out (and is tried again). The client's
   * batch append carries its deadline to the server, which answers with a timeout; a node that
   * does not answer at all (a frozen process, packets dropped) left the call waiting for ever.
   */
  readonly attemptTimeoutMs?: number;
  /**
   * How long all tries of one operation may take together: no try starts after it, and the last
   * one is bounded by what is left. Six tries of 10 s each held a request about a frozen node for
   * 62 s before its 503, past the 60 s at which proxies give up and answer 504 themselves.
   */
  readonly totalBudgetMs?: number;
}

/**
 * Backoff sleeps add up to at most 3.1 s, about one leader election. Attempts that time out take
 * the client deadline each (10 s unless `defaultDeadline` is set in the connection string), and
 * all of them 20 s at most: a node that answers nothing is a 503 within about 20 s.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 2_000, attemptTimeoutMs: 10_000, totalBudgetMs: 20_000 };

/** When an operation begun now must give up, per the policy's budget (Infinity without one). */
const budgetEnd = (policy: RetryPolicy): number => (policy.totalBudgetMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + policy.totalBudgetMs);

/** The bound of the next try: its own timeout, or what is left of the budget if less. */
const tryBound = (policy: RetryPolicy, end: number): number | undefined => {
  const left = end - Date.now();
  return Number.isFinite(left) ? Math.max(1, Math.min(policy.attemptTimeoutMs ?? left, left)) : policy.attemptTimeoutMs;
};

/**
 * Failures after which trying again is safe and may succeed:
 * - UNAVAILABLE / CANCELLED by the server: the node is down or restarting; the client reconnects
 *   on its own (for a cluster it rediscovers, avoiding the failed node) before the next try;
 * - DEADLINE_EXCEEDED, and ABORTED (ESDB's "operation timed out"): the outcome is unknown, but an
 *   append retried with the same event ids is idempotent, and reads are side-effect free;
 * - NotLeader: the client has already switched its channel to the leader named in the trailers
 *   (Client.handleError -> nextChannelSettings.nextEndpoint), the next try goes there;
 * - a failed cluster discovery (gossip), which the client reports as a plain Error;
 * - UNAVAILABLE or DEADLINE_EXCEEDED as a raw gRPC status: the client's server-features probe,
 *   sent first on a new connection (after the node went away and the client reconnects), lets
 *   grpc-js's error through unconverted (`14 UNAVAILABLE: No connection established`): it was a 500.
 */
/** A try that took longer than the policy's attemptTimeoutMs: its outcome is unknown, as a deadline's. */
export class AttemptTimedOutError extends Error {
  override readonly name = 'AttemptTimedOutError';
}

export function isTransient(error: unknown): boolean {
  return (
    error instanceof UnavailableError ||
    error instanceof AttemptTimedOutError ||
    isRawGrpcStatus(error, [GRPC_UNAVAILABLE, GRPC_DEADLINE_EXCEEDED]) ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError ||
    error instanceof CancelledError ||
    (error instanceof Error && error.message.startsWith('Failed to discover after'))
  );
}

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

/** A grpc-js ServiceError (code, details, metadata) with one of these status codes. */
function isRawGrpcStatus(error: unknown, codes: readonly number[]): boolean {
  if (!(error instanceof Error)) return false;
  const { code, details } = error as Error & { code?: unknown; details?: unknown };
  return typeof code === 'number' && codes.includes(code) && typeof details === 'string' && 'metadata' in error;
}

/** The try, or AttemptTimedOutError after `ms` (the try goes on in the background: a late answer is dropped). */
function timeBound<T>(attempt: Promise<T>, ms: number | undefined, operation: string): Promise<T> {
  if (ms === undefined || !Number.isFinite(ms)) return attempt;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptTimedOutError(`EventStoreDB ${operation}: no answer within ${ms} ms`)), ms);
  });
  attempt.catch(() => undefined);
  return Promise.race([attempt, timedOut]).finally(() => clearTimeout(timer));
}

export function backoffMs(policy: RetryPolicy, failures: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - 1));
  // Jitter keeps the API replicas from retrying in lockstep against a recovering node.
  return Math.round(exponential * (0.5 + Math.random() * 0.5));
}

export function unavailable(operation: string, policy: RetryPolicy, cause: unknown, attempts = policy.attempts): EventStoreUnavailableError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new EventStoreUnavailableError(
    `EventStoreDB ${operation} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}${attempts < policy.attempts ? ` (its ${policy.totalBudgetMs} ms were spent)` : ''}: ${reason}`,
    Math.max(1, Math.ceil(policy.maxDelayMs / 1000)),
    { cause },
  );
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `action` until it succeeds, fails for good, or the policy is spent (then: unavailable). */
export async function withRetry<T>(operation: string, policy: RetryPolicy, action: () => Promise<T>): Promise<T> {
  const end = budgetEnd(policy);
  for (let failures = 1; ; failures += 1) {
    try {
      return await timeBound(action(), tryBound(policy, end), operation);
    } catch (error) {
      if (!isTransient(error)) throw error;
      const pause = backoffMs(policy, failures);
      if (failures >= policy.attempts || Date.now() + pause >= end) throw unavailable(operation, policy, error, failures);
      await delay(pause);
    }
  }
}

/**
 * A read that resumes where it stopped: `attempt` must start from a cursor it advances as it
 * yields, so a retry neither repeats nor skips items. Progress resets the failure count.
 */
export async function* withResumableRetry<T>(
  operation: string,
  policy: RetryPolicy,
  attempt: () => AsyncGenerator<T>,
): AsyncGenerator<T> {
  let failures = 0;
  // The budget counts from the last item read: a long read that keeps yielding is never cut, one that stops is within it.
  let end = budgetEnd(policy);
  for (;;) {
    const iterator = attempt();
    let finished = false;
    try {
      for (;;) {
        // Each item within the try's bound: a node that stops answering mid-read is a timed-out try.
        const next = await timeBound(iterator.next(), tryBound(policy, end), operation);
        if (next.done) {
          finished = true;
          return;
        }
        failures = 0;
        yield next.value;
        end = budgetEnd(policy);
      }
    } catch (error) {
      failures += 1;
      if (!isTransient(error)) throw error;
      const pause = backoffMs(policy, failures);
      if (failures >= policy.attempts || Date.now() + pause >= end) throw unavailable(operation, policy, error, failures);
      await delay(pause);
    } finally {
      // A try left behind (failed, timed out, or the reader stopped early) is closed, not awaited: a stalled one never would be.
      if (!finished) void iterator.return(undefined).catch(() => undefined);
    }
  }
}
