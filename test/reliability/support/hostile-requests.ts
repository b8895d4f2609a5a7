import fc from 'fast-check';
import { ORGANIZATION_KINDS } from '@nws/workflows/shared/organizations';

/**
 * fast-check arbitraries for hostile HTTP requests (issue #9): malformed JSON, wrong types, huge
 * strings, unicode edge cases, path traversal in ids, SQL/script injection text, invalid
 * local-government codes, invalid dates, unknown fields, hostile headers and tokens, odd query
 * strings — against the API's real routes and fixtures in every state.
 *
 * Every write a generator marks `mustRefuse` is invalid by construction, for a reason that does
 * not depend on the API's own validators (a wrong type where the published form has a string, a
 * code that is not the caller's body, an application in a state that offers nothing, a stale
 * If-Match, …): the API has to refuse it with a 4xx and store nothing. Reads may answer 2xx.
 */

export type TokenName =
  | 'applicant'
  | 'otherApplicant'
  | 'prefectureReviewer'
  | 'micReviewer'
  | 'auditor'
  | 'distributor'
  | 'oddButValid'
  | 'none'
  | 'malformed'
  | 'forged'
  | 'expired'
  | 'algNone'
  | 'wrongAudience'
  | 'badClaims';

/** Tokens that fail authentication (401 whatever the route). */
const UNAUTHENTIC: readonly TokenName[] = ['none', 'malformed', 'forged', 'expired', 'algNone', 'wrongAudience', 'badClaims'];

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

export interface HostileRequest {
  readonly kind: HostileKind;
  readonly route: string;
  readonly method: string;
  /** The raw request target, percent-encoded where Node's client requires it. */
  readonly path: string;
  readonly token: TokenName;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly mustRefuse: boolean;
}

export interface FuzzFixtures {
  /** Applications of 八王子市 (the applicant's body) in each state. */
  readonly apps: {
    readonly draft: string;
    readonly firstReview: string;
    readonly secondReview: string;
    readonly registered: string;
    readonly withdrawn: string;
    readonly rejected: string;
  };
  readonly revisions: Readonly<Record<string, number>>;
  readonly create: Readonly<Record<string, unknown>>;
  readonly forms: ReadonlyArray<{ readonly code: string; readonly example: unknown }>;
  /** Every form code the workflow knows, and every workflow name: a hostile one is none of these. */
  readonly formCodes: readonly string[];
  readonly workflows: readonly string[];
  readonly actions: readonly string[];
}

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
 * Node's HTTP server answers a request line or headers over 16 kB itself (a bare 431, before the
 * API sees anything), so encoded segments and query values stay well below that.
 */
const MAX_ENCODED_SEGMENT = 6000;
const MAX_ENCODED_QUERY_VALUE = 2500;

const hostileSegment: fc.Arbitrary<{ segment: string; kind: HostileKind }> = fc.oneof(
  hostileText.map((t) => ({ segment: percentEncode(t), kind: kindOfText(t) })).filter(({ segment }) => segment.length <= MAX_ENCODED_SEGMENT),
  fc.constantFrom(...TRAVERSAL).map((t) => ({ segment: t.replace(/\\/g, '%5C').replace(/ /g, '%20'), kind: 'path-traversal' as const })),
  fc.constantFrom(...MALFORMED_SEGMENTS).map((segment) => ({ segment, kind: 'unicode' as const })),
  fc.uuid().map((segment) => ({ segment, kind: 'path-traversal' as const })),
);

// ---------------------------------------------------------------- JSON values

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const jsonType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** A value of another JSON type than `original` (never null: optional fields take null). */
function otherType(original: unknown): fc.Arbitrary<Json> {
  return fc
    .oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant([] as Json[]),
      fc.array(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 3 }),
      fc.constant({} as Json),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string({ maxLength: 5 }), { minKeys: 1, maxKeys: 2 }),
      hostileText,
    )
    .filter((value) => jsonType(value) !== jsonType(original));
}

