import { TestServer } from '../testing/test-server';
import { Driver } from '../testing/drive';
import type { JsonObject } from '@nws/engine';
import { asFiledBy } from '@nws/workflows/connection-application/forms/testing/form-spec.helpers';

describe('routing over HTTP: boards of education through their head department, governor departments to J-LIS', () => {
  let server: TestServer;
  let driver: Driver;
  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
  });
  afterAll(() => server.stop());
  const ids = (response: { body: { items: Array<{ id: string }> } }) => response.body.items.map((i) => i.id);
  const listed = (response: { body: Array<{ id: string }> }) => response.body.map((row) => row.id);

  it("a municipal board of education's application reaches the prefecture only through its head's department", async () => {
    const id = await driver.draftWithForms('boardOfEducation');
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-01`, {})).status).toBe(403);
    const submitted = await driver.act('boardOfEducation', id, 'submit');
    expect(submitted.body).toMatchObject({ state: 'awaitingForward', organization: { kind: '市町村教育委員会' }, routing: { forwardVia: '市町村長部局', firstReviewer: '130001' } });
    expect(ids(await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first'))).not.toContain(id);
    // Not yet the prefecture's, nor MIC's: they neither read it (its 緊急連絡先 among the forms) nor list it.
    for (const reviewer of ['prefectureReviewer', 'micReviewer'] as const) {
      expect([reviewer, (await driver.as(reviewer, 'GET', `/applications/${id}`)).status]).toEqual([reviewer, 403]);
      expect(listed(await driver.as(reviewer, 'GET', '/applications?limit=1000'))).not.toContain(id);
    }
    expect((await driver.act('prefectureReviewer', id, 'approve')).status).toBe(403);
    expect(ids(await driver.as('applicant', 'GET', '/review-queue?stage=forward'))).toContain(id);
    // An applicant's queue is the one it forwards.
    expect(ids(await driver.as('applicant', 'GET', '/review-queue'))).toContain(id);
    expect((await driver.as('boardOfEducation', 'GET', '/review-queue?stage=forward')).status).toBe(403);
    expect((await driver.act('boardOfEducation', id, 'forward')).status).toBe(403);
    expect((await driver.act('otherApplicant', id, 'forward')).status).toBe(403);
    const forwarded = await driver.act('applicant', id, 'forward', { comment: '内容を確認し進達します。' });
    expect(forwarded.body.state).toBe('firstReview');
    // The first reviewer is handed who forwarded it, when, and what they said, in the view itself.
    const handed = await driver.as('prefectureReviewer', 'GET', `/applications/${id}`);
    expect(handed.body.forwarding).toMatchObject({ round: 1, at: expect.any(String), comment: '内容を確認し進達します。', by: { org: '132012', organ: '市町村長部局', department: '情報管理課' } });
    expect(ids(await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first'))).toContain(id);
    expect((await driver.as('prefectureReviewer', 'GET', `/applications/${id}`)).status).toBe(200);
    expect(listed(await driver.as('prefectureReviewer', 'GET', '/applications?limit=1000'))).toContain(id);
    const history = await driver.as('auditor', 'GET', `/applications/${id}/history`);
    const forwardEvent = history.body.events.find((e: { type: string }) => e.type === 'ApplicationForwarded');
    expect(forwardEvent.data.forwardedBy).toMatchObject({ org: '132012', organ: '市町村長部局' });
  });

  it('a reviewer’s token of a prefectural board of education shares the prefecture’s code but is not the 取りまとめ都道府県: it neither decides, reads nor queues a municipality’s review', async () => {
    const id = await driver.draftWithForms();
    expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
    const board = await server.token({ sub: 'tokyo-kyoiku-rev', org: '130001', organ: '都道府県教育委員会', role: 'first-reviewer', name: '都教委 花子', department: '教育庁総務課' });
    const approve = await server.request('POST', `/applications/${id}/actions/approve`, { token: board, body: {} });
    expect(approve.status).toBe(403);
    expect((await server.request('GET', `/applications/${id}`, { token: board })).status).toBe(403);
    expect((await server.request('GET', '/review-queue?stage=first', { token: board })).status).toBe(403);
    expect((await server.request('GET', '/applications?limit=1000', { token: board })).body).toEqual([]);
    expect((await driver.as('auditor', 'GET', `/applications/${id}`)).body.state).toBe('firstReview');
    expect((await driver.act('prefectureReviewer', id, 'approve')).status).toBe(200);
  });

  it('a board’s resubmission waiting for forwarding is not the reviewers’ by its past either: the revision of its round-2 draft is no way round', async () => {
    const id = await driver.draftWithForms('boardOfEducation');
    expect((await driver.act('boardOfEducation', id, 'submit')).status).toBe(200);
    expect((await driver.act('applicant', id, 'forward')).status).toBe(200);
    expect((await driver.act('prefectureReviewer', id, 'reject', { comment: '様02-02の緊急連絡先1の携帯電話番号を確認してください。' })).status).toBe(200);
    expect((await driver.act('boardOfEducation', id, 'revise')).status).toBe(200);
    const { forms } = await driver.examples();
    const saved = await driver.as('boardOfEducation', 'PUT', `/applications/${id}/forms/02-02`, forms.find((f) => f.code === '02-02')!.example);
    expect(saved.status).toBe(200);
    const draftRevision = saved.body.revision as number;
    expect((await driver.act('boardOfEducation', id, 'submit')).body.state).toBe('awaitingForward');
    for (const path of [`/applications/${id}`, `/applications/${id}?asOfRevision=${draftRevision}`, `/applications/${id}/path?asOfRevision=${draftRevision}`]) {
      expect([path, (await driver.as('prefectureReviewer', 'GET', path)).status]).toEqual([path, 403]);
    }
  });

  it('withdrawn before it was forwarded, a board’s application never becomes the reviewers’; withdrawn before it was submitted, never its head department’s (both were readable once withdrawn, 緊急連絡先 included)', async () => {
    const waiting = await driver.draftWithForms('boardOfEducation');
    expect((await driver.act('boardOfEducation', waiting, 'submit')).body.state).toBe('awaitingForward');
    expect((await driver.act('boardOfEducation', waiting, 'withdraw')).body.state).toBe('withdrawn');
    for (const reviewer of ['prefectureReviewer', 'micReviewer'] as const) {
      for (const path of [`/applications/${waiting}`, `/applications/${waiting}/history`]) {
        expect([reviewer, path, (await driver.as(reviewer, 'GET', path)).status]).toEqual([reviewer, path, 403]);
      }
      expect(listed(await driver.as(reviewer, 'GET', '/applications?state=withdrawn&limit=1000'))).not.toContain(waiting);
    }
    // The head department received it (submitted): it still reads it.
    expect((await driver.as('applicant', 'GET', `/applications/${waiting}`)).status).toBe(200);

    const draft = await driver.draftWithForms('boardOfEducation');
    expect((await driver.act('boardOfEducation', draft, 'withdraw')).body.state).toBe('withdrawn');
    expect((await driver.as('applicant', 'GET', `/applications/${draft}`)).status).toBe(403);
    expect(listed(await driver.as('applicant', 'GET', '/applications?state=withdrawn&limit=1000'))).not.toContain(draft);
    expect((await driver.as('boardOfEducation', 'GET', `/applications/${draft}`)).status).toBe(200);
    expect(listed(await driver.as('boardOfEducation', 'GET', '/applications?state=withdrawn&limit=1000'))).toContain(draft);
  });

  it("a head department's own application goes straight to its prefecture", async () => {
    const id = await driver.draftWithForms();
    expect((await driver.act('applicant', id, 'submit')).body).toMatchObject({ state: 'firstReview', routing: { forwardVia: null } });
  });

  it("a prefectural governor department's application goes to J-LIS, which its own prefecture may not review", async () => {
    const tokyo = await server.token({ sub: 'tokyo-app', org: '130001', role: 'applicant' });
    const created = await server.request('POST', '/applications', { token: tokyo, body: { workflow: 'connection-application', organizationCode: '130001', category: '登録' } });
    expect(created.body.organization).toMatchObject({ kind: '都道府県知事部局', name: '東京都' });
    const definition = (await driver.as('auditor', 'GET', '/workflows/connection-application')).body;
    for (const code of definition.categories['登録'].requiredForms as string[]) {
      const form = (definition.forms as Array<{ code: string; example: unknown }>).find((f) => f.code === code)!;
      expect((await server.request('PUT', `/applications/${created.body.id}/forms/${code}`, { token: tokyo, body: asFiledBy(code, form.example as JsonObject, '東京都') })).status).toBe(200);
    }
    const submitted = await server.request('POST', `/applications/${created.body.id}/actions/submit`, { token: tokyo, body: {} });
    expect(submitted.body.routing.firstReviewer).toBe('J-LIS');
    expect((await driver.act('prefectureReviewer', created.body.id, 'approve')).status).toBe(403);
    const jlis = await server.token({ sub: 'jlis-1', org: 'J-LIS', role: 'first-reviewer', name: '機構 次郎', department: '審査課' });
    expect((await server.request('GET', '/review-queue?stage=first', { token: jlis })).body.items.map((i: { id: string }) => i.id)).toContain(created.body.id);
    expect((await server.request('POST', `/applications/${created.body.id}/actions/approve`, { token: jlis, body: {} })).body.state).toBe('secondReview');
  });
});
