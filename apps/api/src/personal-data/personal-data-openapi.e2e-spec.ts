import { answer } from '../testing/http-client';
import { PLACEHOLDER } from '@nws/personal-data';
import { Driver } from '../testing/drive';
import { publishedSchemas, type PublishedSchemas } from '../testing/openapi-schemas';
import { TestServer } from '../testing/test-server';
import { TANAKA, registeredApplication } from './testing/personal-data.fixture';

const TAKAHASHI = '高橋 四郎';

/**
 * The personal-data endpoints (開示等 and the access log) answer what the OpenAPI document
 * publishes: real answers with data in every list, for the body itself and for the operator, and
 * the subject's answers before and after its erasure. The tests build on each other in order.
 */
describe('personal-data answers match the published OpenAPI schemas (real port)', () => {
  let server: TestServer;
  let driver: Driver;
  let published: PublishedSchemas;
  let id = '';

  const holds = (path: string, method: string, body: unknown) => expect({ path, method, mismatch: published.mismatch(path, method, '200', body) }).toEqual({ path, method, mismatch: undefined });
  const subjectOf = async (name: string) => ((await answer(driver.as('applicant', 'GET', '/personal-data/subjects'))).subjects as Array<{ subjectId: string; label: string | null }>).find((s) => s.label === name)!.subjectId;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    published = await publishedSchemas(server);
    id = await registeredApplication(driver);
    // Reads by someone outside the body: what the access log and the disclosures list.
    await answer(driver.as('prefectureReviewer', 'GET', `/applications/${id}`));
    await answer(driver.as('auditor', 'GET', `/applications/${id}/history`, undefined, { 'x-access-purpose': 'audit', 'x-access-reference': 'AUD-2026-11' }));
  });
  afterAll(() => server.stop());

  it('GET /personal-data/subjects: the caller’s body, and a body the operator asks for', async () => {
    const own = await answer(driver.as('applicant', 'GET', '/personal-data/subjects'));
    const asOperator = await answer(driver.as('micReviewer', 'GET', '/personal-data/subjects?organizationCode=132012'));
    for (const body of [own, asOperator]) {
      holds('/personal-data/subjects', 'get', body);
      expect(body.subjects.length).toBeGreaterThan(1);
    }
    expect(asOperator).toEqual(own);
  });

  it('POST …/suspension and …/resumption answer the subject as it is now, also when nothing changes', async () => {
    const subjectId = await subjectOf(TAKAHASHI);
    const suspend = () => driver.as('micReviewer', 'POST', `/personal-data/subjects/${subjectId}/suspension`, { legalBasis: 'appi-98-suspension', reference: 'REQ-7' });
    const suspended = await answer(suspend());
    const again = await answer(suspend());
    for (const body of [suspended, again]) holds('/personal-data/subjects/{subjectId}/suspension', 'post', body);
    expect(suspended).toMatchObject({ subjectId, label: TAKAHASHI, suspendedAt: expect.any(String), erasedAt: null });
    expect(again).toEqual(suspended);

    const resumed = await answer(driver.as('applicant', 'POST', `/personal-data/subjects/${subjectId}/resumption`, { legalBasis: 'suspension-lifted' }));
    holds('/personal-data/subjects/{subjectId}/resumption', 'post', resumed);
    expect(resumed).toMatchObject({ subjectId, suspendedAt: null });
  });

  it('GET /personal-data/subjects/{subjectId}: 開示 with its places, derived copies, requests and reads, for the body and the operator', async () => {
    const subjectId = await subjectOf(TAKAHASHI);
    const own = await answer(driver.as('applicant', 'GET', `/personal-data/subjects/${subjectId}`));
    const asOperator = await answer(driver.as('micReviewer', 'GET', `/personal-data/subjects/${subjectId}`, undefined, { 'x-access-purpose': 'disclosure-request', 'x-access-reference': 'REQ-7' }));
    for (const body of [own, asOperator]) holds('/personal-data/subjects/{subjectId}', 'get', body);
    expect(own.subject).toMatchObject({ subjectId, name: TAKAHASHI, state: 'active' });
    for (const list of ['purposes', 'thirdPartyProvision', 'places', 'derivedCopies', 'requests', 'accessLog'] as const) expect({ list, empty: own[list].length === 0 }).toEqual({ list, empty: false });
    expect(own.requests.map((r: { type: string }) => r.type)).toEqual(['PersonalDataUseSuspended', 'PersonalDataUseResumed']);
    expect(own.places.map((p: { value: unknown }) => p.value)).toContain(TAKAHASHI);
  });

  it('POST …/erasure, first and repeated; the erased subject’s disclosure, list row and suspension', async () => {
    const subjectId = await subjectOf(TANAKA.name);
    const erase = () => driver.as('applicant', 'POST', `/personal-data/subjects/${subjectId}/erasure`, { legalBasis: 'appi-98-erasure', reference: 'REQ-8' });
    const erased = await answer(erase());
    const repeated = await answer(erase());
    for (const body of [erased, repeated]) holds('/personal-data/subjects/{subjectId}/erasure', 'post', body);
    expect(erased).toMatchObject({ subjectId, alreadyErased: false, position: expect.any(Number) });
    expect(repeated).toMatchObject({ subjectId, alreadyErased: true, position: null, erasedAt: erased.erasedAt });

    const disclosed = await answer(driver.as('applicant', 'GET', `/personal-data/subjects/${subjectId}`));
    holds('/personal-data/subjects/{subjectId}', 'get', disclosed);
    expect(disclosed.subject).toMatchObject({ name: null, state: 'erased', erasedAt: erased.erasedAt });
    expect(new Set(disclosed.places.map((p: { value: unknown }) => p.value))).toEqual(new Set([PLACEHOLDER.erased]));

    const list = await answer(driver.as('applicant', 'GET', '/personal-data/subjects'));
    holds('/personal-data/subjects', 'get', list);
    expect(list.subjects).toContainEqual(expect.objectContaining({ subjectId, label: null, erasedAt: erased.erasedAt }));

    const suspended = await answer(driver.as('applicant', 'POST', `/personal-data/subjects/${subjectId}/suspension`, { legalBasis: 'appi-98-suspension' }));
    holds('/personal-data/subjects/{subjectId}/suspension', 'post', suspended);
    expect(suspended).toMatchObject({ subjectId, label: null, suspendedAt: null, erasedAt: erased.erasedAt });
  });

  it('GET /personal-data/access-log: everything for auditors, filtered, and the body’s own entries', async () => {
    const all = await answer(driver.as('auditor', 'GET', '/personal-data/access-log'));
    const filtered = await answer(driver.as('auditor', 'GET', `/personal-data/access-log?applicationId=${id}&actorSub=audit-1&limit=5`));
    const own = await answer(driver.as('applicant', 'GET', '/personal-data/access-log?offset=1'));
    for (const body of [all, filtered, own]) {
      holds('/personal-data/access-log', 'get', body);
      expect(body.entries.length).toBeGreaterThan(0);
    }
    expect(filtered.entries[0]).toMatchObject({ purpose: 'audit', reference: 'AUD-2026-11', applicationId: id, actor: { role: 'auditor' } });
    // The operator's reads of the body's subjects are logged by the routes themselves: the list belongs to no application.
    expect(all.entries).toContainEqual(expect.objectContaining({ purpose: 'disclosure-request', route: '/personal-data/subjects', applicationId: null }));
    expect(all.entries).toContainEqual(expect.objectContaining({ purpose: 'disclosure-request', reference: 'REQ-7', route: '/personal-data/subjects/:subjectId' }));
  });

  it('the schemas are not rubber stamps: an entry without its purpose, or an erasure with its flag as text, fails', async () => {
    const { entries } = await answer(driver.as('auditor', 'GET', '/personal-data/access-log?limit=1'));
    const { purpose: _purpose, ...withoutPurpose } = entries[0];
    expect(published.mismatch('/personal-data/access-log', 'get', '200', { entries: [withoutPurpose] })).toMatch(/purpose/);
    const subjectId = await subjectOf(TAKAHASHI);
    const erased = await answer(driver.as('applicant', 'POST', `/personal-data/subjects/${subjectId}/erasure`, { legalBasis: 'purpose-achieved' }));
    holds('/personal-data/subjects/{subjectId}/erasure', 'post', erased);
    expect(published.schemaOf('/personal-data/subjects/{subjectId}/erasure', 'post', '200')({ ...erased, alreadyErased: 'no' })).toBe(false);
  });
});
