import { evolve, foldApplication, toMachineEvent, type FoldedApplication, type WorkflowDefinition, type WorkflowRegistry } from '@nws/engine';
import type { JsonObject, RecordedEvent } from '@nws/event-store';

export interface AsOf {
  /** Last revision to include. */
  readonly toRevision?: number;
  /** ISO-8601 time: include events that occurred at or before it. */
  readonly asOf?: string;
}

/**
 * The history as it stood at a revision and/or a time. It stops at the first event past the
 * limit instead of filtering each event on its own: times in a stream need not be monotonic (a
 * command that lost a concurrency race is retried with its original time), and a fold must
 * only ever see a prefix of the history, i.e. a history that actually existed.
 */
export function eventsAsOf<T extends Pick<RecordedEvent, 'revision' | 'metadata'>>(events: readonly T[], limit: AsOf): T[] {
  const until = limit.asOf === undefined ? Number.POSITIVE_INFINITY : Date.parse(limit.asOf);
  const out: T[] = [];
  for (const event of events) {
    if (limit.toRevision !== undefined && event.revision > limit.toRevision) break;
    if (Date.parse(String(event.metadata['occurredAt'])) > until) break;
    out.push(event);
  }
  return out;
}

export interface TimelineStep {
  readonly event: RecordedEvent;
  readonly folded: FoldedApplication;
  /** The workflow's own view of the application right after this event. */
  readonly view: JsonObject;
}

/** The version of the workflow an application started on, as stamped on its first event. */
export function definitionOf(registry: WorkflowRegistry, events: readonly RecordedEvent[]): WorkflowDefinition {
  const first = events[0];
  if (!first) throw new Error('an application has at least one event');
  return registry.get(String(first.metadata['workflow']), String(first.metadata['machineVersion']));
}

/** Folds the events one by one (never from a snapshot) and yields the application after each. */
export function* timeline(definition: WorkflowDefinition, applicationId: string, events: readonly RecordedEvent[]): Generator<TimelineStep> {
  let folded = foldApplication(definition, applicationId, []);
  for (const event of events) {
    folded = evolve(folded, toMachineEvent(event));
    yield { event, folded, view: definition.view(folded) };
  }
}
