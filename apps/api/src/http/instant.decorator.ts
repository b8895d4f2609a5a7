import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';
import { localized } from '@nws/engine';
import { INSTANT_PROBLEMS, instantProblem, isInstantWithOffset } from '@nws/reference-catalog';

/**
 * An ISO 8601 instant with its offset. Without one, `2026-12-05T09:00` is 09:00 in which zone? The
 * server's, the client's and JST differ by hours, so such a bound is refused rather than guessed.
 * One rule, so a bad value gets one message that says what is wanted.
 */
export const IsInstantWithOffset = () =>
  ValidateBy({
    name: 'isInstantWithOffset',
    validator: {
      validate: (value: unknown) => isInstantWithOffset(value),
      // A day that does not exist is said as such: its offset is there, and asking for one misleads.
      defaultMessage: (args) => {
        const { ja, en } = INSTANT_PROBLEMS[instantProblem(args?.value) ?? 'not-an-instant'];
        return localized(`${ja}。`, en);
      },
    },
  });

/**
 * In a query string `+` stands for a space (form encoding), so `?asOf=2026-12-05T09:00+09:00`
 * typed as the README writes it arrives as `2026-12-05T09:00 09:00`, and was refused as having no
 * offset. A space where the offset's sign goes can only have been a `+`: it is read as one.
 */
export const PlusOffsetInQuery = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/^(\d{4}-\d{2}-\d{2}T[\d:.]+) (\d{2}(?::?\d{2})?)$/, '$1+$2') : value));

/**
 * The end of a time range, not before its start: a range from December back to January would
 * answer an empty page, as if nothing had happened in it.
 */
export const IsNotBefore = (start: string) =>
  ValidateBy({
    name: 'isNotBefore',
    constraints: [start],
    validator: {
      validate: (value: unknown, args) => {
        const from = (args?.object as Record<string, unknown> | undefined)?.[start];
        // Either bound that is not an instant is refused by its own rule.
        if (typeof value !== 'string' || typeof from !== 'string') return true;
        const [end, begin] = [Date.parse(value), Date.parse(from)];
        return Number.isNaN(end) || Number.isNaN(begin) || end >= begin;
      },
      defaultMessage: () => localized(`${start} より前の日時は指定できません。`, `must not be before ${start}`),
    },
  });
