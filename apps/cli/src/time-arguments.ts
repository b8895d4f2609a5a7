import { InvalidArgumentError } from 'commander';
import { INSTANT_PROBLEMS, instantProblem, isExistingDate } from '@nws/reference-catalog';

/**
 * An instant on the command line, as the API takes one: ISO 8601, a real date and time, and its
 * offset. Without one, `2026-12-07T18:31` is read in the machine's time zone, so one command
 * answered differently on two machines; `2026-02-30` rolled over to March.
 */
export function instantWithOffset(value: string): string {
  const problem = instantProblem(value);
  if (problem !== undefined) throw new InvalidArgumentError(`${value}: ${INSTANT_PROBLEMS[problem].ja} / ${INSTANT_PROBLEMS[problem].en}`);
  return value;
}

/** A day on the calendar, YYYY-MM-DD, that exists: 2026-02-31 does not, and events keep what they are given for ever. */
export function calendarDate(value: string): string {
  if (!isExistingDate(value)) throw new InvalidArgumentError(`${value}: 実在する日付を YYYY-MM-DD で指定してください / must be a date that exists, YYYY-MM-DD`);
  return value;
}
