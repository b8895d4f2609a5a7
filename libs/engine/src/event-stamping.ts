import type { EventToAppend, RecordedEvent } from '@nws/event-store';
import { eventIdFor } from './command-ids';
import type { CommandMetadata, DecidedEvent, EventMetadata } from './engine.types';
import { evolve, toMachineEvent } from './fold';
import type { FoldedApplication } from './workflow-definition';
import type { RequestFingerprint } from './request-fingerprints';

/** Gives decided events their ids and metadata, checking the machine accepts each of them. */
export function stampDecided(start: FoldedApplication, decided: readonly DecidedEvent[], meta: CommandMetadata, fingerprint: RequestFingerprint | undefined): { events: EventToAppend[]; after: FoldedApplication } {
  let current = start;
  const events = decided.map((event, index): EventToAppend => {
    const id = eventIdFor(meta.commandId, index);
    const metadata: EventMetadata = {
      workflow: start.definition.name,
      machineVersion: start.definition.machineVersion,
      actor: { ...meta.actor },
      occurredAt: meta.now,
      commandId: meta.commandId,
      correlationId: meta.correlationId,
      causationId: meta.causationId ?? meta.commandId,
      ...(fingerprint === undefined ? {} : { requestHash: fingerprint.requestHash }),
      ...(fingerprint?.requestHashKey === undefined ? {} : { requestHashKey: fingerprint.requestHashKey }),
      state: '',
      waitingAt: null,
    };
    const machineEvent = toMachineEvent({ type: event.type, data: event.data, metadata });
    if (!current.snapshot.can(machineEvent)) {
      throw new Error(`${start.definition.name}: decided ${event.type} is not accepted in state ${current.state}`);
    }
    current = evolve(current, machineEvent);
    metadata.state = current.state;
    const waiting = start.definition.waitingAt(current);
    metadata.waitingAt = waiting ? { stage: waiting.stage, org: waiting.org } : null;
    return { id, type: event.type, data: event.data, metadata };
  });
  return { events, after: current };
}

/** The last revision a replayed command's events (`own`) caused, directly or through their reactions (causationId). */
export function lastCausedRevision(own: readonly RecordedEvent[], events: readonly RecordedEvent[]): number {
  const ids = new Set(own.map((e) => e.id));
  let last = own.at(-1)!.revision;
  for (const event of events) {
    if (ids.has(String(event.metadata['causationId']))) {
      ids.add(event.id);
      last = Math.max(last, event.revision);
    }
  }
  return last;
}
