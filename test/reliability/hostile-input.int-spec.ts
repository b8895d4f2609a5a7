import Database from 'better-sqlite3';
import fc from 'fast-check';
import { SignJWT, UnsecuredJWT } from 'jose';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SEAL_STREAM } from '@nws/audit';
import { EVENTS_FILE } from '@nws/event-store/create-event-store';
import { Driver } from '../../apps/api/src/testing/drive';
import { ApiProcess, PROCESS_SECRET } from '../support/api-process';
import { backupLiveDataDir, chainProblems } from './support/data-dir';
import { FigureSheet } from './support/figures';
import { hostileRequests, type FuzzFixtures, type HostileRequest, type TokenName } from './support/hostile-requests';
import { closeRawAgent, rawRequest, type RawResponse } from './support/raw-http';
import { MODE, SCALE, TEST_TIMEOUT_MS, seedFor } from './support/scale';
import { settle } from './support/settle';

const ROOT = resolve(__dirname, '../..');
const REJECTION = '様02-02の通常連絡先を直通番号にしてください。';
const ISSUER = 'nws-connection-workflow';

/**
 * Issue #9, hostile input: fast-check generates requests (malformed JSON, wrong types, huge
 * strings, unicode edge cases, path traversal in ids, SQL/script injection text, invalid
 * local-government codes, invalid dates, hostile headers, tokens and query strings) and sends them
 * to the API running in a child process over real HTTP. Properties, for every request: no 5xx;
 * every refusal a 4xx with the error shape (code, message, messages.ja, messages.en) and no
 * internals; writes that are invalid by construction refused; the event store unchanged.
 */
