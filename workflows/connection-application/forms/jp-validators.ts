import { IsEmail, ValidateBy, isEmail, type ValidationOptions } from 'class-validator';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { LruMap, localized, type JsonObject } from '@nws/engine';
import { expandPattern, getAt, withValueAt } from '../../../libs/personal-data/src/json-path';

export type PhoneKind = 'fixed' | 'mobile' | 'any';

/**
 * What people put between a phone number's digits: spaces, brackets, dots and every dash a
 * Japanese keyboard, IME or spreadsheet produces — the minus sign U+2212 (what IMEs and Excel
 * often make of a hyphen), en and em dashes, the horizontal bar, the long-vowel marks ー and ｰ.
 */
const PHONE_SEPARATORS = /[\s\-‐‑‒–—―−－﹣ーｰ()（）.．]/g;

/**
 * Digits only: what we store; display formatting is done on the way out. Full-width digits are
 * digits, and a number written internationally (+81 42-620-7200, +81 (0)42…) is the domestic one.
 */
export function phoneDigits(value: string): string {
  const compact = value.replace(/[０-９＋]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(PHONE_SEPARATORS, '');
  return compact.startsWith('+81') ? `0${compact.slice(3).replace(/^0/, '')}` : compact;
}

/**
 * Types already looked up, by digits (null: not a valid number). A body saves its forms again and
 * again while it drafts, with the same numbers, and one lookup in the full metadata was ~10 % of
 * the engine's time per form save; the answer for given digits never changes. Bounded, in memory
 * only, and it holds no name: nothing reads it but this check.
 */
const phoneTypes = new LruMap<string, string | null>(10_000);

/** Japanese phone number check with libphonenumber-js (full metadata): fixed 10 digits, mobile 060/070/080/090 11 digits, … */
export function japanesePhoneType(value: string): string | undefined {
  const digits = phoneDigits(value);
  if (!/^0\d{9,10}$/.test(digits)) return undefined;
  let type = phoneTypes.get(digits);
  if (type === undefined) {
    type = lookUpPhoneType(digits) ?? null;
    phoneTypes.set(digits, type);
  }
  return type ?? undefined;
}

function lookUpPhoneType(digits: string): string | undefined {
  try {
    // With the full ('max') metadata a number is valid exactly when it has a type (isValid() is
    // getType() !== undefined there), so one type lookup answers both: it was half the check's cost.
    return parsePhoneNumberWithError(digits, 'JP').getType();
  } catch {
    return undefined;
  }
}

/** Display forms already worked out, by digits: formatting looks the number up in the same full metadata. */
const phoneDisplays = new LruMap<string, string>(10_000);

/**
 * Stored digits as people read them (`0426207200` → `042-620-7200`, `09012345678` →
 * `090-1234-5678`, by the area code's real length). Anything that is not a stored number (a
 * placeholder such as ［消去済み］, a value of an older shape) is answered unchanged.
 */
export function formatJapanesePhone(digits: string): string {
  if (!/^0\d{9,10}$/.test(digits)) return digits;
  let shown = phoneDisplays.get(digits);
  if (shown === undefined) {
    try {
      shown = parsePhoneNumberWithError(digits, 'JP').formatNational();
    } catch {
      shown = digits;
    }
    phoneDisplays.set(digits, shown);
  }
  return shown;
}

/**
 * A stored form with the phone numbers at the given fields (`normalContacts[].phone`, the
 * notation of `personalFields`) formatted for display; the form itself when none changes.
 */
export function displayPhones(stored: JsonObject, fields: readonly string[]): JsonObject {
  // Copied along the changed paths only, as every view shares what it does not change with the
  // folded state (a structuredClone of the form was ~4 % of an in-process command's CPU).
  let shownForm = stored;
  for (const field of fields) {
    for (const path of expandPattern(stored, field)) {
      const value = getAt(stored, path);
      if (typeof value !== 'string') continue;
      const shown = formatJapanesePhone(value);
      if (shown !== value) shownForm = withValueAt(shownForm, path, shown);
    }
  }
  return shownForm;
}

export function IsJapanesePhoneNumber(kind: PhoneKind, options?: ValidationOptions): PropertyDecorator {
  const messages: Record<PhoneKind, string> = {
    fixed: localized('直通の固定電話番号（市外局番から10桁）を入力してください。', 'must be a direct fixed-line number (10 digits with area code)'),
    mobile: localized('携帯電話番号（060/070/080/090で始まる11桁）を入力してください。', 'must be a mobile number (11 digits starting 060/070/080/090)'),
    any: localized('有効な日本の電話番号を入力してください。', 'must be a valid Japanese phone number'),
  };
  return ValidateBy(
    {
      name: 'jpPhoneNumber',
      constraints: [kind],
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const type = japanesePhoneType(value);
          if (!type) return false;
          if (kind === 'mobile') return type === 'MOBILE';
          if (kind === 'fixed') return type === 'FIXED_LINE' || type === 'FIXED_LINE_OR_MOBILE';
          return true;
        },
        defaultMessage: () => messages[kind],
      },
    },
    options,
  );
}

