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
