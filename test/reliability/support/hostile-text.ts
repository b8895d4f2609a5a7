import fc from 'fast-check';

/**
 * Hostile text for the fuzzing scenario (issue #9): injection, unicode edge cases, traversal,
 * invalid dates, over-long strings, and path segments that are not valid percent-encoding.
 */

export type HostileKind =
  | 'malformed-json'
  | 'wrong-types'
  | 'huge-strings'
  | 'unicode'
  | 'path-traversal'
  | 'injection'
  | 'invalid-lg-code'
  | 'invalid-date'
  | 'unknown-fields'
  | 'missing-fields'
  | 'headers'
  | 'tokens'
  | 'query-strings'
  | 'wrong-state-or-caller'
  | 'methods';

// ---------------------------------------------------------------- hostile text

export const INJECTION = [
  "' OR '1'='1",
  "1; DROP TABLE events; --",
  "'); DELETE FROM events WHERE ('1'='1",
  '" OR ""="',
  "' UNION SELECT sqlite_version(), NULL --",
  "'; ATTACH DATABASE '/tmp/pwn.sqlite' AS pwn; --",
  'SELECT * FROM events',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(document.cookie)',
  '{{7*7}}',
  '${7*7}',
  '#{7*7}',
  '<%= 7*7 %>',
  '$(reboot)',
  '`id`',
  '| cat /etc/passwd',
  '__proto__',
  'constructor',
  'prototype',
  '{"$where": "sleep(1000)"}',
  '{"$gt": ""}',
  '\\u0000',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '%s%s%s%n',
  '\r\nSet-Cookie: pwned=1',
] as const;

export const UNICODE_EDGE = [
  '\uD800',
  '\uDFFF',
  '\uD83D',
  'a\uDC00b',
  '\uFEFF',
  '\u200B',
  '\u200D',
  '\u202E',
  '\u2028',
  'e\u0301',
  'が'.normalize('NFD'),
  'ｶﾞ',
  '\uFFFD',
  '\uFFFF',
  '\uFFFE',
  '\u0000',
  '\u0007',
  '\u001B[31m',
  '𠮷野家',
  '👨‍👩‍👧‍👦',
  '１３２０１２',
  '１３２０１2',
  '\u3000',
  'İ',
  'ß',
  '\u{10FFFF}',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
] as const;

export const TRAVERSAL = [
  '..',
  '../',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '....//....//etc/passwd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%252e%252e%252f',
  '..%00/',
  '%c0%ae%c0%ae/',
  '/etc/passwd',
  'C:\\Windows\\System32\\config',
  '\\\\server\\share',
  'file:///etc/passwd',
  '..;/',
  '.',
  './././',
  '~',
  '~root',
] as const;

/** Not a real 西暦 YYYY/MM/DD date, every one of them. */
export const INVALID_SEIREKI_DATES = [
  '2026/02/30',
  '2026/13/01',
  '2026/00/10',
  '2026/11/31',
  '2025/02/29',
  '2100/02/29',
  '0000/00/00',
  '2026-11-20',
  '2026/1/1',
  '26/11/20',
  '令和8年11月20日',
  '2026/11/20 10:00',
  '2026/11/20T00:00:00Z',
  '20261120',
  '2026/11/2O',
  '２０２６/１１/２０',
  '99999/01/01',
  '-2026/11/20',
  '',
  ' 2026/11/20',
  '2026/11/20\n',
  'Invalid Date',
  'NaN/NaN/NaN',
] as const;

/** Not an ISO 8601 time with an offset, or not a real one. */
export const INVALID_ISO_TIMES = [
  '2026-13-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-01-01T25:00:00Z',
  '2026-01-01T00:60:00Z',
  '2026-01-01T00:00:00',
  '2026-01-01',
  '2026/01/01T00:00:00Z',
  'yesterday',
  '0',
  '1e999',
  '2026-01-01T00:00:00+25:00',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-19T23:59:59.999Z',
  '2026-01-01T00:00:00Z\u0000',
  'Ｔ',
] as const;

const repeatTo = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

/** Longer than any string field of the API accepts (the longest, a comment, takes 2,000). */
export const overLongText = fc
  .tuple(fc.constantFrom('A', 'あ', '𠮷', '"', '\\', '\u0000', "'; DROP TABLE events; --"), fc.constantFrom(2001, 5000, 60_000))
  .map(([unit, length]) => repeatTo(unit, length));

/** A body over the 256 kB limit (413). */
export const overLimitText = fc.constantFrom('A', 'あ', '{').map((unit) => repeatTo(unit, 270_000));

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...INJECTION),
  fc.constantFrom(...UNICODE_EDGE),
  fc.constantFrom(...TRAVERSAL),
  fc.constantFrom(...INVALID_SEIREKI_DATES),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  overLongText,
);

/** Which of the listed classes a hostile text belongs to (for the figures). */
export function kindOfText(text: string): HostileKind {
  if ((INJECTION as readonly string[]).includes(text)) return 'injection';
  if ((TRAVERSAL as readonly string[]).includes(text)) return 'path-traversal';
  if ((INVALID_SEIREKI_DATES as readonly string[]).includes(text) || (INVALID_ISO_TIMES as readonly string[]).includes(text)) return 'invalid-date';
  if (text.length > 2000) return 'huge-strings';
  return 'unicode';
}

// ---------------------------------------------------------------- encoding

/** Percent-encodes every byte outside the unreserved set; lone surrogates become U+FFFD as UTF-8. */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Raw path segments that are not valid percent-encoding or not valid UTF-8 once decoded. */
const MALFORMED_SEGMENTS = ['%', '%E3%81', '%ZZ', '%C0%AE', '%FF%FE', '%ED%A0%80', '%00', '%2F', '..%2F..%2F', '%u0041', 'ab%', '%%'] as const;

/**
 * Node's HTTP parser refuses a request line or headers over 16 kB (431, before the
 * API sees anything), so encoded segments and query values stay well below that.
 */
export const MAX_ENCODED_SEGMENT = 6000;
export const MAX_ENCODED_QUERY_VALUE = 2500;

export const hostileSegment: fc.Arbitrary<{ segment: string; kind: HostileKind }> = fc.oneof(
  hostileText.map((t) => ({ segment: percentEncode(t), kind: kindOfText(t) })).filter(({ segment }) => segment.length <= MAX_ENCODED_SEGMENT),
  fc.constantFrom(...TRAVERSAL).map((t) => ({ segment: t.replace(/\\/g, '%5C').replace(/ /g, '%20'), kind: 'path-traversal' as const })),
  fc.constantFrom(...MALFORMED_SEGMENTS).map((segment) => ({ segment, kind: 'unicode' as const })),
  fc.uuid().map((segment) => ({ segment, kind: 'path-traversal' as const })),
);

// ---------------------------------------------------------------- JSON values
