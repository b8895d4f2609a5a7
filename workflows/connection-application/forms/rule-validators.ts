import { ValidateBy, type ValidationOptions } from 'class-validator';
import { localized } from '@nws/engine';

export type Message = readonly [ja: string, en: string];

/**
 * A rule that reads other fields of the same object (class-validator has no cross-field rules):
 * the violation is reported on the decorated field, with a message in both languages that may
 * depend on the values (e.g. naming the row).
 */
export function Satisfies<T extends object>(
  name: string,
  test: (value: unknown, object: T) => boolean,
  message: Message | ((value: unknown, object: T) => Message),
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value, args) => test(value, args?.object as T),
        defaultMessage: (args) => {
          const [ja, en] = typeof message === 'function' ? message(args?.value, args?.object as T) : message;
          return localized(ja, en);
        },
      },
    },
    options,
  );
}

/** A checkbox the applicant must tick (true, not merely present). */
export function IsChecked(message: Message, options?: ValidationOptions): PropertyDecorator {
  return Satisfies('isChecked', (value) => value === true, message, options);
}

/** A field the applicant must leave blank (filled by the operator). */
export function IsLeftEmpty(message: Message, options?: ValidationOptions): PropertyDecorator {
  return Satisfies('isLeftEmpty', (value) => value === undefined || value === null || value === '', message, options);
}

/**
 * A key built of text fields, or undefined when one is not text: a row whose 項番 is `{}` is its
 * own rules' to refuse, not a duplicate of another such row named "[object Object]".
 */
export function textKey(...parts: readonly unknown[]): string | undefined {
  return parts.every((part): part is string => typeof part === 'string') ? parts.join('\u0000') : undefined;
}

/** No two entries of an array share a key (e.g. the same 項番 twice). Entries without a key (not text, not well-formed) are left to their own rules. */
export function IsUniqueBy<T>(key: (item: T) => string | undefined, what: Message, options?: ValidationOptions): PropertyDecorator {
  const keysOf = (value: unknown): string[] =>
    Array.isArray(value)
      ? (value as unknown[]).flatMap((item) => {
          const k = typeof item === 'string' ? item : typeof item === 'object' && item !== null && !Array.isArray(item) ? key(item as T) : undefined;
          return k === undefined ? [] : [k];
        })
      : [];
  return Satisfies(
    'uniqueBy',
    (value) => {
      const keys = keysOf(value);
      return new Set(keys).size === keys.length;
    },
    (value) => {
      const keys = keysOf(value);
      // Keys joined with NUL for comparison are shown with a separator a reader sees.
      const repeated = [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))].map((k) => k.replaceAll('\u0000', ' / ')).join(', ');
      return [`${what[0]}が重複しています（${repeated}）。`, `lists the same ${what[1]} more than once (${repeated})`];
    },
    options,
  );
}

export const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;