/** Malformed JSON text (never parses). */
export const malformedJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '{',
    '{"workflow": "connection-application",}',
    "{'workflow': 'connection-application'}",
    '{"a": NaN}',
    '{"a": undefined}',
    '{"a": 01}',
    '{"a": "\\x41"}',
    '{"a": "unterminated}',
    '{"a" "b"}',
    '[1, 2',
    '{"a": 1}}',
    '\u0000',
    '\uFEFF{"a":1}x',
    '{"__proto__": }',
    '/* comment */ {}',
    '{"a": 1} {"b": 2}',
    '<xml/>',
    'workflow=connection-application',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).filter((s) => !parses(s)),
  fc.nat({ max: 50 }).map((cut) => JSON.stringify({ workflow: 'connection-application', organizationCode: '132012', category: '登録' }).slice(0, cut)),
  // Deep nesting: parses only when the parser copes, and a nested value is never a valid field.
  fc.constantFrom(1000, 20_000, 100_000).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth - 1)}`),
);

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A JSON body that is not an object: the API takes objects only. */
const nonObjectBody = fc.oneof(
  fc.constantFrom('null', 'true', '0', '"x"', '[]', '[{}]', '""', '-1e999'),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }).map((value) => JSON.stringify(value)),
  fc.constantFrom(100, 10_000, 100_000).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.constantFrom(100, 5000).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`.replace(/^\{"a":/, '[{"a":').concat(']')),
);

// ---------------------------------------------------------------- mutations of valid forms

interface Node {
  readonly path: ReadonlyArray<string | number>;
  readonly value: unknown;
  readonly key: string | number | undefined;
}

function nodesOf(value: unknown, path: Array<string | number> = []): Node[] {
  const here: Node = { path, value, key: path.at(-1) };
  if (Array.isArray(value)) return [here, ...value.flatMap((item, i) => nodesOf(item, [...path, i]))];
  if (value !== null && typeof value === 'object') return [here, ...Object.entries(value).flatMap(([k, v]) => nodesOf(v, [...path, k]))];
  return [here];
}

function setAt(root: unknown, path: ReadonlyArray<string | number>, update: (parent: any, key: string | number) => void): unknown {
  const copy = JSON.parse(JSON.stringify(root)) as unknown;
  let parent: any = copy;
  for (const step of path.slice(0, -1)) parent = parent[step];
  update(parent, path.at(-1)!);
  return copy;
}

/** Fields the forms may omit (or, for `note`, only check when a check item failed). */
const OPTIONAL_FIELDS = new Set(['phone', 'email', 'remarks', 'note', 'organizationKind']);
/** Validated by a rule a hostile text cannot meet (a real date, a Japanese phone number, an e-mail address, a fixed list). */
const DATE_FIELD = /Date$/;
const PHONE_FIELD = new Set(['phone', 'mobile']);

function allKeys(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => allKeys(v, into));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      allKeys(v, into);
    }
  }
  return into;
}

/** Field names that are never a field of a form (or of anything else the API takes). */
function unknownKey(known: ReadonlySet<string>): fc.Arbitrary<string> {
  return fc
    .oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '$where', '__defineGetter__', 'isAdmin', ''), fc.string({ minLength: 1, maxLength: 20 }), hostileText.filter((t) => t.length < 100))
    .filter((key) => !known.has(key) && !OPTIONAL_FIELDS.has(key));
}

/** Adds a key as an own property, `__proto__` included (JSON.parse makes it an own property). */
function withExtraKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

/**
 * One invalid-by-construction mutation of a valid form example: a wrong JSON type anywhere, an
 * unknown field at any level, a required field removed, a hostile text where a date, a phone
 * number, an e-mail or a listed value is expected, an over-long text in any text field, an
 * invalid date in a date field.
 */
