import fc from 'fast-check';
import { FORM_GENERATION_INPUT_KEYS } from '@nws/reference-catalog';
import { ORGANIZATION_KINDS } from '@nws/workflows/shared/organizations';
import { addKey, invalidForm, malformedJson, nonObjectBody, otherType, unknownKey } from './hostile-bodies';
import {
  INVALID_ISO_TIMES,
  MAX_ENCODED_QUERY_VALUE,
  MAX_ENCODED_SEGMENT,
  hostileSegment,
  hostileText,
  kindOfText,
  overLimitText,
  percentEncode,
  type HostileKind,
} from './hostile-text';

export type { HostileKind } from './hostile-text';

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
    fc.tuple(query(['limit', 'offset', 'organizationCode', 'workflow', 'category', 'state', 'applicationNumber']), caller).map(([q, token]) => ({ kind: 'query-strings' as const, route: 'GET /applications?…', method: 'GET', path: `/applications${q}`, token, headers: {}, mustRefuse: false })),
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
    // Past the unknown-field check: a complete selection with one choice of any shape, which the
    // catalog must never see unchecked.
    fc.tuple(fc.constantFrom(...FORM_GENERATION_INPUT_KEYS), fc.oneof(hostileText, otherType(''), fc.jsonValue({ maxDepth: 3 })), caller).map(([key, value, token]) => ({
      kind: 'wrong-types' as const,
      route: 'POST /reference/beppyo2/forms',
      method: 'POST',
      path: '/reference/beppyo2/forms',
      token,
      headers: CONTENT_JSON,
      body: json({ body: { bodyType: '市町村長部局', localGovernmentCode: '132012' }, applicationDate: '2026/12/07', pia: { status: '未実施', reason: '保有する特定個人情報ファイル1000人未満' }, [key]: value }),
      mustRefuse: false,
    })),
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
