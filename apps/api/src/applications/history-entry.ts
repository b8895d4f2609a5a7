import type { RecordedEvent } from '@nws/event-store';

/** One event as auditors read it. */
export function historyEntry(event: RecordedEvent) {
  const meta = event.metadata as Record<string, unknown>;
  return {
    eventId: event.id,
    revision: event.revision,
    position: event.position,
    type: event.type,
    data: event.data,
    actor: meta['actor'],
    occurredAt: meta['occurredAt'],
    recordedAt: event.recordedAt,
    machineVersion: meta['machineVersion'],
    stateAfter: meta['state'],
    commandId: meta['commandId'],
    correlationId: meta['correlationId'],
    causationId: meta['causationId'],
  };
}
