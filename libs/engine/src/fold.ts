import { initialTransition, transition, type AnyMachineSnapshot, type StateValue } from 'xstate';
import type { RecordedEvent } from '@nws/event-store';
import type { EventMetadata, MachineEvent } from './engine.types';
import type { FoldedApplication, WorkflowDefinition } from './workflow-definition';

export function toMachineEvent(event: Pick<RecordedEvent, 'type' | 'data' | 'metadata'>): MachineEvent {
  return { type: event.type, data: event.data, meta: event.metadata as EventMetadata };
}

export function flattenState(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value)[0] ?? ['', ''];
  return child === undefined || (typeof child === 'object' && Object.keys(child).length === 0) ? key : `${key}.${flattenState(child as StateValue)}`;
}

/**
 * Rebuilds an application from its stored events with XState's pure `transition()`: no actor
 * lives between requests, so nothing but the events decides the state.
 */
export function foldApplication(definition: WorkflowDefinition, id: string, events: Iterable<Pick<RecordedEvent, 'type' | 'data' | 'metadata' | 'revision'>>): FoldedApplication {
  let [snapshot] = initialTransition(definition.machine) as [AnyMachineSnapshot, unknown];
  let revision = -1;
  for (const event of events) {
    [snapshot] = transition(definition.machine, snapshot, toMachineEvent(event)) as [AnyMachineSnapshot, unknown];
    revision = event.revision;
  }
  return { id, snapshot, state: flattenState(snapshot.value), revision, definition };
}

/** Applies newly decided events to a folded application (used to stamp the state after each). */
export function evolve(application: FoldedApplication, event: MachineEvent): FoldedApplication {
  const [snapshot] = transition(application.definition.machine, application.snapshot, event) as [AnyMachineSnapshot, unknown];
  return { ...application, snapshot, state: flattenState(snapshot.value), revision: application.revision + 1 };
}