export function invalidForm(example: unknown, enumValues: ReadonlySet<string>): fc.Arbitrary<{ body: unknown; kind: HostileKind }> {
  const nodes = nodesOf(example);
  const inner = nodes.filter((n) => n.path.length > 0 && n.key !== 'note');
  const objects = nodes.filter((n) => jsonType(n.value) === 'object');
  const removable = inner.filter((n) => typeof n.key === 'string' && !OPTIONAL_FIELDS.has(n.key));
  const textLeaves = inner.filter((n) => typeof n.value === 'string');
  const ruled = textLeaves.filter((n) => typeof n.key === 'string' && (DATE_FIELD.test(n.key) || PHONE_FIELD.has(n.key) || n.key === 'email' || enumValues.has(n.value as string)));
  const dates = textLeaves.filter((n) => typeof n.key === 'string' && DATE_FIELD.test(n.key));
  const known = allKeys(example);
  const pick = <T>(items: readonly T[]) => fc.nat({ max: items.length - 1 }).map((i) => items[i]!);
  return fc.oneof(
    pick(inner).chain((node) => otherType(node.value).map((value) => ({ body: setAt(example, node.path, (p, k) => (p[k] = value)), kind: 'wrong-types' as const }))),
    fc.tuple(pick(objects), unknownKey(known), fc.jsonValue({ maxDepth: 1 })).map(([node, key, value]) => ({
      body: node.path.length === 0 ? addKey(example, key, value) : setAt(example, node.path, (p, k) => (p[k] = addKey(p[k], key, value))),
      kind: 'unknown-fields' as const,
    })),
    pick(removable).map((node) => ({ body: setAt(example, node.path, (p, k) => delete p[k]), kind: 'missing-fields' as const })),
    fc
      .tuple(pick(ruled), hostileText.filter((t) => !enumValues.has(t) && !t.includes('@') && !/^[\s\d０-９\-‐－ー()（）+]*$/.test(t) && !/^\d{4}\/\d{2}\/\d{2}$/.test(t)))
      .map(([node, text]) => ({ body: setAt(example, node.path, (p, k) => (p[k] = text)), kind: kindOfText(text) })),
    fc.tuple(pick(textLeaves), overLongText).map(([node, text]) => ({ body: setAt(example, node.path, (p, k) => (p[k] = text)), kind: 'huge-strings' as const })),
    ...(dates.length > 0 ? [fc.tuple(pick(dates), fc.constantFrom(...INVALID_SEIREKI_DATES)).map(([node, text]) => ({ body: setAt(example, node.path, (p, k) => (p[k] = text)), kind: 'invalid-date' as const }))] : []),
  );
}

function addKey(target: unknown, key: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(target)) as Record<string, unknown>;
  withExtraKey(copy, key, value);
  return copy;
}

// ---------------------------------------------------------------- requests

const json = (body: unknown) => JSON.stringify(body);
const CONTENT_JSON = { 'content-type': 'application/json' };

/** Header values Node's client can send: visible ASCII and Latin-1 (what else would not reach the server). */
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 40 });

const badIdempotencyKey = fc.oneof(
  fc.constantFrom('', 'a b', 'é', 'キー', '\t', 'x'.repeat(201), 'ключ'),
  headerText.filter((k) => !/^[\x21-\x7e]{1,200}$/.test(k.trim())),
).map((key) => Buffer.from(key, 'utf8').toString('latin1'));

const badIfMatch = fc.oneof(fc.constantFrom('abc', '"abc"', 'W/"x"', '1.5', '"1', '0x1', '--1', 'W/', '""', '"1" "2"', 'é'), headerText).filter((value) => {
  const trimmed = value.trim();
  return trimmed !== '' && trimmed !== '*' && !/^(?:W\/)?"?(-?\d+)"?$/.test(trimmed);
});

const badContentType = fc.constantFrom(
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/vnd.api+json',
  'application/octet-stream',
);

