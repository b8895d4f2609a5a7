import { TestServer } from '../testing/test-server';
import { Driver } from '../testing/drive';

describe('applications over HTTP (real port, embedded SQLite)', () => {
  let server: TestServer;
  let driver: Driver;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
  });
  afterAll(() => server.stop());

  it('drives one application from creation through both reviews to distributed, using only the published examples', async () => {
    const id = await driver.draftWithForms();
    const draft = await driver.as('applicant', 'GET', `/applications/${id}`);
    expect(draft.body).toMatchObject({ state: 'draft', workflow: 'connection-application', machineVersion: '1', organization: { code: '132012', name: '八王子市' } });
    expect(draft.body.allowedActions).toEqual(['submit', 'withdraw']);
    expect(draft.headers.get('etag')).toBe(`"${draft.body.revision}"`);

    const submitted = await driver.act('applicant', id, 'submit');
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ state: 'firstReview', routing: { firstReviewer: '130001', secondReviewer: 'MIC' } });
    expect(submitted.body.applicationNumber).toMatch(/^\d{8}-132012-[0-9A-F]{6}$/);

    const queue = await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first');
    expect(queue.body.items.map((i: { id: string }) => i.id)).toContain(id);
    const reviewerView = await driver.as('prefectureReviewer', 'GET', `/applications/${id}`);
    expect(reviewerView.body.allowedActions).toEqual(['approve', 'reject']);

    const first = await driver.act('prefectureReviewer', id, 'approve', { comment: '内容を確認しました。' });
    expect(first.body.state).toBe('secondReview');
    expect((await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first')).body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await driver.as('micReviewer', 'GET', '/review-queue?stage=second')).body.items.map((i: { id: string }) => i.id)).toContain(id);

    const second = await driver.act('micReviewer', id, 'approve');
    expect(second.body.state).toBe('masterDataRegistered');
    expect(second.body.masterData).toMatchObject({ version: 1, contentHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });

    const published = await driver.as('distributor', 'GET', '/master-data/organizations/132012');
    expect(published.status).toBe(200);
    expect(published.body.version).toBe(1);
    // The sample's 緊急連絡先 mobile, in stored (digits) and displayed form; a bare '090' would also
    // match by chance inside the sha256 content hash.
    expect(JSON.stringify(published.body)).not.toMatch(/090-?1234-?5678/);
    expect(JSON.stringify(published.body)).not.toContain('kinkyu');

    const distributed = await driver.act('distributor', id, 'confirm-distribution');
    expect(distributed.body.state).toBe('distributed');
    expect(distributed.body.allowedActions).toEqual([]);

    // Auditors state why they read personal data (X-Access-Purpose); without it names are withheld.
    const history = await driver.as('auditor', 'GET', `/applications/${id}/history`, undefined, { 'x-access-purpose': 'audit' });
    const types = history.body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual([
      'ApplicationCreated',
      'FormSaved',
      'FormSaved',
      'FormSaved',
      'ApplicationSubmitted',
      'FirstReviewApproved',
      'SecondReviewApproved',
      'MasterDataRegistered',
      'MasterDataDistributed',
    ]);
    const firstReview = history.body.events[5];
    expect(firstReview.actor).toMatchObject({ sub: 'tokyo-1', org: '130001', role: 'first-reviewer', name: '東京 太郎' });
    expect(firstReview).toMatchObject({ machineVersion: '1', stateAfter: 'secondReview', revision: 5 });
    expect(history.body.events.every((e: { occurredAt: string; position: number }) => typeof e.occurredAt === 'string' && e.position > 0)).toBe(true);
    expect(history.body.events[7].causationId).toBe(history.body.events[6].eventId);
  });

  it('rejection, revision and resubmission keep the application number and every round in the history', async () => {
    const id = await driver.draftWithForms();
    const submitted = await driver.act('applicant', id, 'submit');
    const rejected = await driver.act('prefectureReviewer', id, 'reject', { comment: '様02-02の通常連絡先を直通番号にしてください。' });
    expect(rejected.body.state).toBe('rejected');
    expect(rejected.body.reviews.at(-1)).toMatchObject({ result: '否認', comment: '様02-02の通常連絡先を直通番号にしてください。', stage: 'first' });
    const applicantView = await driver.as('applicant', 'GET', `/applications/${id}`);
    expect(applicantView.body.reviews[0].comment).toContain('直通番号');
    expect(applicantView.body.allowedActions).toEqual(['revise', 'withdraw']);
    const revised = await driver.act('applicant', id, 'revise');
    expect(revised.body).toMatchObject({ state: 'draft', round: 2 });
    const again = await driver.act('applicant', id, 'submit');
    expect(again.body.applicationNumber).toBe(submitted.body.applicationNumber);
    expect(again.body.round).toBe(2);
  });

  it('shows phone numbers with hyphens, stores digits, and takes a view back unchanged', async () => {
    const id = await driver.draftWithForms();
    const view = await driver.as('applicant', 'GET', `/applications/${id}`);
    const shown = view.body.forms['02-02'].data;
    expect(shown.normalContacts.map((c: { phone: string }) => c.phone)).toEqual(['042-620-7200', '042-620-7201']);
    expect(shown.emergencyContacts[0].mobile).toBe('090-1234-5678');
    expect(view.body.forms['02-01'].data.filler.phone).toBe('042-626-3111');

    // A client sends the form back as it was shown: accepted, and stored as the same digits.
    const saved = await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, shown);
    expect(saved.status).toBe(200);
    expect(saved.body.forms['02-02'].data).toEqual(shown);
    const history = await driver.as('applicant', 'GET', `/applications/${id}/history`);
    const stored = history.body.events.filter((e: { type: string; data: { formCode: string } }) => e.type === 'FormSaved' && e.data.formCode === '02-02');
    expect(stored).toHaveLength(2);
    for (const event of stored) {
      expect(event.data.form.normalContacts.map((c: { phone: string }) => c.phone)).toEqual(['0426207200', '0426207201']);
      expect(event.data.form.emergencyContacts[0].mobile).toBe('09012345678');
    }
  });
});