describe(`hostile input against the running API (${MODE})`, () => {
  const seed = seedFor('hostile-input');
  const sheet = new FigureSheet('hostile-input', 'Hostile input: property-based requests (fast-check)', seed, __filename);
  sheet.measures('fuzzCases', 'serverErrors');
  const root = mkdtempSync(join(tmpdir(), 'nws-fuzz-'));
  const dataDir = join(root, 'data');
  let api: ApiProcess;
  let fixtures: FuzzFixtures;
  const authorization = new Map<TokenName, string | undefined>();
  let eventsDb: Database.Database | undefined;

  beforeAll(async () => {
    api = await ApiProcess.start({ dataDir, mode: 'source', readyTimeoutMs: 120_000 });
    const driver = new Driver(api);
    const examples = await driver.examples();
    const submitted = async () => {
      const id = await driver.draftWithForms();
      expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
      return id;
    };
    const draft = await driver.draftWithForms();
    const firstReview = await submitted();
    const secondReview = await submitted();
    expect((await driver.act('prefectureReviewer', secondReview, 'approve')).status).toBe(200);
    const registered = await submitted();
    expect((await driver.act('prefectureReviewer', registered, 'approve')).status).toBe(200);
    expect((await driver.act('micReviewer', registered, 'approve')).body.state).toBe('masterDataRegistered');
    const withdrawn = await driver.draftWithForms();
    expect((await driver.act('applicant', withdrawn, 'withdraw')).status).toBe(200);
    const rejected = await submitted();
    expect((await driver.act('prefectureReviewer', rejected, 'reject', { comment: REJECTION })).status).toBe(200);
    const apps = { draft, firstReview, secondReview, registered, withdrawn, rejected };
    const revisions: Record<string, number> = {};
    for (const id of Object.values(apps)) revisions[id] = Number((await driver.as('auditor', 'GET', `/applications/${id}`)).body.revision);
    const definition = (await driver.as('applicant', 'GET', '/workflows/connection-application')).body;
    const workflows = ((await driver.as('applicant', 'GET', '/workflows')).body as Array<{ name: string }>).map((w) => w.name);
    fixtures = {
      apps,
      revisions,
      create: examples.create,
      forms: examples.forms,
      formCodes: (definition.forms as Array<{ code: string }>).map((f) => f.code),
      workflows,
      actions: definition.actions as string[],
    };

    const secret = new TextEncoder().encode(PROCESS_SECRET);
    const claims = { sub: 'yamada', org: '132012', role: 'applicant' };
    const sign = (payload: Record<string, unknown>, key = secret, audience = ISSUER, expires: string | number = '1h') =>
      new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setAudience(audience).setIssuedAt().setExpirationTime(expires).sign(key);
    const bearer = (token: string) => `Bearer ${token}`;
    for (const name of ['applicant', 'otherApplicant', 'prefectureReviewer', 'micReviewer', 'auditor', 'distributor'] as const) authorization.set(name, bearer(await driver.token(name)));
    // Valid signature and claims, hostile values: a person of 東京都 (so never of 八王子市's applications).
    authorization.set('oddButValid', bearer(await api.token({ sub: "'; DROP TABLE events; --<script>", org: '130001', role: 'applicant', organ: '<img src=x onerror=alert(1)>', name: '\u202E名前\u0000', department: '𠮷'.repeat(50) })));
    authorization.set('none', undefined);
    authorization.set('malformed', 'Bearer not.a.jwt');
    authorization.set('forged', bearer(await sign(claims, new TextEncoder().encode('another-secret-'.padEnd(48, 'y')))));
    authorization.set('expired', bearer(await sign(claims, secret, ISSUER, Math.floor(Date.now() / 1000) - 3600)));
    authorization.set('algNone', bearer(new UnsecuredJWT(claims).setIssuer(ISSUER).setAudience(ISSUER).setExpirationTime('1h').encode()));
    authorization.set('wrongAudience', bearer(await sign(claims, secret, 'someone-else')));
    authorization.set('badClaims', bearer(await sign({ sub: '<script>alert(1)</script>', org: "' OR 1=1 --", role: 'superuser' })));
  }, 180_000);

  afterAll(async () => {
    eventsDb?.close();
    closeRawAgent();
    await api?.kill();
    sheet.write();
    rmSync(root, { recursive: true, force: true });
  });

  /** Newest position of anything but the sealer's own stream (seals follow commits, and there must be none). */
  function storeHead(db: Database.Database): { position: number; events: number } {
    return db.prepare(`SELECT coalesce(max(position), 0) AS position, count(*) AS events FROM events WHERE stream_id <> ?`).get(SEAL_STREAM) as { position: number; events: number };
  }

  function problemsOf(request: HostileRequest, response: RawResponse): string[] {
    const problems: string[] = [];
    if (response.status >= 500) problems.push('5xx');
    if (request.mustRefuse && (response.status < 400 || response.status >= 500)) problems.push('a write invalid by construction was not refused with a 4xx');
    if (response.status >= 400 && response.status < 500) {
      const body = response.json as { statusCode?: unknown; code?: unknown; message?: unknown; messages?: { ja?: unknown; en?: unknown } } | undefined;
      const text = (value: unknown) => typeof value === 'string' && value.trim() !== '';
      if (!body || body.statusCode !== response.status || !text(body.code) || !text(body.message) || !text(body.messages?.ja) || !text(body.messages?.en)) {
        problems.push('the refusal does not have the error shape (statusCode, code, message, messages.ja, messages.en)');
      }
      if (/\n\s+at [^\n]+:\d+:\d+/.test(response.text) || response.text.includes(ROOT) || response.text.includes('node_modules')) problems.push('the refusal shows internals (stack trace or file paths)');
    }
    return problems;
  }

  it(
    `${SCALE.fuzz.requests.toLocaleString('en-US')} hostile requests: no 5xx, every refusal a clear 4xx, the store unchanged`,
    async () => {
      await settle(api);
      const db = (eventsDb = new Database(join(dataDir, EVENTS_FILE), { readonly: true, fileMustExist: true }));
      const before = storeHead(db);
      const statuses = new Map<number, number>();
      const kinds = new Map<string, number>();
      const routes = new Set<string>();
      let sent = 0;
      let refusals = 0;
      try {
        await fc.assert(
          fc.asyncProperty(hostileRequests(fixtures), async (request) => {
            const pre = storeHead(db);
            const auth = authorization.get(request.token);
            const response = await rawRequest(api.url, {
              method: request.method,
              path: request.path,
              headers: { ...request.headers, ...(auth !== undefined ? { authorization: auth } : {}) },
              ...(request.body !== undefined ? { body: request.body } : {}),
            });
            sent += 1;
            sheet.setTotal('fuzzCases', sent);
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            kinds.set(request.kind, (kinds.get(request.kind) ?? 0) + 1);
            routes.add(request.route);
            if (response.status >= 500) sheet.add('serverErrors');
            if (response.status >= 400 && response.status < 500) refusals += 1;
            const problems = problemsOf(request, response);
            const head = storeHead(db);
            if (head.position !== pre.position || head.events !== pre.events) problems.push(`this request changed the store: head ${pre.position} → ${head.position}`);
            if (problems.length > 0) {
              throw new Error(
                `${problems.join('; ')}\n  ${request.kind} ${request.method} ${request.path.slice(0, 300)} token=${request.token} headers=${JSON.stringify(request.headers).slice(0, 300)}\n  body: ${(request.body ?? '').slice(0, 300)}\n  → ${response.status} ${response.text.slice(0, 500)}`,
              );
            }
          }),
          { numRuns: SCALE.fuzz.requests, seed: seed | 0, endOnFailure: false },
        );
      } finally {
        sheet.set('requests sent (incl. shrinking)', sent);
        sheet.set('routes exercised', routes.size);
        sheet.set('refused with a bilingual 4xx', refusals);
        sheet.set('answers', [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(', '));
        for (const [kind, count] of [...kinds].sort(([a], [b]) => a.localeCompare(b))) sheet.set(`  ${kind}`, count);
      }

      // Unchanged, in the file and as the API sees it, and the store as a whole still verifies.
      expect(storeHead(db)).toEqual(before);
      const driver = new Driver(api);
      for (const [id, revision] of Object.entries(fixtures.revisions)) expect((await driver.as('auditor', 'GET', `/applications/${id}`)).body.revision).toBe(revision);
      const copy = join(root, 'copy');
      await backupLiveDataDir(dataDir, copy);
      expect({ chainProblems: await chainProblems(copy) }).toEqual({ chainProblems: [] });
      expect(sent).toBeGreaterThanOrEqual(SCALE.fuzz.requests);
    },
    TEST_TIMEOUT_MS,
  );
});
