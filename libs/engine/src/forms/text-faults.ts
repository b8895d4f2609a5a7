import type { FieldViolation } from '../engine.types';

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * Control characters other than tab and line breaks (NUL, BEL, ESC, DEL, …) and the bidirectional
 * overrides and isolates, which make a name read backwards on screen (U+202E) while it is stored
 * forwards. None is text anyone types into a form or a comment; all reached the master data.
 */
const NOT_PLAIN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;

export type TextRule = 'wellFormedText' | 'plainText' | 'readerPlaceholder';

/**
 * What a reader sees instead of a value (personal-data's PLACEHOLDER, defined here so input can be
 * held to it): the same words in every response, export and replay.
 */
export const READER_PLACEHOLDERS = {
  /** The person's key was destroyed (消去). */
  erased: '［消去済み］',
  /** Use of the person's data is suspended (利用停止) and this view is a published one. */
  suspended: '［利用停止中］',
  /** The reader's role may not see this class of data (e.g. 緊急連絡先 outside the body and its reviewers). */
  withheld: '［非公開］',
  /** An auditor did not state a purpose (X-Access-Purpose). */
  purposeRequired: '［利用目的未指定］',
  /** Ciphertext whose key is unknown or fails authentication: the key store is not the one the events were written with. */
  unreadable: '［復号不可］',
} as const;

const PLACEHOLDER_WORDS: ReadonlySet<string> = new Set(Object.values(READER_PLACEHOLDERS).map((word) => word.normalize('NFKC')));

/**
 * A placeholder given as a value (a name of ［消去済み］, a view read back and saved again) is no
 * one's: stored, its row read as erased, and the person's phone and e-mail became data subjects of
 * their own, labelled with the number. Full- and half-width brackets alike.
 */
function isReaderPlaceholder(text: string): boolean {
  const trimmed = text.trim();
  return (trimmed.startsWith('［') || trimmed.startsWith('[')) && PLACEHOLDER_WORDS.has(trimmed.normalize('NFKC'));
}

/**
 * Characters nothing is seen of, for a regex character class (a `u` regex): Unicode's default
 * ignorable code points (zero-width ones, the soft hyphen, bidi marks, the Hangul fillers,
 * variation selectors, invisible operators, tags …) and the blank braille pattern U+2800. Text of
 * them alone is empty: a 氏名 of U+200E, U+3164 or U+2800 was saved, and became a data subject.
 */
export const ZERO_WIDTH_CHARACTERS = '\\p{Default_Ignorable_Code_Point}\\u2800';

/**
 * The same characters in the Basic Multilingual Plane, written out as \\u ranges: for the
 * published JSON Schemas, which clients validate with other regex engines (Python, Java) that know
 * neither `\\p{Default_Ignorable_Code_Point}` nor `\\u{…}`. The planes above (tags, variation
 * selectors supplement, musical and shorthand format controls) stay the server's check alone.
 */
export const INVISIBLE_BMP_CHARACTERS =
  '\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F\\u2800\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0\\uFFF0-\\uFFF8';

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
  if (NOT_PLAIN_TEXT.test(text)) return 'plainText';
  return isReaderPlaceholder(text) ? 'readerPlaceholder' : undefined;
}

export const isTextRule = (rule: string): rule is TextRule => rule === 'wellFormedText' || rule === 'plainText' || rule === 'readerPlaceholder';

export function textViolation(field: string, rule: TextRule): FieldViolation {
  if (rule === 'readerPlaceholder') {
    return {
      field,
      rule,
      message: {
        ja: `${field}: ［消去済み］・［非公開］などは、表示できない値の代わりに画面に出る文字で、値として登録できません。実際の値を入力するか、その行を削除してください。`,
        en: `${field}: ［消去済み］, ［非公開］ and the like stand in for values a reader may not see; they are not values: enter the real one, or remove the row`,
      },
    };
  }
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
