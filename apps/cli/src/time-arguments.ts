import { InvalidArgumentError } from 'commander';
import { isInstantWithOffset } from '@nws/reference-catalog';

/**
 * An instant on the command line, as the API takes one: ISO 8601, a real date and time, and its
 * offset. Without one, `2026-12-07T18:31` is read in the machine's time zone, so one command
 * answered differently on two machines; `2026-02-30` rolled over to March.
 */
export function instantWithOffset(value: string): string {
  if (!isInstantWithOffset(value)) {
    throw new InvalidArgumentError(`${value}: 時差（Z または +09:00 など）を含む ISO 8601 の日時で指定してください / must be an ISO 8601 time with an offset (Z or +09:00)`);
  }
  return value;
}

/** A day on the calendar, YYYY-MM-DD, that exists: 2026-02-31 does not, and events keep what they are given for ever. */
export function calendarDate(value: string): string {
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
  if (!valid) throw new InvalidArgumentError(`${value}: 実在する日付を YYYY-MM-DD で指定してください / must be a date that exists, YYYY-MM-DD`);
  return value;
}
