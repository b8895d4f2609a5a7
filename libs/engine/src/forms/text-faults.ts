import type { FieldViolation } from '../engine.types';

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * Control characters other than tab and line breaks (NUL, BEL, ESC, DEL, …) and the bidirectional
 * overrides and isolates, which make a name read backwards on screen (U+202E) while it is stored
 * forwards. None is text anyone types into a form or a comment; all reached the master data.
 */
const NOT_PLAIN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;

export type TextRule = 'wellFormedText' | 'plainText';

/** Characters that take no width (U+200B–U+200D, U+2060, U+FEFF), for a regex character class: text of them alone is empty. */
export const ZERO_WIDTH_CHARACTERS = '\\u200B-\\u200D\\u2060\\uFEFF';

/**
 * Whether a string is text: JSON may carry an unpaired surrogate (`"\ud800"`), which is no
 * character, cannot be stored as UTF-8, and makes validators that encode their input
 * (validator's isEmail → encodeURI) throw instead of answering.
 */
export function hasUnpairedSurrogate(text: string): boolean {
  return UNPAIRED_SURROGATE.test(text);
}

/** The rule a string breaks as text, if any. */
export function textFault(text: string): TextRule | undefined {
  if (UNPAIRED_SURROGATE.test(text)) return 'wellFormedText';
  return NOT_PLAIN_TEXT.test(text) ? 'plainText' : undefined;
}

export const isTextRule = (rule: string): rule is TextRule => rule === 'wellFormedText' || rule === 'plainText';

export function textViolation(field: string, rule: TextRule): FieldViolation {
  return rule === 'wellFormedText'
    ? { field, rule, message: { ja: `${field}: 文字として扱えない値（対になっていないサロゲート）が含まれています。`, en: `${field}: contains an unpaired surrogate, which is not text` } }
    : {
        field,
        rule,
        message: {
          ja: `${field}: 制御文字（NUL など）や書字方向を変える文字（U+202E など）は使えません。`,
          en: `${field}: must not hold control characters (NUL, …) or bidirectional overrides (U+202E, …)`,
        },
      };
}

export function unpairedSurrogateViolation(field: string): FieldViolation {
  return textViolation(field, 'wellFormedText');
}

/**
 * A form's value as stored holds no null: its schema says string, number or array, and a client's
 * `null` means "no value" (`@IsOptional` counts it as absent, and a form's own 申請区分 sent as null
 * is filled from the application), so the field is left out instead of being stored as null where
 * the schema promises a string. Array items are kept as validated.
 */
export function withoutNulls<T>(value: T): T {
  // Forms are saved on every request of the HTTP line: most hold no null, and are not copied.
  return holdsNullProperty(value) ? copyWithoutNulls(value) : value;
}

function holdsNullProperty(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsNullProperty);
  if (value === null || typeof value !== 'object') return false;
  for (const item of Object.values(value as Record<string, unknown>)) if (item === null || holdsNullProperty(item)) return true;
  return false;
}

function copyWithoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => copyWithoutNulls(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) if (item !== null) out[key] = copyWithoutNulls(item);
  return out as T;
}
