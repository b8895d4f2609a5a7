import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/**
 * Requests refused for what they carry beyond a body's fields — tokens without a reviewer's name,
 * idempotency keys, If-Match, ids, query strings, text that is not text — each a 4xx naming what
 * is wrong, and nothing appended.
 */
describe('applications over HTTP: what a request carries, refused by name', () => {
  let server: TestServer;
  let driver: Driver;
  let id: string;

  const revisionOf = (appId: string) => driver.eventCount(appId);

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    id = await driver.draftWithForms();
  });
  afterAll(() => server.stop());

  it('400 naming reviewer.name and reviewer.department for a review by a token without them, and nothing appended: every review records them', async () => {
    const other = await driver.draftWithForms();
    await driver.act('applicant', other, 'submit');
    const before = await revisionOf(other);
    const anonymous = await server.token({ sub: 'tokyo-anon', org: '130001', role: 'first-reviewer' });
    const blankName = await server.token({ sub: 'tokyo-blank', org: '130001', role: 'first-reviewer', name: '　', department: 'デジタルサービス局' });
    for (const [token, fields] of [[anonymous, ['reviewer.name', 'reviewer.department']], [blankName, ['reviewer.name']]] as const) {
      for (const [action, body] of [['approve', {}], ['reject', { comment: '様02-02の通常連絡先1の電話番号を課の直通番号にしてください。' }]] as const) {
        const response = await server.request('POST', `/applications/${other}/actions/${action}`, { token, body });
        expect(response.status).toBe(400);
        expect(response.body.violations.map((v: { field: string; rule: string }) => `${v.field}:${v.rule}`)).toEqual(fields.map((f) => `${f}:recordedOnReview`));
        expect(response.body.messages.ja).toContain('氏名');
      }
    }
    // Zero-width characters alone are no name; a name read backwards, a control character or a line break none either.
    for (const [name, department, expected] of [
      ['\u200b', '\u200b\u2060', ['reviewer.name:recordedOnReview', 'reviewer.department:recordedOnReview']],
      ['東京 太郎\u202e', 'デジタルサービス局', ['reviewer.name:plainText']],
      ['東京 太郎', 'デジタル\nサービス局', ['reviewer.department:plainText']],
      ['東京 太郎', '=HYPERLINK("x")\u0007', ['reviewer.department:plainText']],
    ] as const) {
      const token = await server.token({ sub: 'tokyo-odd', org: '130001', role: 'first-reviewer', name, department });
      const response = await server.request('POST', `/applications/${other}/actions/approve`, { token, body: {} });
      expect([name, response.status, response.body.violations?.map((v: { field: string; rule: string }) => `${v.field}:${v.rule}`)]).toEqual([name, 400, expected]);
    }
    expect(await revisionOf(other)).toBe(before);
    const approved = await driver.act('prefectureReviewer', other, 'approve');
    expect(approved.status).toBe(200);
  });

  it('one Idempotency-Key on two applications is two commands, never a 500: keys built alike (an action and a revision) are the client’s to reuse across applications', async () => {
    const [x1, x2] = [await driver.draftWithForms(), await driver.draftWithForms()];
    const key = { 'idempotency-key': `submit-${Date.now()}` };
    const first = await driver.act('applicant', x1, 'submit', {}, key);
    const second = await driver.act('applicant', x2, 'submit', {}, key);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.body.id, second.body.id]).toEqual([x1, x2]);
    // ...and one used on a create is free for a command on an application.
    const createKey = { 'idempotency-key': `k-${Date.now()}` };
    const created = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '登録' }, createKey);
    expect(created.status).toBe(201);
    expect((await driver.act('applicant', x1, 'withdraw', { comment: '都合により取り下げます。' }, createKey)).status).toBe(200);
  });

  it('If-Match takes a revision: a negative or out-of-range number is a 400 naming If-Match, not a 412', async () => {
    const other = await driver.draftWithForms();
    for (const value of ['"-1"', '"99999999999999999999999"', '"1.5"', '"3', '3"']) {
      const response = await driver.act('applicant', other, 'submit', {}, { 'if-match': value });
      expect([value, response.status, response.body.violations?.[0]?.field]).toEqual([value, 400, 'If-Match']);
    }
    // Nor on a create, which has no revision to match.
    const created = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '変更' }, { 'if-match': '"1"' });
    expect([created.status, created.body.violations?.[0]]).toEqual([400, expect.objectContaining({ field: 'If-Match', rule: 'noRevisionYet' })]);
    // An empty state filter names no state.
    for (const query of ['state=', 'state=,', 'state']) {
      const listed = await driver.as('auditor', 'GET', `/applications?${query}`);
      expect([query, listed.status, listed.body.violations?.[0]?.field]).toEqual([query, 400, 'state']);
    }
  });

  it('400 naming organizationKind for an organ the body does not have (八王子市 as a 都道府県知事部局), and nothing created', async () => {
    const count = async () => Number((await driver.as('applicant', 'GET', '/applications?limit=1')).headers.get('x-total-count'));
    const before = await count();
    const refused = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '登録', organizationKind: '都道府県知事部局' });
    expect(refused.status).toBe(400);
    expect(refused.body.violations).toEqual([expect.objectContaining({ field: 'organizationKind', rule: 'organOfCode' })]);
    expect(refused.body.messages.ja).toContain('市町村長部局、市町村教育委員会');
    expect(await count()).toBe(before);
  });

  it('an id quoted in upper case is the same application, in every route, and its reads are logged under the id', async () => {
    const upper = id.toUpperCase();
    const audit = { 'x-access-purpose': 'audit', 'x-correlation-id': `upper-${Date.now()}` };
    for (const path of [`/applications/${upper}`, `/applications/${upper}/history`, `/applications/${upper}/path`, `/applications/${upper}/verify`]) {
      const response = await driver.as('auditor', 'GET', path, undefined, audit);
      expect([path, response.status]).toEqual([path, 200]);
    }
    expect((await driver.as('applicant', 'GET', `/applications/${upper}`)).body.id).toBe(id);
    const logged = await driver.as('auditor', 'GET', `/personal-data/access-log?applicationId=${id}&limit=1000`);
    const routes = logged.body.entries.filter((e: { requestId: string }) => e.requestId === audit['x-correlation-id']).map((e: { route: string }) => e.route);
    expect(routes).toEqual(expect.arrayContaining(['/applications/:id', '/applications/:id/history']));
  });

  it('400 naming the parameter for a query on an endpoint that takes none: ?asOfRevision on /history is not the history as of a revision', async () => {
    for (const path of [`/applications/${id}/history?asOfRevision=2`, `/applications/${id}/verify?deep=1`, `/applications/${id}/master-data-diff?version=1`]) {
      const response = await driver.as('auditor', 'GET', path, undefined, { 'x-access-purpose': 'audit' });
      const parameter = path.split('?')[1]!.split('=')[0];
      expect([path, response.status, response.body.violations?.[0]]).toEqual([path, 400, expect.objectContaining({ field: parameter, rule: 'whitelistValidation' })]);
      expect(response.body.messages.en).toContain(`${parameter}: is not a query parameter of this endpoint (known: none)`);
    }
    // Endpoints that take a query still answer it.
    expect((await driver.as('auditor', 'GET', `/applications/${id}?asOfRevision=1`)).status).toBe(200);
  });

  it('400 notRepeated naming a parameter given twice that takes one value (it was refused as not an integer, or not a code); a list parameter takes several', async () => {
    for (const query of ['/applications?limit=1&limit=2', '/applications?organizationCode=132012&organizationCode=132021', '/review-queue?stage=first&stage=second']) {
      const response = await driver.as('auditor', 'GET', query);
      expect([query, response.status, response.body.violations?.[0]?.rule]).toEqual([query, 400, 'notRepeated']);
      expect(response.body.messages.en).toMatch(/is given more than once/);
    }
    expect((await driver.as('auditor', 'GET', '/applications?state=draft&state=firstReview')).status).toBe(200);
    // A bracketed name is a query parameter like any other, not "a field of this form".
    for (const query of ['/applications?state[]=draft', '/review-queue?stage[]=first']) {
      const response = await driver.as('auditor', 'GET', query);
      expect([query, response.status, response.body.violations?.[0]?.rule]).toEqual([query, 400, 'whitelistValidation']);
      expect(response.body.messages.en).toContain('is not a query parameter of this endpoint');
    }
  });

  it('400 naming the parameter for a query parameter named like a member of every object (constructor, __proto__, toString), as for any other unknown one: they were dropped unseen', async () => {
    for (const path of ['/applications', '/review-queue', '/personal-data/access-log', `/applications/${id}`]) {
      for (const parameter of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
        const response = await driver.as('auditor', 'GET', `${path}?${parameter}=1`, undefined, { 'x-access-purpose': 'audit' });
        expect([path, parameter, response.status, response.body.violations?.[0]?.field, response.body.violations?.[0]?.rule]).toEqual([path, parameter, 400, parameter, 'whitelistValidation']);
      }
    }
  });

  it('400 for text that is not plain text (NUL, BEL, a bidirectional override) or only zero-width characters, in any body, and nothing appended', async () => {
    const before = await revisionOf(id);
    const { forms } = await driver.examples();
    const example = forms.find((f) => f.code === '02-01')!.example as { organization: Record<string, unknown>; filler: Record<string, unknown> };
    for (const [field, value, rule] of [
      ['organization.name', '八王子市\u0000', 'plainText'],
      ['filler.department', '情報\u0007管理課', 'plainText'],
      ['filler.name', '\u202e子花 田山', 'plainText'],
      ['filler.name', '\u200b', 'isNotEmpty'],
    ] as const) {
      const [group, key] = field.split('.') as ['organization' | 'filler', string];
      const response = await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-01`, { ...example, [group]: { ...example[group], [key]: value } });
      expect([field, response.status, response.body.violations?.[0]?.field, response.body.violations?.[0]?.rule]).toEqual([field, 400, field, rule]);
    }
    const comment = await driver.act('applicant', id, 'withdraw', { comment: '都合により\u0000取り下げます。' });
    expect([comment.status, comment.body.violations?.[0]?.rule]).toEqual([400, 'plainText']);
    expect(await revisionOf(id)).toBe(before);
  });

  it('one Idempotency-Key sent twice at once with two different requests: one is taken, the other is a 422, never both reported done', async () => {
    for (let round = 0; round < 5; round++) {
      const app = await driver.draftWithForms();
      const { forms } = await driver.examples();
      const example = forms.find((f) => f.code === '02-01')!.example as { filler: Record<string, unknown> };
      const key = { 'idempotency-key': `race-${round}-${Date.now()}` };
      const bodies = ['課A', '課B'].map((department) => ({ ...example, filler: { ...example.filler, department } }));
      const answers = await Promise.all(bodies.map((body) => driver.as('applicant', 'PUT', `/applications/${app}/forms/02-01`, body, key)));
      const statuses = answers.map((a) => a.status).sort();
      expect([round, statuses]).toEqual([round, [200, 422]]);
      const taken = answers.find((a) => a.status === 200)!.body.forms['02-01'].data.filler.department;
      const history = await driver.as('auditor', 'GET', `/applications/${app}/history`, undefined, { 'x-access-purpose': 'audit' });
      const saves = history.body.events.filter((e: { type: string; data: { formCode?: string } }) => e.type === 'FormSaved' && e.data.formCode === '02-01');
      expect(saves.at(-1).data.form.filler.department).toBe(taken);
    }
    // A create likewise.
    const key = { 'idempotency-key': `race-create-${Date.now()}` };
    const bodies = [{}, { organizationKind: '市町村長部局' }].map((extra) => ({ workflow: 'connection-application', organizationCode: '132021', category: '接続', ...extra }));
    const creates = await Promise.all(bodies.map((body) => driver.as('otherApplicant', 'POST', '/applications', body, key)));
    expect(creates.map((c) => c.status).sort()).toEqual([201, 422]);
  });

  it('412 for a stale If-Match; of two concurrent approvals with the same If-Match one wins', async () => {
    const other = await driver.draftWithForms();
    const submitted = await driver.act('applicant', other, 'submit');
    const etag = submitted.headers.get('etag')!;
    const stale = await driver.act('prefectureReviewer', other, 'approve', {}, { 'if-match': `"${submitted.body.revision - 1}"` });
    expect(stale.status).toBe(412);
    expect(stale.body.currentRevision).toBe(submitted.body.revision);
    const results = await Promise.all([
      driver.act('prefectureReviewer', other, 'approve', {}, { 'if-match': etag }),
      driver.act('prefectureReviewer', other, 'approve', {}, { 'if-match': etag }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
    const history = await driver.as('auditor', 'GET', `/applications/${other}/history`);
    expect(history.body.events.filter((e: { type: string }) => e.type === 'FirstReviewApproved')).toHaveLength(1);
  });

  it('a repeated Idempotency-Key returns the first result and appends nothing; reuse for another request is refused', async () => {
    const key = { 'idempotency-key': `create-${Date.now()}` };
    const first = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '登録' }, key);
    const again = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '登録' }, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const reused = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '変更' }, key);
    expect(reused.status).toBe(422);

    const appId = await driver.draftWithForms();
    const submitKey = { 'idempotency-key': `submit-${appId}` };
    const submitted = await driver.act('applicant', appId, 'submit', {}, submitKey);
    const withdrawnMeanwhile = await driver.act('applicant', appId, 'withdraw', { comment: '都合により取り下げます。' });
    expect(withdrawnMeanwhile.body.state).toBe('withdrawn');
    const repeated = await driver.act('applicant', appId, 'submit', {}, submitKey);
    expect(repeated.status).toBe(200);
    expect(repeated.body).toEqual(submitted.body);
    const history = await driver.as('auditor', 'GET', `/applications/${appId}/history`);
    expect(history.body.events.filter((e: { type: string }) => e.type === 'ApplicationSubmitted')).toHaveLength(1);
  });

  it('a null in a form is no value: the field is left out of what is stored, never stored as null where the schema promises a string', async () => {
    const app = await driver.draftWithForms();
    const { forms } = await driver.examples();
    const example = forms.find((f) => f.code === '02-01')!.example as { filler: Record<string, unknown> };
    const saved = await driver.as('applicant', 'PUT', `/applications/${app}/forms/02-01`, { ...example, filler: { ...example.filler, phone: null, email: null } });
    expect(saved.status).toBe(200);
    const history = await driver.as('auditor', 'GET', `/applications/${app}/history`, undefined, { 'x-access-purpose': 'audit' });
    const stored = history.body.events.filter((e: { type: string; data: { formCode?: string } }) => e.type === 'FormSaved' && e.data.formCode === '02-01').at(-1).data.form;
    expect(stored.filler).not.toHaveProperty('phone');
    expect(stored.filler).not.toHaveProperty('email');
    expect(JSON.stringify(stored)).not.toContain('null');
  });
});
