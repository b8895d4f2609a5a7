import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WITNESS_FILE } from '@nws/audit';
import { EVENTS_FILE } from '@nws/event-store/create-event-store';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/** An ASCII token in a field that is stored in clear (a review comment; contacts are stored encrypted). */
const MARKER = 'REF-ZX-4711';

describe('audit endpoints: diff between rounds, path, machine diagram, verify (real port, files on disk)', () => {
  let dataDir: string;
  let server: TestServer;
  let driver: Driver;
  let id = '';
  let phoneBefore = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nws-audit-e2e-'));
    server = await TestServer.start({ dataDir });
    driver = new Driver(server);
    const { create, forms: all } = await driver.examples();
    const forms = all.filter((f) => f.code.startsWith('02-'));
    id = (await driver.as('applicant', 'POST', '/applications', create)).body.id;
    for (const form of forms) await driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, form.example);
    await driver.act('applicant', id, 'submit');
    await driver.act('prefectureReviewer', id, 'reject', { comment: `様02-02の通常連絡先を直通番号にしてください。(${MARKER})` });
    await driver.act('applicant', id, 'revise');
    const contacts = forms.find((f) => f.code === '02-02')!.example as { normalContacts: Array<Record<string, unknown>> };
    phoneBefore = String(contacts.normalContacts[0]!['phone']);
    await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, { ...contacts, normalContacts: [{ ...contacts.normalContacts[0], phone: '042-620-7300' }, contacts.normalContacts[1]] });
    await driver.act('applicant', id, 'submit');
  }, 30_000);
  afterAll(async () => {
    await server.stop(false);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('GET /applications/{id}/diff: by default the rejected round against the resubmission, exactly the changed field', async () => {
    const diff = await driver.as('prefectureReviewer', 'GET', `/applications/${id}/diff`);
    expect(diff.status).toBe(200);
    expect(diff.body).toMatchObject({ applicationId: id, from: { round: 1, state: 'rejected', rejection: { stage: 'first' } }, to: { round: 2, state: 'firstReview' }, changedFields: 1 });
    expect(diff.body.forms).toEqual([
      // Compared as the views show them: numbers with their hyphens (the events hold digits).
      expect.objectContaining({ formCode: '02-02', status: 'changed', changes: [{ path: 'normalContacts[0].phone', kind: 'changed', before: phoneBefore, after: '042-620-7300' }] }),
    ]);
    expect(diff.body.unchangedForms).toEqual(['02-01', '02-06']);
    expect((await driver.as('applicant', 'GET', `/applications/${id}/diff?from=1&to=3`)).status).toBe(404);
    expect((await driver.as('applicant', 'GET', `/applications/${id}/diff?from=zero`)).status).toBe(400);
    expect((await driver.as('otherApplicant', 'GET', `/applications/${id}/diff`)).status).toBe(403);
  });

  it('GET /applications/{id}/path: the states with times and actors, as JSON with Mermaid or as Mermaid text', async () => {
    const path = await driver.as('auditor', 'GET', `/applications/${id}/path`, undefined, { 'x-access-purpose': 'audit' });
    expect(path.body.steps.map((s: { state: string }) => s.state)).toEqual(['draft', 'firstReview', 'rejected', 'draft', 'firstReview']);
    expect(path.body.steps[2]).toMatchObject({ event: 'FirstReviewRejected', by: { sub: 'tokyo-1', org: '130001', role: 'first-reviewer', name: '東京 太郎' } });
    expect(path.body.mermaid).toMatch(/^---\ntitle: connection-application .*\n---\nstateDiagram-v2\n/);
    expect(path.body.mermaid).toContain('東京 太郎 / 130001 first-reviewer');
    const text = await server.request('GET', `/applications/${id}/path`, { token: await driver.token('auditor'), headers: { accept: 'text/plain', 'x-access-purpose': 'audit' } });
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text.body).toBe(path.body.mermaid);
    const then = await driver.as('auditor', 'GET', `/applications/${id}/path?asOfRevision=${path.body.steps[2].revision}&format=mermaid`);
    expect(then.body).toContain('3. rejected');
    expect(then.body).not.toContain('4. draft');
  });

  it('GET /applications/{id}/path: the diagram names people only as the reader may see them, and a diagram that names them is in the access log, text or JSON', async () => {
    const logged = async () =>
      ((await driver.as('auditor', 'GET', `/personal-data/access-log?applicationId=${id}&actorSub=audit-1`)).body.entries as Array<{ route: string; purpose: string; fields: string[]; requestId: string; organizationCode: string }>).filter((e) => e.route === '/applications/:id/path');
    const before = (await logged()).length;
    for (const headers of [{ accept: 'application/json' }, { accept: 'text/plain' }]) {
      const unstated = await server.request('GET', `/applications/${id}/path`, { token: await driver.token('auditor'), headers });
      const mermaid = String(typeof unstated.body === 'string' ? unstated.body : unstated.body.mermaid);
      expect(mermaid).not.toContain('東京 太郎');
      expect(mermaid).not.toContain('山田 花子');
      expect(mermaid).toContain('［利用目的未指定］ / 130001 first-reviewer');
      expect(unstated.headers.get('x-personal-data-withheld')).not.toBeNull();
    }
    expect((await logged()).length).toBe(before);
    const stated = await server.request('GET', `/applications/${id}/path?format=mermaid`, { token: await driver.token('auditor'), headers: { 'x-access-purpose': 'audit', 'x-correlation-id': 'path-as-text' } });
    expect(stated.body).toContain('東京 太郎 / 130001 first-reviewer');
    // One entry per body whose people it names (the reviewer's, the applicant's).
    const entries = (await logged()).slice(before);
    expect(entries.map((e) => [e.requestId, e.purpose, e.organizationCode]).sort()).toEqual([
      ['path-as-text', 'audit', '130001'],
      ['path-as-text', 'audit', '132012'],
    ]);
    // The field of a person recorded by name, as for a reviewer in a round diff.
    expect(entries.map((e) => e.fields)).toEqual([['name'], ['name']]);
  });

  it('GET /workflows/{workflow}/diagram: Mermaid read from the machine; JSON on request; no SVG renderer', async () => {
    const text = await driver.as('applicant', 'GET', '/workflows/connection-application/diagram');
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text.body).toContain('stateDiagram-v2\n  [*] --> new\n');
    expect(text.body).toContain('  rejected --> draft : ApplicationRevised\n');
    const json = await driver.as('applicant', 'GET', '/workflows/connection-application/diagram?format=json');
    expect(json.body).toMatchObject({ workflow: 'connection-application', machineVersion: '1', mermaid: text.body });
    expect((await driver.as('applicant', 'GET', '/workflows/connection-application/diagram?version=99')).status).toBe(404);
    // A workflow named in the path that is not registered is a resource that does not exist, named with those that do.
    for (const path of ['/workflows/connection/diagram', '/workflows/connection']) {
      const missing = await driver.as('applicant', 'GET', path);
      expect([path, missing.status, missing.body.messages?.en]).toEqual([path, 404, 'workflow: "connection" is not a registered workflow (one of connection-application, account-request)']);
    }
    const svg = await driver.as('applicant', 'GET', '/workflows/connection-application/diagram?format=svg');
    expect(svg.status).toBe(406);
    expect(svg.body.message).toMatch(/no maintained renderer/);
    // An Accept of another type is told which types are served, not about SVG.
    for (const accept of ['text/html', 'image/png', 'application/json;q=0']) {
      const refused = await driver.as('applicant', 'GET', '/workflows/connection-application/diagram', undefined, { accept });
      expect([accept, refused.status, refused.body.messages?.en]).toEqual([accept, 406, `(Accept): "${accept}" names no type this answer comes in: ask for application/json (JSON) or text/plain (the Mermaid text)`]);
      expect(refused.body.messages?.ja).toContain('(Accept)');
    }
    expect((await driver.as('applicant', 'GET', '/workflows/connection-application/diagram', undefined, { accept: 'image/svg+xml' })).body.message).toMatch(/no maintained renderer/);
  });

  it('GET /applications/{id}/verify: intact; after a byte is changed in the database file, the exact event with expected and found hash', async () => {
    const intact = await driver.as('applicant', 'GET', `/applications/${id}/verify`);
    expect(intact.body).toMatchObject({ applicationId: id, valid: true, problems: [], firstProblem: null, sealer: 'running' });
    const history = (await driver.as('auditor', 'GET', `/applications/${id}/history`)).body.events as Array<{ revision: number; position: number; type: string; data: any }>;
    const target = history.find((e) => e.type === 'FirstReviewRejected')!;
    await server.stop(false);
    expect(readFileSync(join(dataDir, WITNESS_FILE), 'utf8').trim().split('\n').length).toBeGreaterThan(0);

    // REF-ZX-4711 → REF-ZX-4911 in the stored row (the WAL was checkpointed when the store closed).
    const file = join(dataDir, EVENTS_FILE);
    const bytes = readFileSync(file);
    const at = bytes.indexOf(MARKER);
    expect(at).toBeGreaterThan(0);
    expect(bytes.indexOf(MARKER, at + 1)).toBe(-1);
    bytes[at + MARKER.length - 2] = '9'.charCodeAt(0);
    writeFileSync(file, bytes);

    server = await TestServer.start({ dataDir });
    driver = new Driver(server);
    const tampered = await driver.as('auditor', 'GET', `/applications/${id}/verify`);
    expect(tampered.body.valid).toBe(false);
    expect(tampered.body.problems).toHaveLength(1);
    expect(tampered.body.firstProblem).toMatchObject({ kind: 'hash-mismatch', streamId: `application-${id}`, revision: target.revision, position: target.position });
    expect(tampered.body.firstProblem.expected).not.toBe(tampered.body.firstProblem.found);
  });
});
