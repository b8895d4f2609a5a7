import type { Json, RecordedEvent } from '@nws/event-store';
import { integrityOf } from '@nws/event-store';
import { japanWallClock } from '@nws/reference-catalog';

export const UTF8_BOM = '\uFEFF';

/** Columns of the CSV export: what a person reads in Excel, one event per row. */
export const CSV_COLUMNS = [
  'position',
  'stream_id',
  'revision',
  'type',
  'occurred_at',
  'occurred_at_jst',
  'recorded_at',
  'actor_sub',
  'actor_org',
  'actor_role',
  'actor_name',
  'actor_department',
  'state_after',
  'comment',
  'data_json',
  'event_id',
  'command_id',
  'correlation_id',
  'causation_id',
  'workflow',
  'machine_version',
  'hash',
  'prev_hash',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * A text cell starting with = + - @ or a control character is prefixed with ' so Excel shows it
 * instead of evaluating it as a formula (CSV injection); the JSON Lines export stays verbatim.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(values: ReadonlyArray<string | number | null | undefined>): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

const str = (value: Json | undefined): string | null => (value === undefined || value === null ? null : typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The moment in Japan as Excel reads a date and time (2026/12/07 13:26:10): the ISO columns stay
 * for machines, in UTC, and a reviewer in Japan should not have to add nine hours in their head.
 */
export function japanTime(value: Json | undefined): string | null {
  const wallClock = typeof value === 'string' ? japanWallClock(value) : undefined;
  return wallClock === undefined ? null : `${wallClock.slice(0, 10).replaceAll('-', '/')} ${wallClock.slice(11, 19)}`;
}

export function csvRow(event: RecordedEvent): string {
  const meta = event.metadata;
  const actor = meta['actor'] && typeof meta['actor'] === 'object' && !Array.isArray(meta['actor']) ? meta['actor'] : {};
  const integrity = integrityOf(event);
  return csvLine([
    event.position,
    event.streamId,
    event.revision,
    event.type,
    str(meta['occurredAt']),
    japanTime(meta['occurredAt']),
    event.recordedAt,
    str(actor['sub']),
    str(actor['org']),
    str(actor['role']),
    str(actor['name']),
    str(actor['department']),
    str(meta['state']),
    str(event.data['comment']),
    JSON.stringify(event.data),
    event.id,
    str(meta['commandId']),
    str(meta['correlationId']),
    str(meta['causationId']),
    str(meta['workflow']),
    str(meta['machineVersion']),
    integrity?.hash ?? null,
    integrity?.prevHash ?? null,
  ]);
}