/**
 * validator's isEmail as contact addresses are: a domain with its TLD, no IP address, no display
 * name. A local part outside ASCII is an address still, said by `asciiEmail` below.
 */
const CONTACT_EMAIL = { require_tld: true, allow_ip_domain: false, allow_display_name: false } as const;

/**
 * WHATWG HTML's "valid e-mail address": an ASCII local part and letter-digit-hyphen labels. What
 * isEmail still takes beyond it — a quoted local part ("a b"@…), a domain in kanji — was stored as
 * typed and published in master data, for every downstream system to send to.
 */
const WHATWG_EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/**
 * A contact's e-mail address (DOMAIN, reference/contact-validation-notes.md: WHATWG, ASCII local
 * part; any domain, *.lg.jp included). `isEmail` (format: email in the schemas) says what is not an
 * address at all; `asciiEmail` what is one but not in ASCII (ｒｅｎｋｅｉ@…, れんけい@…, "a b"@…): one
 * message either way.
 */
export function IsContactEmail(options?: ValidationOptions): PropertyDecorator {
  const email = IsEmail(CONTACT_EMAIL, options);
  const ascii = ValidateBy(
    {
      name: 'asciiEmail',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !isEmail(value, CONTACT_EMAIL) || WHATWG_EMAIL.test(value),
        defaultMessage: () =>
          localized(
            '半角英数字のメールアドレスを入力してください（@の前は英数字と . ! # $ % & \' * + / = ? ^ _ ` { | } ~ -、@の後は英数字とハイフンのドメイン。全角文字・引用符は使えません）。',
            "must be an e-mail address in ASCII: letters, digits and . ! # $ % & ' * + / = ? ^ _ ` { | } ~ - before the @, a domain of letters, digits and hyphens after it (no full-width characters, no quotes)",
          ),
      },
    },
    options,
  );
  return (target, property) => {
    email(target, property);
    ascii(target, property);
  };
}

/** 西暦 YYYY/MM/DD (as on the paper forms) and a real calendar date. */
export function IsSeirekiDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'seirekiDate',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const match = /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(value);
          if (!match) return false;
          const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
          const date = new Date(Date.UTC(y, m - 1, d));
          return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
        },
        defaultMessage: () => localized('西暦 YYYY/MM/DD の実在する日付で入力してください。', 'must be a real date written YYYY/MM/DD (Western calendar)'),
      },
    },
    options,
  );
}

/** Priorities 1..n, each once: contacts are listed in priority order. */
export function IsPriorityOrder(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'priorityOrder',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) && value.every((item, i) => typeof item === 'object' && item !== null && (item as { priority?: unknown }).priority === i + 1),
        defaultMessage: () => localized('優先順位は 1 から順に重複なく並べてください。', 'must be listed in priority order 1, 2, 3, … without gaps or repeats'),
      },
    },
    options,
  );
}
