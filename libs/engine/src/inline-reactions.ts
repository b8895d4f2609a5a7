import type { RecordedEvent } from '@nws/event-store';

export interface ReactionFailure {
  readonly event: RecordedEvent;
  readonly error: unknown;
}

/** The end of an inline run: its failures, or undefined when it did not run to its end (nothing can be concluded). */
export type InlineOutcome = ReactionFailure[] | undefined;

/**
 * The reactions commands of this process are running right after their own append ("inline"),
 * by the id of the event that triggered them. The reactor, which sees the same stored event,
 * waits for such a run instead of racing it (WorkflowEngine.reactOnce); a long poll woken by the
 * event waits for what the run appends (the distribution host).
 */
export class InlineReactions {
  private readonly runs = new Map<string, Promise<InlineOutcome>>();

  /** Registers a run for these event ids; `settle` ends it (always call it, or the reactor waits forever). */
  announce(eventIds: readonly string[]): { settle: (outcome: InlineOutcome) => void } {
    let resolve!: (outcome: InlineOutcome) => void;
    const run = new Promise<InlineOutcome>((r) => (resolve = r));
    for (const id of eventIds) this.runs.set(id, run);
    return {
      settle: (outcome) => {
        for (const id of eventIds) if (this.runs.get(id) === run) this.runs.delete(id);
        resolve(outcome);
      },
    };
  }

  /** The run of this event's reactions, if one is in progress. */
  of(eventId: string): Promise<InlineOutcome> | undefined {
    return this.runs.get(eventId);
  }

  get active(): boolean {
    return this.runs.size > 0;
  }

  /** Resolves once the runs in progress now have ended (at once when there are none). */
  async settled(): Promise<void> {
    if (this.runs.size > 0) await Promise.all(new Set(this.runs.values()));
  }
}
