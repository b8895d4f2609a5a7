import { v5 as uuidv5 } from 'uuid';
import { ActionNotAllowedInStateError, ApplicationNotFoundError, type Actor, type WorkflowEngine } from '@nws/engine';
import type { DistributionStore } from './distribution-store.port';

export type ConfirmOutcome =
  | { readonly kind: 'confirmed'; readonly state: string }
  /** Someone (a person with the distributor role) confirmed it first. */
  | { readonly kind: 'already'; readonly state: string }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'retry'; readonly reason: string };

/** Confirms distribution of one acknowledged version on its application. */
export type Confirm = (applicationId: string, versionEventId: string) => Promise<ConfirmOutcome>;

const NAMESPACE = '3d5e8f1a-2b4c-5d6e-8f90-a1b2c3d4e5f6';

/** The command id of the confirmation of a version: the same version is confirmed at most once, however often we try. */
export const confirmationCommandId = (versionEventId: string): string => uuidv5(`confirm-distribution\u0000${versionEventId}`, NAMESPACE);

/** `confirm-distribution` through the engine, as the system actor, with a command id derived from the version event. */
export function engineConfirm(engine: WorkflowEngine, actor: Actor, clock: () => string = () => new Date().toISOString()): Confirm {
  return async (applicationId, versionEventId) => {
    try {
      const view = await engine.execute(
        applicationId,
        'confirm-distribution',
        {},
        { actor, now: clock(), commandId: confirmationCommandId(versionEventId), correlationId: versionEventId, causationId: versionEventId },
      );
      return { kind: 'confirmed', state: view.state };
    } catch (error) {
      if (error instanceof ActionNotAllowedInStateError) {
        // The version event is appended just before MasterDataRegistered: a fast consumer can ack in between.
        if (error.state === 'approved') return { kind: 'retry', reason: 'master data not yet registered on the application' };
        if (error.state === 'distributed') return { kind: 'already', state: error.state };
        return { kind: 'failed', reason: error.message };
      }
      if (error instanceof ApplicationNotFoundError) return { kind: 'failed', reason: error.message };
      return { kind: 'retry', reason: error instanceof Error ? error.message : String(error) };
    }
  };
}

export interface ConfirmationWorkerOptions {
  readonly clock?: () => number;
  readonly onOutcome?: (applicationId: string, versionEventId: string, outcome: ConfirmOutcome) => void;
  /** The ledger could not be read or written (e.g. a full disk): the worker tries again after `retryMs`. */
  readonly onError?: (error: unknown) => void;
  readonly maxBackoffMs?: number;
  /** Delay before trying again after the ledger failed (ms, default 5000). */
  readonly retryMs?: number;
}

/**
 * Sends the confirmations the ledger owes (recorded in the ack's own transaction) until each one
 * lands, with backoff; after a restart it carries on with what is still owed.
 */
export class ConfirmationWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly ledger: DistributionStore,
    private readonly confirm: Confirm,
    private readonly options: ConfirmationWorkerOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Something new is owed: look now rather than at the next timer. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    let failed = false;
    this.running = this.drain()
      .catch((error: unknown) => {
        // A ledger write refused by the disk must not become an unhandled rejection (which ends
        // the process): what is owed stays owed in the ledger and is tried again.
        failed = true;
        this.options.onError?.(error);
      })
      .finally(() => {
        this.running = undefined;
        if (failed) this.retryLater();
        else if (this.again) {
          this.again = false;
          this.kick();
        } else this.schedule();
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const owed = this.ledger.owedBefore(this.now(), 50);
      if (owed.length === 0 || this.stopped) return;
      for (const item of owed) {
        if (this.stopped) return;
        const outcome = await this.confirm(item.applicationId, item.eventId);
        this.options.onOutcome?.(item.applicationId, item.eventId, outcome);
        if (outcome.kind === 'retry') {
          const backoff = Math.min(this.options.maxBackoffMs ?? 5000, 100 * 2 ** Math.min(item.attempts, 10));
          await this.ledger.postpone(item.eventId, this.now() + backoff, outcome.reason);
        } else {
          await this.ledger.settle(item.eventId, outcome.kind === 'failed' ? `failed: ${outcome.reason}` : outcome.kind, this.now());
        }
      }
    }
  }

  private retryLater(): void {
    if (this.stopped) return;
    this.again = false;
    this.timer = setTimeout(() => this.kick(), this.options.retryMs ?? 5000);
    this.timer.unref();
  }

  private schedule(): void {
    if (this.stopped) return;
    const next = this.ledger.nextOwedAt();
    if (next === undefined) return;
    this.timer = setTimeout(() => this.kick(), Math.max(0, next - this.now()));
    this.timer.unref();
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }
}
