import { answer } from '../testing/http-client';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '@nws/engine';
import { EVENTS_FILE } from '@nws/event-store/create-event-store';
import { Driver } from '../testing/drive';
import { publishedSchemas, type PublishedSchemas } from '../testing/openapi-schemas';
import { TestServer } from '../testing/test-server';
import { asFiledBy } from '@nws/workflows/connection-application/forms/testing/form-spec.helpers';

/** An ASCII token in a field stored in clear (a review comment), so a byte of it can be changed on disk. */
const MARKER = 'REF-QX-5821';

/**
 * The audit endpoints (verify, round diff, path, machine diagram) and the master-data diff answer
 * what the OpenAPI document publishes: real answers, lists with data in them, both variants of
 * the endpoints that also answer text, and a chain broken on disk.
 */
describe('audit and master-data-diff answers match the published OpenAPI schemas (real port)', () => {
  let dataDir: string;
  let server: TestServer;
  let driver: Driver;
  let published: PublishedSchemas;
  let registered = '';
  let revised = '';

  const holds = (path: string, body: unknown) => expect({ path, mismatch: published.mismatch(path, 'get', '200', body) }).toEqual({ path, mismatch: undefined });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nws-audit-openapi-'));
    server = await TestServer.start({ dataDir });
    driver = new Driver(server);
    published = await publishedSchemas(server);
    registered = await driver.registerOrgan('applicant');
    // A 変更 rejected once and resubmitted with one contact changed and one form added: a round diff with every kind of entry.
    revised = await driver.draftWithForms();
    for (const [who, action, body] of [
      ['applicant', 'submit', {}],
      ['prefectureReviewer', 'reject', { comment: `様02-02の通常連絡先を直通番号にしてください。(${MARKER})` }],
      ['applicant', 'revise', {}],
    ] as const) {
      await answer(driver.act(who, revised, action, body));
    }
    const definition = await answer(driver.as('applicant', 'GET', '/workflows/connection-application'));
    const example = (code: string) => structuredClone(definition.forms.find((f: { code: string }) => f.code === code).example);
    const contacts = example('02-02');
    await answer(driver.as('applicant', 'PUT', `/applications/${revised}/forms/02-02`, { ...contacts, normalContacts: [{ ...contacts.normalContacts[0], phone: '042-620-7300' }, contacts.normalContacts[1]] }));
    await answer(driver.as('applicant', 'PUT', `/applications/${revised}/forms/03-09`, example('03-09')));
    await answer(driver.act('applicant', revised, 'submit'));
  });
  afterAll(async () => {
    await server.stop(false);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('GET /applications/{id}/diff: the default rounds and chosen ones, for the applicant and for an auditor with and without a purpose', async () => {
    const answers = [
      await answer(driver.as('applicant', 'GET', `/applications/${revised}/diff`)),
      await answer(driver.as('applicant', 'GET', `/applications/${revised}/diff?from=1&to=2`)),
      await answer(driver.as('auditor', 'GET', `/applications/${revised}/diff`, undefined, { 'x-access-purpose': 'audit' })),
      await answer(driver.as('auditor', 'GET', `/applications/${revised}/diff`)),
    ];
    for (const body of answers) holds('/applications/{id}/diff', body);
    const [own] = answers;
    expect(own.from.rejection).toMatchObject({ stage: 'first', comment: expect.stringContaining(MARKER) });
    expect(own.to.rejection).toBeNull();
    expect(own.forms.map((f: { formCode: string; status: string }) => `${f.formCode}:${f.status}`)).toEqual(['02-02:changed', '03-09:added']);
    expect(own.forms[1].before).toBeNull();
    expect(own.forms[0].changes).toEqual([{ path: 'normalContacts[0].phone', kind: 'changed', before: expect.any(String), after: '042-620-7300' }]);
    expect(own.unchangedForms.length).toBeGreaterThan(0);
  });

  it('GET /applications/{id}/path: the JSON answer, now and as it stood; the text answer is documented as text and answered as text', async () => {
    const now = await answer(driver.as('auditor', 'GET', `/applications/${revised}/path`, undefined, { 'x-access-purpose': 'audit' }));
    const then = await answer(driver.as('applicant', 'GET', `/applications/${revised}/path?asOfRevision=2&format=json`));
    const accepted = await answer(server.request('GET', `/applications/${registered}/path`, { token: await driver.token('micReviewer'), headers: { accept: 'application/json' } }));
    for (const body of [now, then, accepted]) holds('/applications/{id}/path', body);
    expect(now.steps.map((s: { state: string }) => s.state)).toEqual(['draft', 'firstReview', 'rejected', 'draft', 'firstReview']);
    expect(then.steps.map((s: { state: string }) => s.state)).toEqual(['draft']);

    const documented = published.document.paths['/applications/{id}/path']!['get']!.responses['200'] as { content: Record<string, { schema: unknown }> };
    expect(documented.content['text/plain']!.schema).toMatchObject({ type: 'string' });
    const text = await server.request('GET', `/applications/${revised}/path`, { token: await driver.token('applicant'), headers: { accept: 'text/plain' } });
    expect([text.status, text.headers.get('content-type'), typeof text.body]).toEqual([200, 'text/plain; charset=utf-8', 'string']);
    expect(text.body).toMatch(/^---\ntitle: connection-application .*\n---\nstateDiagram-v2\n/);
  });

  it('GET /workflows/{workflow}/diagram: the JSON answer of both workflows; the default text answer is documented as text', async () => {
    for (const workflow of ['connection-application', 'account-request']) {
      holds('/workflows/{workflow}/diagram', await answer(driver.as('applicant', 'GET', `/workflows/${workflow}/diagram?format=json`)));
      holds('/workflows/{workflow}/diagram', await answer(server.request('GET', `/workflows/${workflow}/diagram`, { token: await driver.token('auditor'), headers: { accept: 'application/json' } })));
    }
    const documented = published.document.paths['/workflows/{workflow}/diagram']!['get']!.responses['200'] as { content: Record<string, { schema: unknown }> };
    expect(documented.content['text/plain']!.schema).toMatchObject({ type: 'string' });
    const text = await driver.as('applicant', 'GET', '/workflows/connection-application/diagram?version=1');
    expect([text.status, text.headers.get('content-type'), typeof text.body]).toEqual([200, 'text/plain; charset=utf-8', 'string']);
  });

  it('GET /applications/{id}/master-data-diff: against nothing, against a version, and with delegations held and matched', async () => {
    const first = await answer(driver.as('prefectureReviewer', 'GET', `/applications/${registered}/master-data-diff`));
    const change = await answer(driver.as('micReviewer', 'GET', `/applications/${revised}/master-data-diff`));
    for (const body of [first, change]) holds('/applications/{id}/master-data-diff', body);
    expect(first).toMatchObject({ againstVersion: null, changes: [{ path: '', kind: 'added', after: expect.any(Object) }] });
    expect(change.againstVersion).toBe(1);
    expect(change.changes.map((c: { kind: string; path: string }) => `${c.kind} ${c.path}`)).toEqual(['changed contacts[0].phone', 'added form0309']);

    // 東京都 delegates the provision of 27-2 to 八王子市, approved first: held (unmatched) until 八王子市 files the 受任.
    const tokyoApplicant: Actor = { sub: 'tokyo-app-1', org: '130001', role: 'applicant', name: '都庁 一郎', department: 'デジタルサービス局' };
    const jlisReviewer: Actor = { sub: 'jlis-1', org: 'J-LIS', role: 'first-reviewer', name: '機構 次郎', department: '審査課' };
    const as = async (actor: Actor, method: string, path: string, body?: unknown) => server.request(method, path, { token: await server.token(actor), body });
    const definition = await answer(driver.as('applicant', 'GET', '/workflows/connection-application'));
    const forms: Record<string, any> = Object.fromEntries(definition.forms.map((f: { code: string; example: unknown }) => [f.code, structuredClone(f.example)]));
    const taxInfo: string = forms['03-08'].receivedProvisions[0].personalInfoName;
    const tokyo = (await as(tokyoApplicant, 'POST', '/applications', { workflow: 'connection-application', organizationCode: '130001', category: '接続' })).body.id as string;
    const tokyoForms: Record<string, unknown> = {
      // 東京都 has no master data yet: its 接続 carries 責任体制 and 連絡窓口.
      '02-01': asFiledBy('02-01', forms['02-01'], '東京都'),
      '02-02': forms['02-02'],
      '02-06': forms['02-06'],
      '03-06': { ...forms['03-06'], bodyType: '都道府県知事部局', mainOffice: { postalCode: '163-8001', address: '東京都新宿区西新宿二丁目8番1号' }, independentUseLinkage: false, attachments: { ...forms['03-06'].attachments, form0309: false } },
      '03-07': {
        ...forms['03-07'],
        // 東京都知事 queries 項9, a 都道府県知事 affair (the example's other rows are 市町村長 affairs).
        queryAffairs: forms['03-07'].queryAffairs.filter((r: { itemNo: string }) => r.itemNo === '9'),
        // It provides 項27's 生活保護関係情報 (都道府県知事等); the example's other rows are 市町村長's, or the one it delegates.
        providedInformation: forms['03-07'].providedInformation.filter((r: { itemNo: string; personalInfoName: string }) => r.itemNo === '27' && r.personalInfoName.startsWith('生活保護関係情報')),
      },
      '03-08': { ...forms['03-08'], receivedQueryAffairs: [], receivedProvisions: [], delegatedProvisions: [{ itemNo: '27', personalInfoName: taxInfo, delegateeCode: '132012' }] },
    };
    for (const [code, form] of Object.entries(tokyoForms)) await answer(as(tokyoApplicant, 'PUT', `/applications/${tokyo}/forms/${code}`, form));
    await answer(as(tokyoApplicant, 'POST', `/applications/${tokyo}/actions/submit`, {}));
    await answer(as(jlisReviewer, 'POST', `/applications/${tokyo}/actions/approve`, {}));
    await answer(driver.act('micReviewer', tokyo, 'approve'));
    const held = await answer(driver.as('micReviewer', 'GET', `/applications/${tokyo}/master-data-diff`));
    holds('/applications/{id}/master-data-diff', held);
    expect(held.delegations.unmatched).toEqual([expect.objectContaining({ kind: 'provision', side: 'delegator', statusLabel: '突合待ち', chain: null })]);

    // 八王子市 files the 受任 (and receives query affair 9): one entry matched with 東京都, one entering alone.
    const hachioji = (await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '接続' })).body.id as string;
    for (const code of ['03-06', '03-07', '03-08', '03-09']) await answer(driver.as('applicant', 'PUT', `/applications/${hachioji}/forms/${code}`, forms[code]));
    await answer(driver.act('applicant', hachioji, 'submit'));
    await answer(driver.act('prefectureReviewer', hachioji, 'approve'));
    const matched = await answer(driver.as('micReviewer', 'GET', `/applications/${hachioji}/master-data-diff`));
    holds('/applications/{id}/master-data-diff', matched);
    expect(matched.delegations.matched.map((e: { kind: string; matchedWith: { applicationId: string } | null }) => [e.kind, e.matchedWith?.applicationId ?? null])).toEqual([
      ['provision', tokyo],
      ['query', null],
    ]);
    expect(matched.delegations.matched[0].chain.length).toBeGreaterThan(0);

    // Not a rubber stamp: a matched row naming its counterpart by a bare string fails.
    const [row, ...rest] = matched.delegations.matched;
    const mangled = { ...matched, delegations: { ...matched.delegations, matched: [{ ...row, matchedWith: 'tokyo' }, ...rest] } };
    expect(published.mismatch('/applications/{id}/master-data-diff', 'get', '200', mangled)).toMatch(/matchedWith/);
  });

  it('GET /applications/{id}/verify: intact, sealed, and after a byte of the stored event is changed on disk', async () => {
    const intact = await answer(driver.as('applicant', 'GET', `/applications/${revised}/verify`));
    holds('/applications/{id}/verify', intact);
    expect(intact).toMatchObject({ valid: true, problems: [], firstProblem: null });
    // The sealer runs shortly after commits: wait for the seal that covers them.
    let sealed = intact;
    for (let tries = 0; sealed.seal === null && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      sealed = await answer(driver.as('auditor', 'GET', `/applications/${revised}/verify`));
    }
    holds('/applications/{id}/verify', sealed);
    expect(sealed.seal).toMatchObject({ sequence: expect.any(Number), sealedAt: expect.any(String) });

    // Not a rubber stamp: a verification without its verdict fails, and so does a problem count given as text.
    const { valid: _valid, ...withoutVerdict } = sealed;
    expect(published.schemaOf('/applications/{id}/verify', 'get', '200')(withoutVerdict)).toBe(false);
    expect(published.schemaOf('/applications/{id}/verify', 'get', '200')({ ...sealed, checkedEvents: String(sealed.checkedEvents) })).toBe(false);

    await server.stop(false);
    const file = join(dataDir, EVENTS_FILE);
    const bytes = readFileSync(file);
    const at = bytes.indexOf(MARKER);
    expect([at > 0, bytes.indexOf(MARKER, at + 1)]).toEqual([true, -1]);
    bytes[at + MARKER.length - 1] = bytes[at + MARKER.length - 1] === 0x31 ? 0x32 : 0x31;
    writeFileSync(file, bytes);
    server = await TestServer.start({ dataDir });
    driver = new Driver(server);

    const tampered = await answer(driver.as('auditor', 'GET', `/applications/${revised}/verify`));
    holds('/applications/{id}/verify', tampered);
    expect(tampered.valid).toBe(false);
    expect(tampered.problems.length).toBeGreaterThan(0);
    expect(tampered.firstProblem).toEqual(tampered.problems[0]);
  });
});
