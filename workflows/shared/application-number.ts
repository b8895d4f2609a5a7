import { japanWallClock } from '@nws/reference-catalog';

/** What applicationNumberFor makes (the account request's with `AR-` before it). */
export const APPLICATION_NUMBER_PATTERN = /^(AR-)?\d{8}-\d{6}-[0-9A-F]{6}$/;

/**
 * 申請番号, assigned at the first submission and kept through every round: the day in Japan it was
 * first submitted (YYYYMMDD), the body's code, and the first six hex digits of the application id
 * (unique per body and day in practice, and the same on every replay: no counter, no clock read).
 * The day is Japan's whatever the server's zone: offices open at 08:30 JST, 23:30 UTC the day before.
 */
export function applicationNumberFor(submittedAt: string, organizationCode: string, applicationId: string, prefix = ''): string {
  const day = japanWallClock(submittedAt);
  if (day === undefined) throw new RangeError(`not an instant: ${submittedAt}`);
  return `${prefix}${day.slice(0, 10).replaceAll('-', '')}-${organizationCode}-${applicationId.replaceAll('-', '').slice(0, 6).toUpperCase()}`;
}
