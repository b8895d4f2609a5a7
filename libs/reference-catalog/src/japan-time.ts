import { isISO8601 } from 'class-validator';

/** Japan Standard Time: UTC+9 all year (no daylight saving). */
const JST_OFFSET_MS = 9 * 3_600_000;

/**
 * The wall clock in Japan at an instant, as ISO 8601 without an offset (`2026-12-07T13:26:10.117`).
 * The forms' dates (申請年月日), the day a connection ended and the times people read are days and
 * times in Japan, whatever the server's time zone; undefined for what is not an instant.
 */
export function japanWallClock(instant: string | number): string | undefined {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms + JST_OFFSET_MS).toISOString().slice(0, 23);
}

const WITH_OFFSET = /T.*(Z|[+-]\d{2}:?\d{2})$/;

/**
 * An instant as people give one to the API and the CLI: ISO 8601, a real date and time, with its
 * offset. Without one, `2026-12-05T09:00` is 09:00 in whichever zone reads it (the server's, the
 * client's and Japan's differ by hours), so it is refused rather than guessed.
 */
export function isInstantWithOffset(value: unknown): value is string {
  return typeof value === 'string' && isISO8601(value, { strict: true }) && WITH_OFFSET.test(value) && !Number.isNaN(Date.parse(value));
}

/** A day on the calendar written YYYY-MM-DD that exists: 2026-02-30 does not (Date rolls it over to March). */
export function isExistingDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(value);
}

/**
 * Why a value is not an instant with its offset, so the refusal says what is wrong: a time written
 * as wanted, offset included, on a day that does not exist (2026-02-30T00:00:00Z) was told to add
 * the offset it had. Undefined for an instant.
 */
export function instantProblem(value: unknown): InstantProblem | undefined {
  if (isInstantWithOffset(value)) return undefined;
  const date = typeof value === 'string' ? /^(\d{4}-\d{2}-\d{2})T/.exec(value)?.[1] : undefined;
  // The same time on a day that exists would be taken: only the day is wrong.
  if (date !== undefined && !isExistingDate(date) && isInstantWithOffset(`2000-01-01${(value as string).slice(date.length)}`)) return 'no-such-date';
  return 'not-an-instant';
}

export type InstantProblem = 'not-an-instant' | 'no-such-date';

/** What the API and the CLI say of each problem (the API adds its full stop to the Japanese). */
export const INSTANT_PROBLEMS: Readonly<Record<InstantProblem, { readonly ja: string; readonly en: string }>> = {
  'not-an-instant': { ja: '時差（Z または +09:00 など）を含む ISO 8601 の日時で指定してください', en: 'must be an ISO 8601 time with an offset (Z or +09:00)' },
  'no-such-date': { ja: '実在する日付で指定してください（その日付はありません）', en: 'must be a date that exists (there is no such day)' },
};
