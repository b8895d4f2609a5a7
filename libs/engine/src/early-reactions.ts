import { isDeepStrictEqual } from 'node:util';
import type { EventToAppend, RecordedEvent } from '@nws/event-store';
import { GatedEventStore, type TriggerGate } from './trigger-gate';
import type { FoldedApplication, ReactionContext } from './workflow-definition';

/**
 * A command's reactions start while its events are committed: they read and compute during the
 * fsync, and what they write, execute or read of the trigger's own stream waits behind the gate
 * (trigger-gate.ts), which the command opens once the events are stored exactly as given.
 */

/**
 * The command's events as a reaction sees them before the commit: as stamped, at the revisions
 * the append expects; `position` 0 and `recordedAt` the command's time (neither is known yet).
 */
export function provisionalEvents(streamId: string, lastRevision: number, appended: readonly EventToAppend[]): RecordedEvent[] {
  const first = lastRevision - appended.length + 1;
  return appended.map((event, index) => ({
    id: event.id,
    streamId,
    revision: first + index,
    position: 0,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: String(event.metadata['occurredAt']),
  }));
}

/** The reaction context of an early run: the store behind the gate, `execute` after it, and the application as the command folded it. */
export function gatedReactionContext(context: ReactionContext, gate: TriggerGate, streamId: string, after: FoldedApplication): ReactionContext {
  return {
    ...context,
    store: new GatedEventStore(context.store, gate, streamId),
    execute: async (id, action, payload, meta) => {
      await gate.stored;
      return context.execute(id, action, payload, meta);
    },
    load: async (id, toRevision) => (id === after.id && (toRevision === undefined || toRevision === after.revision) ? after : context.load(id, toRevision)),
  };
}

/** Whether the store holds exactly the events appended (ids, types, data, and the metadata stamped on them; stores may add their own). */
export function sameEvents(stored: readonly RecordedEvent[], appended: readonly EventToAppend[]): boolean {
  return (
    stored.length === appended.length &&
    appended.every((event, index) => {
      const found = stored[index]!;
      return (
        found.id === event.id &&
        found.type === event.type &&
        isDeepStrictEqual(found.data, event.data) &&
        Object.entries(event.metadata).every(([key, value]) => isDeepStrictEqual(found.metadata[key], value))
      );
    })
  );
}