/** A stale or impossible revision: never the application's current one. */
const staleRevision = (current: number) => fc.oneof(fc.integer({ min: -5, max: current - 1 }), fc.integer({ min: current + 1, max: current + 10_000 }), fc.constant(2 ** 53));

export function hostileRequests(fx: FuzzFixtures): fc.Arbitrary<HostileRequest> {
  const enumValues = new Set(['地方公共団体', '地方独立行政法人', 'その他', '取りまとめ都道府県', '情報照会者等', '登録', '変更', '接続', '適合', '不適合', '該当なし']);
  const validForm = fc.constantFrom(...fx.forms);
  const appIds = Object.values(fx.apps);
  const anyApp = fc.constantFrom(...appIds);
  const caller = fc.constantFrom<TokenName>('applicant', 'otherApplicant', 'prefectureReviewer', 'micReviewer', 'auditor', 'distributor', 'oddButValid');
  const unauthentic = fc.constantFrom(...UNAUTHENTIC);
  const hostileFormCode = fc.oneof(hostileSegment, fc.constantFrom('02-99', '2-01', '02_01', '0201', '02-01 ', '０２-０１').map((segment) => ({ segment: percentEncode(segment), kind: 'unicode' as const }))).filter(
    ({ segment }) => !fx.formCodes.includes(decodeSafe(segment)),
  );
  const hostileAction = hostileSegment.filter(({ segment }) => !fx.actions.includes(decodeSafe(segment)));
  const hostileId = hostileSegment.filter(({ segment }) => !appIds.includes(decodeSafe(segment)));
  const commentBody = fc.oneof(
    fc.constant({}),
    hostileText.map((comment) => ({ comment })),
    otherType('').map((comment) => ({ comment })),
    fc.tuple(unknownKey(new Set(['comment'])), fc.jsonValue({ maxDepth: 1 })).map(([key, value]) => addKey({ comment: '確認しました。' }, key, value)),
  );

  // POST /applications — the caller is an applicant of 132012; each body breaks one thing.
  const invalidOrganizationCode = fc.oneof(
    fc.stringMatching(/^\d{6}$/).map((code) => ({ code: code as unknown, kind: 'invalid-lg-code' as const })),
    fc.constantFrom('13201', '1320120', '１３２０１２', '132012 ', ' 132012', '132O12', '000000', '999999', '131016', '141011', '-13201', '+132012', '1.32e5', '132012\u0000', '132012\n').map((code) => ({ code: code as unknown, kind: 'invalid-lg-code' as const })),
    hostileText.map((code) => ({ code: code as unknown, kind: kindOfText(code) })),
    otherType('').map((code) => ({ code: code as unknown, kind: 'wrong-types' as const })),
  ).filter(({ code }) => code !== '132012');
  const createBody = fc.oneof(
    invalidOrganizationCode.map(({ code, kind }) => ({ body: { ...fx.create, organizationCode: code } as unknown, kind })),
    fc.oneof(hostileText, otherType('')).filter((c) => !enumValues.has(c as string)).map((category) => ({ body: { ...fx.create, category } as unknown, kind: typeof category === 'string' ? kindOfText(category) : ('wrong-types' as HostileKind) })),
    fc.oneof(hostileText, otherType('')).filter((w) => !fx.workflows.includes(w as string)).map((workflow) => ({ body: { ...fx.create, workflow } as unknown, kind: typeof workflow === 'string' ? kindOfText(workflow) : ('wrong-types' as HostileKind) })),
    fc.oneof(hostileText, otherType('')).filter((k) => !(ORGANIZATION_KINDS as readonly unknown[]).includes(k)).map((kindValue) => ({ body: { ...fx.create, organizationKind: kindValue } as unknown, kind: typeof kindValue === 'string' ? kindOfText(kindValue) : ('wrong-types' as HostileKind) })),
    fc.tuple(unknownKey(new Set(Object.keys(fx.create))), fc.jsonValue({ maxDepth: 1 })).map(([key, value]) => ({ body: addKey(fx.create, key, value), kind: 'unknown-fields' as const })),
    fc.constantFrom('organizationCode', 'category', 'workflow').map((key) => {
      const { [key]: _dropped, ...rest } = fx.create;
      return { body: rest as unknown, kind: 'missing-fields' as const };
    }),
  );
  const create: fc.Arbitrary<HostileRequest> = fc.oneof(
    createBody.map(({ body, kind }) => ({ kind, route: 'POST /applications', method: 'POST', path: '/applications', token: 'applicant' as TokenName, headers: CONTENT_JSON, body: json(body), mustRefuse: true })),
    malformedJson.map((body) => ({ kind: 'malformed-json' as const, route: 'POST /applications', method: 'POST', path: '/applications', token: 'applicant' as TokenName, headers: CONTENT_JSON, body, mustRefuse: true })),
    nonObjectBody.map((body) => ({ kind: 'wrong-types' as const, route: 'POST /applications', method: 'POST', path: '/applications', token: 'applicant' as TokenName, headers: CONTENT_JSON, body, mustRefuse: true })),
    overLimitText.map((text) => ({ kind: 'huge-strings' as const, route: 'POST /applications', method: 'POST', path: '/applications', token: 'applicant' as TokenName, headers: CONTENT_JSON, body: json({ ...fx.create, organizationCode: text }), mustRefuse: true })),
    // A valid body from a caller who may not create it (another body, a reviewer, an auditor …).
    fc.constantFrom<TokenName>('otherApplicant', 'prefectureReviewer', 'micReviewer', 'auditor', 'distributor').map((token) => ({ kind: 'wrong-state-or-caller' as const, route: 'POST /applications', method: 'POST', path: '/applications', token, headers: CONTENT_JSON, body: json(fx.create), mustRefuse: true })),
  );

  // PUT /applications/{id}/forms/{code}
  const saveForm: fc.Arbitrary<HostileRequest> = fc.oneof(
    validForm.chain((form) => invalidForm(form.example, enumValues).map(({ body, kind }) => ({ kind, route: 'PUT forms', method: 'PUT', path: `/applications/${fx.apps.draft}/forms/${form.code}`, token: 'applicant' as TokenName, headers: CONTENT_JSON, body: json(body), mustRefuse: true }))),
    fc.tuple(validForm, malformedJson).map(([form, body]) => ({ kind: 'malformed-json' as const, route: 'PUT forms', method: 'PUT', path: `/applications/${fx.apps.draft}/forms/${form.code}`, token: 'applicant' as TokenName, headers: CONTENT_JSON, body, mustRefuse: true })),
    fc.tuple(validForm, nonObjectBody).map(([form, body]) => ({ kind: 'wrong-types' as const, route: 'PUT forms', method: 'PUT', path: `/applications/${fx.apps.draft}/forms/${form.code}`, token: 'applicant' as TokenName, headers: CONTENT_JSON, body, mustRefuse: true })),
    fc.tuple(validForm, hostileFormCode).map(([form, { segment, kind }]) => ({ kind, route: 'PUT forms (code)', method: 'PUT', path: `/applications/${fx.apps.draft}/forms/${segment}`, token: 'applicant' as TokenName, headers: CONTENT_JSON, body: json(form.example), mustRefuse: true })),
    fc.tuple(validForm, hostileId).map(([form, { segment, kind }]) => ({ kind, route: 'PUT forms (id)', method: 'PUT', path: `/applications/${segment}/forms/${form.code}`, token: 'applicant' as TokenName, headers: CONTENT_JSON, body: json(form.example), mustRefuse: true })),
    // A valid form where it may not go: an application past its draft, or a caller not of its body.
    fc.tuple(validForm, fc.constantFrom(fx.apps.firstReview, fx.apps.secondReview, fx.apps.registered, fx.apps.withdrawn, fx.apps.rejected)).map(([form, id]) => ({ kind: 'wrong-state-or-caller' as const, route: 'PUT forms (state)', method: 'PUT', path: `/applications/${id}/forms/${form.code}`, token: 'applicant' as TokenName, headers: CONTENT_JSON, body: json(form.example), mustRefuse: true })),
    fc.tuple(validForm, fc.constantFrom<TokenName>('otherApplicant', 'prefectureReviewer', 'micReviewer', 'auditor', 'distributor', 'oddButValid')).map(([form, token]) => ({ kind: 'wrong-state-or-caller' as const, route: 'PUT forms (caller)', method: 'PUT', path: `/applications/${fx.apps.draft}/forms/${form.code}`, token, headers: CONTENT_JSON, body: json(form.example), mustRefuse: true })),
  );

  // POST /applications/{id}/actions/{action}: targets where no body can make the command succeed.
  const refusingTarget = fc.oneof(
    fc.tuple(hostileId, fc.constantFrom(...fx.actions), caller).map(([{ segment, kind }, action, token]) => ({ path: `/applications/${segment}/actions/${action}`, token, kind, ifMatch: undefined as number | undefined })),
    fc.tuple(anyApp, hostileAction, caller).map(([id, { segment, kind }, token]) => ({ path: `/applications/${id}/actions/${segment}`, token, kind, ifMatch: undefined as number | undefined })),
    fc.tuple(fc.constantFrom(...fx.actions), fc.constantFrom<TokenName>('applicant', 'prefectureReviewer', 'micReviewer', 'auditor')).map(([action, token]) => ({ path: `/applications/${fx.apps.withdrawn}/actions/${action}`, token, kind: 'wrong-state-or-caller' as HostileKind, ifMatch: undefined as number | undefined })),
    fc.constantFrom('submit', 'revise', 'forward', 'approve', 'reject', 'confirm-distribution').map((action) => ({ path: `/applications/${fx.apps.firstReview}/actions/${action}`, token: 'applicant' as TokenName, kind: 'wrong-state-or-caller' as HostileKind, ifMatch: undefined as number | undefined })),
    fc.constantFrom('approve', 'reject').map((action) => ({ path: `/applications/${fx.apps.secondReview}/actions/${action}`, token: 'prefectureReviewer' as TokenName, kind: 'wrong-state-or-caller' as HostileKind, ifMatch: undefined as number | undefined })),
    fc.tuple(anyApp, fc.constantFrom(...fx.actions)).map(([id, action]) => ({ path: `/applications/${id}/actions/${action}`, token: 'auditor' as TokenName, kind: 'wrong-state-or-caller' as HostileKind, ifMatch: undefined as number | undefined })),
    fc.tuple(anyApp, fc.constantFrom(...fx.actions), caller).chain(([id, action, token]) =>
      staleRevision(fx.revisions[id]!).map((ifMatch) => ({ path: `/applications/${id}/actions/${action}`, token, kind: 'headers' as HostileKind, ifMatch: ifMatch as number | undefined })),
    ),
  );
  const action: fc.Arbitrary<HostileRequest> = fc.tuple(refusingTarget, fc.oneof(commentBody.map((b) => json(b)), malformedJson, nonObjectBody)).map(([target, body]) => ({
    kind: target.kind,
    route: 'POST actions',
    method: 'POST',
    path: target.path,
    token: target.token,
    headers: { ...CONTENT_JSON, ...(target.ifMatch !== undefined ? { 'if-match': `"${target.ifMatch}"` } : {}) },
    body,
    mustRefuse: true,
  }));

  // A write that would succeed, spoilt by one header: bad Idempotency-Key, bad If-Match, a token
  // that does not authenticate, or (create and forms only) a body that is not JSON by its type.
  const validWrite = fc.oneof(
    fc.constant({ route: 'POST /applications', method: 'POST', path: '/applications', body: json(fx.create), token: 'applicant' as TokenName, bodyTyped: true }),
    validForm.map((form) => ({ route: 'PUT forms', method: 'PUT', path: `/applications/${fx.apps.draft}/forms/${form.code}`, body: json(form.example), token: 'applicant' as TokenName, bodyTyped: true })),
    fc.constant({ route: 'POST actions', method: 'POST', path: `/applications/${fx.apps.firstReview}/actions/approve`, body: json({ comment: '確認しました。' }), token: 'prefectureReviewer' as TokenName, bodyTyped: false }),
    fc.constant({ route: 'POST actions', method: 'POST', path: `/applications/${fx.apps.draft}/actions/submit`, body: '{}', token: 'applicant' as TokenName, bodyTyped: false }),
  );
  const spoilt: fc.Arbitrary<HostileRequest> = validWrite.chain((write) =>
    fc.oneof(
      badIdempotencyKey.map((key) => ({ ...write, kind: 'headers' as const, headers: { ...CONTENT_JSON, 'idempotency-key': key }, mustRefuse: true })),
      badIfMatch.map((value) => ({ ...write, kind: 'headers' as const, headers: { ...CONTENT_JSON, 'if-match': value }, mustRefuse: true })),
      unauthentic.map((token) => ({ ...write, kind: 'tokens' as const, token, headers: CONTENT_JSON, mustRefuse: true })),
      ...(write.bodyTyped ? [badContentType.map((type) => ({ ...write, kind: 'headers' as const, headers: { 'content-type': type }, mustRefuse: true }))] : []),
    ),
  );

  // Reads with hostile ids, codes and query strings (2xx allowed; never 5xx, never a write).
  const queryValue = fc.oneof(
    hostileText.map((t) => percentEncode(t)).filter((t) => t.length <= MAX_ENCODED_QUERY_VALUE),
    fc.constantFrom('-1', '0', '1.5', '1e3', '1e309', 'NaN', '', '%', '%ZZ', '9007199254740993', '0x10', '[]', '{}'),
    fc.constantFrom(...INVALID_ISO_TIMES).map((t) => percentEncode(t)),
  );
  const query = (names: readonly string[]) =>
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.constantFrom('__proto__[x]', 'constructor[prototype][x]', 'limit[$gt]', 'a[b][c][d][e][f]', 'stage[]', '')), queryValue), { minLength: 1, maxLength: 4 }).map(
      (pairs) => `?${pairs.map(([k, v]) => `${percentEncodeKey(k)}=${v}`).join('&')}`,
    );
  const read: fc.Arbitrary<HostileRequest> = fc.oneof(
    fc.tuple(hostileId, fc.constantFrom('', '/history', '/verify', '/diff', '/path', '/master-data-diff'), caller).map(([{ segment, kind }, suffix, token]) => ({ kind, route: `GET /applications/{id}${suffix}`, method: 'GET', path: `/applications/${segment}${suffix}`, token, headers: {}, mustRefuse: false })),
    fc.tuple(anyApp, fc.constantFrom('', '/path', '/diff'), query(['asOfRevision', 'asOf', 'format', 'from', 'to']), caller).map(([id, suffix, q, token]) => ({ kind: 'query-strings' as const, route: `GET /applications/{id}${suffix}?…`, method: 'GET', path: `/applications/${id}${suffix}${q}`, token, headers: {}, mustRefuse: false })),
    fc.tuple(query(['limit', 'offset']), caller).map(([q, token]) => ({ kind: 'query-strings' as const, route: 'GET /applications?…', method: 'GET', path: `/applications${q}`, token, headers: {}, mustRefuse: false })),
    fc.tuple(query(['stage']), caller).map(([q, token]) => ({ kind: 'query-strings' as const, route: 'GET /review-queue?…', method: 'GET', path: `/review-queue${q}`, token, headers: {}, mustRefuse: false })),
    fc.tuple(fc.oneof(hostileSegment, invalidOrganizationCode.filter(({ code }) => typeof code === 'string').map(({ code }) => ({ segment: percentEncode(code as string), kind: 'invalid-lg-code' as const })).filter(({ segment }) => segment.length <= MAX_ENCODED_SEGMENT)), fc.constantFrom('', '/versions', '/versions/1', '/versions/-1', '/versions/abc', '/versions/1e309'), caller).map(([{ segment, kind }, suffix, token]) => ({
      kind,
      route: 'GET /master-data/organizations/{code}',
      method: 'GET',
      path: `/master-data/organizations/${segment}${suffix}`,
      token,
      headers: {},
      mustRefuse: false,
    })),
    fc.tuple(hostileSegment, fc.constantFrom('/workflows/', '/workflows/{}/diagram', '/reference/beppyo2/items/', '/personal-data/subjects/', '/distribution/{}/events', '/distribution/{}/parked'), caller).map(([{ segment, kind }, template, token]) => ({
      kind,
      route: `GET ${template}`,
      method: 'GET',
      path: template.includes('{}') ? template.replace('{}', segment) : `${template}${segment}`,
      token,
      headers: {},
      mustRefuse: false,
    })),
    fc.tuple(query(['subjectId', 'applicationId', 'organizationCode', 'from', 'to', 'limit', 'offset']), caller).map(([q, token]) => ({ kind: 'query-strings' as const, route: 'GET /personal-data/access-log?…', method: 'GET', path: `/personal-data/access-log${q}`, token, headers: {}, mustRefuse: false })),
    fc.tuple(anyApp, unauthentic).map(([id, token]) => ({ kind: 'tokens' as const, route: 'GET /applications/{id}', method: 'GET', path: `/applications/${id}`, token, headers: {}, mustRefuse: true })),
  );

  // Pure computations and requests that write elsewhere, all with bodies they must refuse.
  const other: fc.Arbitrary<HostileRequest> = fc.oneof(
    fc.tuple(fc.constantFrom('/reference/beppyo2/selection', '/reference/beppyo2/forms'), fc.oneof(malformedJson, nonObjectBody), caller).map(([path, body, token]) => ({ kind: 'malformed-json' as const, route: `POST ${path}`, method: 'POST', path, token, headers: CONTENT_JSON, body, mustRefuse: true })),
    fc.tuple(fc.constantFrom('/reference/beppyo2/selection', '/reference/beppyo2/forms'), fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor')), fc.oneof(hostileText, otherType('')), { maxKeys: 4 }), caller).map(([path, body, token]) => ({ kind: 'wrong-types' as const, route: `POST ${path}`, method: 'POST', path, token, headers: CONTENT_JSON, body: json(body), mustRefuse: false })),
    fc.tuple(fc.constantFrom('erasure', 'suspension', 'resumption'), hostileSegment, fc.oneof(commentBody.map((b) => json(b)), malformedJson), caller).map(([what, { segment, kind }, body, token]) => ({ kind, route: `POST /personal-data/subjects/{id}/${what}`, method: 'POST', path: `/personal-data/subjects/${segment}/${what}`, token, headers: CONTENT_JSON, body, mustRefuse: true })),
    fc.tuple(fc.constantFrom('DELETE', 'PATCH', 'PUT', 'OPTIONS', 'TRACE'), anyApp, caller).map(([method, id, token]) => ({ kind: 'methods' as const, route: `${method} /applications/{id}`, method, path: `/applications/${id}`, token, headers: CONTENT_JSON, body: json({ state: 'masterDataRegistered' }), mustRefuse: method !== 'OPTIONS' })),
  );

  return fc.oneof({ arbitrary: create, weight: 4 }, { arbitrary: saveForm, weight: 5 }, { arbitrary: action, weight: 4 }, { arbitrary: spoilt, weight: 3 }, { arbitrary: read, weight: 5 }, { arbitrary: other, weight: 1 });
}

function decodeSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function percentEncodeKey(key: string): string {
  return key.replace(/[^A-Za-z0-9\-._~[\]$]/g, (c) => percentEncode(c));
}
