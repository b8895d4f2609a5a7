import { diffJson } from '@nws/audit';
import { TestServer } from '../testing/test-server';
import { Driver, type ActorName } from '../testing/drive';

interface Recorded {
  readonly actor: ActorName;
  readonly what: string;
  readonly status: number;
  readonly body: any;
  /** Client time just after the answer, strictly before the next request. */
  readonly at: string;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

/**
 * GET /applications/{id}?asOfRevision=N / ?asOf=<ISO> must give back exactly what the API
 * answered at that moment — state, forms, reviews, and the actions the caller could take then.
 */
describe('time travel: an application replayed at every revision equals what the API said then (two rounds)', () => {
  let server: TestServer;
  let driver: Driver;
  const recorded: Recorded[] = [];
  let id = '';

  async function record(actor: ActorName, what: string, response: Promise<{ status: number; body: any }>) {
    await tick();
    const { status, body } = await response;
    const at = new Date().toISOString();
    await tick();
    recorded.push({ actor, what, status, body, at });
    return body;
  }
  const look = (actor: ActorName) => record(actor, `GET as ${actor}`, driver.as(actor, 'GET', `/applications/${id}`));

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    const { create, forms: all } = await driver.examples();
    // The 様02 forms are what a 登録 application submits (様03 belong to 接続 applications).
    const forms = all.filter((f) => f.code.startsWith('02-'));
    id = (await record('applicant', 'create', driver.as('applicant', 'POST', '/applications', create))).id;
    await look('prefectureReviewer'); // 403 then: the draft is not routed to anyone yet
    for (const form of forms) await record('applicant', `save ${form.code}`, driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, form.example));
    await record('applicant', 'submit', driver.act('applicant', id, 'submit'));
    await look('prefectureReviewer');
    await look('auditor');
    await record('prefectureReviewer', 'reject', driver.act('prefectureReviewer', id, 'reject', { comment: '様02-02の通常連絡先を直通番号にしてください。' }));
    await look('applicant');
    await record('applicant', 'revise', driver.act('applicant', id, 'revise'));
    const contacts = forms.find((f) => f.code === '02-02')!.example as { normalContacts: Array<Record<string, unknown>> };
    const revised = { ...contacts, normalContacts: [{ ...contacts.normalContacts[0], phone: '042-620-7300' }] };
    await record('applicant', 'save 02-02 again', driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, revised));
    await record('applicant', 'resubmit', driver.act('applicant', id, 'submit'));
    await look('prefectureReviewer');
    await record('prefectureReviewer', 'approve (first)', driver.act('prefectureReviewer', id, 'approve', { comment: '確認しました。' }));
    await look('micReviewer');
    await record('micReviewer', 'approve (second)', driver.act('micReviewer', id, 'approve'));
    await look('distributor');
    await record('distributor', 'confirm distribution', driver.act('distributor', id, 'confirm-distribution'));
    await look('applicant');
  }, 30_000);
  afterAll(() => server.stop());

  it('went through two rounds (the flow the replays below cover)', () => {
    expect(recorded.every((r) => r.status === 200 || r.status === 201 || (r.what === 'GET as prefectureReviewer' && r.status === 403))).toBe(true);
    expect(recorded.find((r) => r.what === 'reject')!.body.state).toBe('rejected');
    expect(recorded.find((r) => r.what === 'resubmit')!.body).toMatchObject({ state: 'firstReview', round: 2 });
    expect(recorded.at(-1)!.body).toMatchObject({ state: 'distributed', allowedActions: [] });
  });

  /** Field by field (the audit lib's own diff), so a failure names the answer and the fields that differ. */
  const differences = (answer: Recorded, replay: { status: number; body: any }) => {
    const changes = diffJson(answer.body, replay.body);
    return replay.status === answer.status && changes.length === 0 ? [] : [{ what: answer.what, actor: answer.actor, revision: answer.body?.revision, status: replay.status, changes }];
  };

  it('?asOfRevision=<the revision of each answer> returns that answer exactly, for the same caller', async () => {
    const answers = recorded.filter((r) => r.status < 300);
    expect(answers.length).toBeGreaterThan(15);
    const mismatches = [];
    for (const answer of answers) {
      const replay = await driver.as(answer.actor, 'GET', `/applications/${id}?asOfRevision=${answer.body.revision}`);
      mismatches.push(...differences({ ...answer, status: 200 }, replay));
      expect(replay.headers.get('etag')).toBe(`"${answer.body.revision}"`);
    }
    expect(mismatches).toEqual([]);
  });

  it('?asOf=<the time just after each answer> returns that answer exactly (and the 403 of a draft before it was routed)', async () => {
    const mismatches = [];
    for (const answer of recorded) {
      const replay = await driver.as(answer.actor, 'GET', `/applications/${id}?asOf=${encodeURIComponent(answer.at)}`);
      if (answer.status === 403) expect(replay.status).toBe(403);
      else mismatches.push(...differences({ ...answer, status: 200 }, replay));
    }
    expect(mismatches).toEqual([]);
  });

  it('every revision replays to the state the engine recorded on that event; before creation there is nothing', async () => {
    const history = (await driver.as('auditor', 'GET', `/applications/${id}/history`)).body.events as Array<{ revision: number; stateAfter: string; occurredAt: string }>;
    expect(history.length).toBe(recorded.at(-1)!.body.revision + 1);
    for (const event of history) {
      const replay = await driver.as('auditor', 'GET', `/applications/${id}?asOfRevision=${event.revision}`);
      expect([event.revision, replay.body.revision, replay.body.state]).toEqual([event.revision, event.revision, event.stateAfter]);
      expect(replay.body.allowedActions).toEqual([]);
    }
    const before = new Date(Date.parse(history[0]!.occurredAt) - 1).toISOString();
    expect((await driver.as('auditor', 'GET', `/applications/${id}?asOf=${encodeURIComponent(before)}`)).status).toBe(404);
    expect((await driver.as('auditor', 'GET', `/applications/${id}?asOfRevision=-1`)).status).toBe(400);
    expect((await driver.as('auditor', 'GET', `/applications/${id}?asOf=yesterday`)).status).toBe(400);
  });

  it('?asOf with its +09:00 typed as it is (a `+` in a query string is a space) is the same moment, not a time without an offset', async () => {
    const last = recorded.at(-1)!;
    // The moment of the last answer, written in Japan time with its offset, the `+` left unencoded.
    const japan = new Date(Date.parse(last.at) + 9 * 3600_000).toISOString().replace(/Z$/, '+09:00');
    const typed = await driver.as('auditor', 'GET', `/applications/${id}?asOf=${japan}`);
    const encoded = await driver.as('auditor', 'GET', `/applications/${id}?asOf=${encodeURIComponent(japan)}`);
    expect([typed.status, typed.body.revision]).toEqual([200, last.body.revision]);
    expect(typed.body).toEqual(encoded.body);
    // A space that is not where an offset's sign goes is still refused.
    expect((await driver.as('auditor', 'GET', `/applications/${id}?asOf=2026-12-05%2009:00+09:00`)).status).toBe(400);
  });
});
