import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MasterDataFiles, hashOf } from '../../../distributor/src/master-data-files.writer';
import { SseClient } from '../distribution/testing/sse-client';
import { PLACEHOLDER } from '@nws/personal-data';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { TANAKA, draftWithContactForms, registeredApplication } from './testing/personal-data.fixture';

const EMERGENCY = [TANAKA.mobile, TANAKA.mobileShown, TANAKA.emergencyEmail, 'kinkyu'];
const TAKAHASHI = { name: '高橋 四郎', phone: '0426207201', phoneShown: '042-620-7201', email: 'joho@city.hachioji.tokyo.jp' };

/** Who sees which personal data, what the access log records, and what 利用停止 hides. */
describe('personal data over HTTP: access by role, the access log, suspension', () => {
  let server: TestServer;
  let driver: Driver;
  let id: string;
  let draftId: string;

  const log = async (query: string) => (await driver.as('auditor', 'GET', `/personal-data/access-log?${query}`)).body.entries as Array<Record<string, any>>;
  const subjectOf = async (name: string) => (await driver.as('applicant', 'GET', '/personal-data/subjects')).body.subjects.find((s: { label: string }) => s.label === name).subjectId as string;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    id = await registeredApplication(driver);
    draftId = (await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '変更' })).body.id;
  });
  afterAll(() => server.stop());

  it('the body reads everything and is not logged; its reviewers read 緊急連絡先 too, logged with the purpose 審査', async () => {
    const own = await driver.as('applicant', 'GET', `/applications/${id}`);
    expect(own.body.forms['02-02'].data.emergencyContacts[0].mobile).toBe(TANAKA.mobileShown);
    expect(await log(`applicationId=${id}&actorSub=yamada`)).toEqual([]);
    const reviewer = await driver.as('prefectureReviewer', 'GET', `/applications/${id}`);
    expect(reviewer.body.forms['02-02'].data.emergencyContacts[0].mobile).toBe(TANAKA.mobileShown);
    const entries = await log(`applicationId=${id}&actorSub=tokyo-1`);
    const read = entries.find((e) => e.method === 'GET' && e.route === '/applications/:id')!;
    expect(read).toMatchObject({ purpose: 'review', organizationCode: '132012', actor: { org: '130001', role: 'first-reviewer' } });
    expect(read.fields).toEqual(expect.arrayContaining(['forms.02-02.data.emergencyContacts[0].mobile', 'forms.02-02.data.normalContacts[0].phone']));
    expect(read.subjectIds).toContain(await subjectOf(TANAKA.name));
    for (const value of [TANAKA.mobile, TANAKA.mobileShown]) expect(JSON.stringify(entries)).not.toContain(value);
  });

  it('a malformed X-Access-Purpose or X-Access-Reference on a command is refused before it runs: 400 naming the header, nothing appended', async () => {
    const before = (await driver.as('applicant', 'GET', `/applications/${draftId}/history`)).body;
    // A valid form: without the check it would be saved.
    const body = (await driver.examples()).forms.find((f) => f.code === '02-06')!.example;
    for (const [headers, field, rule] of [
      [{ 'x-access-purpose': 'curiosity' }, 'X-Access-Purpose', 'accessPurpose'],
      [{ 'x-access-reference': 'yamada hanako' }, 'X-Access-Reference', 'reference'],
    ] as const) {
      const refused = await driver.as('applicant', 'PUT', `/applications/${draftId}/forms/02-06`, body, headers);
      expect(refused.status).toBe(400);
      expect(refused.body.violations[0]).toMatchObject({ field, rule, message: { ja: expect.stringContaining(field), en: expect.stringContaining(field) } });
    }
    expect((await driver.as('applicant', 'GET', `/applications/${draftId}/history`)).body).toEqual(before);
  });

  it('an auditor without a purpose gets no personal data; with one, all but 緊急連絡先, and the read is logged', async () => {
    const blind = await driver.as('auditor', 'GET', `/applications/${id}/history`);
    expect(blind.status).toBe(200);
    expect(Number(blind.headers.get('x-personal-data-withheld'))).toBeGreaterThan(0);
    const text = JSON.stringify(blind.body);
    for (const value of [TANAKA.name, TANAKA.phone, TANAKA.phoneShown, TANAKA.mobile, TANAKA.mobileShown, '佐藤 一郎']) expect(text).not.toContain(value);
    expect(text).toContain(PLACEHOLDER.purposeRequired);
    expect(await log(`applicationId=${id}&actorSub=audit-1`)).toEqual([]);

    const bad = await driver.as('auditor', 'GET', `/applications/${id}`, undefined, { 'x-access-purpose': 'curiosity' });
    expect(bad.status).toBe(400);
    expect(bad.body.violations[0]).toMatchObject({ field: 'X-Access-Purpose', rule: 'accessPurpose' });

    const audited = await driver.as('auditor', 'GET', `/applications/${id}`, undefined, { 'x-access-purpose': 'audit', 'x-access-reference': 'AUD-2026-07' });
    expect(audited.body.forms['02-02'].data.normalContacts[0]).toMatchObject({ name: TANAKA.name, phone: TANAKA.phoneShown });
    expect(audited.body.forms['02-01'].data.structure.systemResponsible.name).toBe('佐藤 一郎');
    expect(audited.body.forms['02-02'].data.emergencyContacts[0]).toMatchObject({ name: PLACEHOLDER.withheld, mobile: PLACEHOLDER.withheld, email: PLACEHOLDER.withheld });
    const [entry] = await log(`applicationId=${id}&actorSub=audit-1`);
    expect(entry).toMatchObject({ purpose: 'audit', reference: 'AUD-2026-07', route: '/applications/:id', actor: { role: 'auditor' } });
    expect(entry!.fields).not.toContain('forms.02-02.data.emergencyContacts[0].mobile');
  });

  it('緊急連絡先 never leave the body and its reviewers: not in lists, published master data, nor to distributors', async () => {
    const reads = [
      await driver.as('distributor', 'GET', `/applications/${id}`),
      await driver.as('distributor', 'GET', `/applications/${id}/history`),
      await driver.as('auditor', 'GET', `/applications/${id}/history`, undefined, { 'x-access-purpose': 'audit' }),
      await driver.as('otherApplicant', 'GET', '/master-data/organizations/132012'),
      await driver.as('distributor', 'GET', '/master-data/organizations/132012/versions'),
      await driver.as('distributor', 'GET', '/master-data/organizations/132012/versions/1'),
      ...(await Promise.all((['applicant', 'prefectureReviewer', 'micReviewer', 'auditor', 'distributor'] as const).map((who) => driver.as(who, 'GET', '/applications')))),
      await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first'),
      await driver.as('auditor', 'GET', '/review-queue?stage=second'),
    ];
    for (const read of reads) {
      expect(read.status).toBe(200);
      for (const value of EMERGENCY) expect(JSON.stringify(read.body)).not.toContain(value);
    }
    const [asDistributor] = reads;
    expect(asDistributor!.body.forms['02-02'].data.normalContacts[0].phone).toBe(TANAKA.phoneShown);
    expect(asDistributor!.body.forms['02-01'].data.filler.name).toBe(PLACEHOLDER.withheld);
    expect(reads[3]!.body.content.contacts[0]).toMatchObject({ name: TANAKA.name, phone: TANAKA.phone });
    expect((await log('actorSub=tachikawa'))[0]).toMatchObject({ purpose: 'published-contact', route: '/master-data/organizations/:code' });
  });

  it('利用停止 hides a person from published views and distribution, keeps them for the body, reviewers and the audit trail', async () => {
    const subjectId = await subjectOf(TAKAHASHI.name);
    const registeredHash = (await driver.as('otherApplicant', 'GET', '/master-data/organizations/132012')).body.contentHash as string;
    const suspended = await driver.as('micReviewer', 'POST', `/personal-data/subjects/${subjectId}/suspension`, { legalBasis: 'appi-98-suspension', reference: 'REQ-7' });
    expect(suspended.status).toBe(200);
    expect(suspended.body.suspendedAt).not.toBeNull();
    const published = await driver.as('otherApplicant', 'GET', '/master-data/organizations/132012');
    expect(published.body.content.contacts[1]).toMatchObject({ name: PLACEHOLDER.suspended, phone: PLACEHOLDER.suspended, email: PLACEHOLDER.suspended });
    expect(published.body.content.contacts[0].name).toBe(TANAKA.name);
    // The content as sent no longer matches the version's hash: it comes with the hash of what was sent.
    expect(published.body.contentHash).toBe(registeredHash);
    expect(published.body.publishedContentHash).toBe(hashOf(published.body.content));
    expect(published.body.publishedContentHash).not.toBe(registeredHash);
    const distributor = await driver.as('distributor', 'GET', `/applications/${id}`);
    expect(distributor.body.forms['02-02'].data.normalContacts[1].phone).toBe(PLACEHOLDER.suspended);
    // A diff's values are classified by path, without their person: where suspension decides, they are withheld.
    const diff = await driver.as('distributor', 'GET', `/applications/${id}/master-data-diff`);
    expect(diff.status).toBe(200);
    for (const value of [TAKAHASHI.phone, TAKAHASHI.phoneShown, TAKAHASHI.name]) expect(JSON.stringify(diff.body)).not.toContain(value);
    expect(JSON.stringify(diff.body)).toContain(PLACEHOLDER.withheld);
    expect((await driver.as('prefectureReviewer', 'GET', `/applications/${id}`)).body.forms['02-02'].data.normalContacts[1].phone).toBe(TAKAHASHI.phoneShown);
    expect((await driver.as('auditor', 'GET', '/master-data/organizations/132012', undefined, { 'x-access-purpose': 'audit' })).body.content.contacts[1].name).toBe(TAKAHASHI.name);
    // Distribution too: the pull endpoint and the Server-Sent Events stream (whose events no answer hook sees).
    const pulled = await driver.as('distributor', 'GET', '/distribution/reference-distributor/events?after=0&limit=100');
    const pulledVersion = pulled.body.events.find((e: { type: string }) => e.type === 'MasterDataVersionRegistered');
    expect(pulledVersion.data.content.contacts[1].phone).toBe(PLACEHOLDER.suspended);
    // ...which the reference distributor writes, instead of parking the version for good.
    const output = mkdtempSync(join(tmpdir(), 'nws-withheld-'));
    const files = new MasterDataFiles(output);
    try {
      expect(await files.publish(pulledVersion)).toMatchObject({ kind: 'written' });
    } finally {
      await files.close();
      rmSync(output, { recursive: true, force: true });
    }
    const sse = await SseClient.connect(`${server.url}/distribution/reference-distributor/stream?after=0`, await driver.token('distributor'));
    try {
      await sse.waitFor((c) => c.messages.some((m) => m.event === 'MasterDataVersionRegistered'));
      const streamed = JSON.parse(sse.messages.find((m) => m.event === 'MasterDataVersionRegistered')!.data!);
      expect(streamed.data.content.contacts[1]).toMatchObject({ name: PLACEHOLDER.suspended, phone: PLACEHOLDER.suspended });
      expect(streamed.data.content.contacts[0].name).toBe(TANAKA.name);
      expect(streamed.data).toMatchObject({ contentHash: registeredHash, publishedContentHash: hashOf(streamed.data.content) });
      for (const value of [TAKAHASHI.phone, TAKAHASHI.phoneShown]) expect(JSON.stringify(sse.messages)).not.toContain(value);
      // What left by the stream is in the access log, like what left by the pull.
      const streamedTo = (await log('actorSub=dist-1')).filter((e) => e.route === '/distribution/:consumer/stream');
      expect(streamedTo).toEqual(expect.arrayContaining([expect.objectContaining({ purpose: 'distribution', organizationCode: '132012', subjectIds: expect.arrayContaining([await subjectOf(TANAKA.name)]) })]));
      expect(streamedTo.flatMap((e) => e.subjectIds)).not.toContain(subjectId);
    } finally {
      sse.close();
    }

    const resumed = await driver.as('applicant', 'POST', `/personal-data/subjects/${subjectId}/resumption`, { legalBasis: 'suspension-lifted' });
    expect(resumed.body.suspendedAt).toBeNull();
    const lifted = (await driver.as('otherApplicant', 'GET', '/master-data/organizations/132012')).body;
    expect(lifted.content.contacts[1].name).toBe(TAKAHASHI.name);
    expect(lifted).not.toHaveProperty('publishedContentHash');
    expect(hashOf(lifted.content)).toBe(lifted.contentHash);
    const trail = (await driver.as('applicant', 'GET', `/personal-data/subjects/${subjectId}`)).body.requests.map((r: { type: string; legalBasis: string }) => `${r.type}:${r.legalBasis}`);
    expect(trail).toEqual(['PersonalDataUseSuspended:appi-98-suspension', 'PersonalDataUseResumed:suspension-lifted']);
  });

  it('field-by-field diffs (rounds, master data) are redacted by field path like everything else', async () => {
    const { forms } = await driver.examples();
    const example = forms.find((f) => f.code === '02-02')!.example as { emergencyContacts: Array<{ mobile: string }> };
    const other = await draftWithContactForms(driver);
    await driver.act('applicant', other, 'submit');
    await driver.act('prefectureReviewer', other, 'reject', { comment: '様02-02の緊急連絡先の携帯番号を確認してください。' });
    await driver.act('applicant', other, 'revise');
    const changed = { ...example, emergencyContacts: [{ ...example.emergencyContacts[0], mobile: '080-9876-5432' }] };
    expect((await driver.as('applicant', 'PUT', `/applications/${other}/forms/02-02`, changed)).status).toBe(200);
    await driver.act('applicant', other, 'submit');
    const ownDiff = await driver.as('applicant', 'GET', `/applications/${other}/diff`);
    // Round diffs compare the views, so numbers read as they are shown.
    expect(JSON.stringify(ownDiff.body)).toContain('080-9876-5432');
    const audited = await driver.as('auditor', 'GET', `/applications/${other}/diff`, undefined, { 'x-access-purpose': 'audit' });
    expect(audited.status).toBe(200);
    for (const value of [TANAKA.mobile, TANAKA.mobileShown, '08098765432', '080-9876-5432']) expect(JSON.stringify(audited.body)).not.toContain(value);
    expect(JSON.stringify(audited.body)).toContain(PLACEHOLDER.withheld);
    const blind = await driver.as('auditor', 'GET', `/applications/${other}/diff`);
    expect(JSON.stringify(blind.body)).not.toContain('東京 太郎');
    // Who saved a form ({ sub, name }, no body of its own) is the applicant body's person too.
    expect(JSON.stringify(ownDiff.body)).toContain('山田 花子');
    expect(JSON.stringify(blind.body)).not.toContain('山田 花子');
    // Logged under the applicant body, where the body's own access log finds it (not "(the applicant body)"),
    // and the rejecting reviewer's under theirs.
    const entries = await log(`applicationId=${other}&actorSub=audit-1`);
    expect(entries.filter((e) => e.route === '/applications/:id/diff').map((e) => e.organizationCode).sort()).toEqual(['130001', '132012']);
  });

  it('a body is an organ: the board of education and its city\'s head department share a code, not their staff\'s data', async () => {
    const board = await driver.draftWithForms('boardOfEducation');
    // The board reads its own and is not logged; it does not read the head department's.
    expect((await driver.as('boardOfEducation', 'GET', `/applications/${board}`)).status).toBe(200);
    expect(await log(`applicationId=${board}&actorSub=kyoiku-1`)).toEqual([]);
    expect((await driver.as('boardOfEducation', 'GET', `/applications/${id}`)).status).toBe(403);
    expect((await driver.as('boardOfEducation', 'GET', `/applications/${id}/history`)).status).toBe(403);
    // The head department forwards the board's applications, so it reads them once submitted (a
    // draft is the board's alone): as another body, published contacts only, and logged.
    expect((await driver.as('applicant', 'GET', `/applications/${board}`)).status).toBe(403);
    expect((await driver.act('boardOfEducation', board, 'submit')).status).toBe(200);
    const forwarder = await driver.as('applicant', 'GET', `/applications/${board}`);
    expect(forwarder.status).toBe(200);
    for (const value of EMERGENCY) expect(JSON.stringify(forwarder.body)).not.toContain(value);
    expect(forwarder.body.forms['02-02'].data.emergencyContacts[0].mobile).toBe(PLACEHOLDER.withheld);
    expect(forwarder.headers.get('x-personal-data-withheld')).not.toBeNull();
    const logged = await log(`applicationId=${board}&actorSub=yamada`);
    expect(logged.map((e) => e.route)).toContain('/applications/:id');
  });

  it('requests are refused by role, body, legal basis and shape, and record nothing', async () => {
    const subjectId = await subjectOf(TANAKA.name);
    const trailLength = async () => (await driver.as('applicant', 'GET', `/personal-data/subjects/${subjectId}`)).body.requests.length as number;
    const before = await trailLength();
    const erase = (who: Parameters<Driver['as']>[0], body: unknown, subject = subjectId) => driver.as(who, 'POST', `/personal-data/subjects/${subject}/erasure`, body);
    for (const who of ['otherApplicant', 'prefectureReviewer', 'auditor', 'distributor'] as const) {
      expect((await erase(who, { legalBasis: 'appi-98-erasure' })).status).toBe(403);
      expect((await driver.as(who, 'GET', `/personal-data/subjects/${subjectId}`)).status).toBe(403);
    }
    const wrongBasis = await erase('applicant', { legalBasis: 'appi-98-suspension' });
    expect(wrongBasis.status).toBe(400);
    // Only the bases an erasure may cite are offered, quoted as elsewhere.
    expect(wrongBasis.body.violations.map((v: { field: string; message: { en: string } }) => [v.field, v.message.en])).toEqual([
      ['legalBasis', 'legalBasis: must be one of "appi-98-erasure", "purpose-achieved", "retention-expired"'],
    ]);
    const suspendWithErasureBasis = await driver.as('applicant', 'POST', `/personal-data/subjects/${subjectId}/suspension`, { legalBasis: 'appi-98-erasure' });
    expect([suspendWithErasureBasis.status, suspendWithErasureBasis.body.violations?.[0]?.message.en]).toEqual([400, 'legalBasis: must be one of "appi-98-suspension"']);
    const freeText = await erase('applicant', { legalBasis: 'appi-98-erasure', reference: '山田さんの依頼', note: 'x' });
    expect(freeText.status).toBe(400);
    expect(freeText.body.violations.map((v: { field: string }) => v.field).sort()).toEqual(['note', 'reference']);
    expect((await erase('applicant', { legalBasis: 'appi-98-erasure' }, 'ps-unknownsubject0')).status).toBe(404);
    expect(await trailLength()).toBe(before);
    expect((await driver.as('applicant', 'GET', `/applications/${draftId}`)).body.state).toBe('draft');
  });

  it('the access log is for auditors (all) and for the body (its own staff) only', async () => {
    expect((await driver.as('prefectureReviewer', 'GET', '/personal-data/access-log')).status).toBe(403);
    expect((await driver.as('distributor', 'GET', '/personal-data/access-log')).status).toBe(403);
    expect((await driver.as('otherApplicant', 'GET', '/personal-data/access-log?organizationCode=132012')).status).toBe(403);
    const own = await driver.as('applicant', 'GET', '/personal-data/access-log');
    expect(own.status).toBe(200);
    expect(own.body.entries.length).toBeGreaterThan(0);
    expect(own.body.entries.every((e: { organizationCode: string }) => e.organizationCode === '132012')).toBe(true);
    expect((await driver.as('auditor', 'GET', '/personal-data/access-log?limit=5000')).status).toBe(400);
    // The operator handling a request reads the body's staff list: logged like any read.
    expect((await driver.as('micReviewer', 'GET', '/personal-data/subjects?organizationCode=132012')).status).toBe(200);
    // A mistyped code (its check digit wrong) is refused, not answered with an empty list as if the body held no one.
    for (const path of ['/personal-data/subjects?organizationCode=132013', '/personal-data/access-log?actorOrg=132013']) {
      const mistyped = await driver.as(path.includes('access-log') ? 'auditor' : 'micReviewer', 'GET', path);
      expect({ path, status: mistyped.status, rule: mistyped.body.violations?.[0]?.rule, en: mistyped.body.violations?.[0]?.message.en }).toEqual({
        path,
        status: 400,
        rule: 'isBodyCode',
        en: expect.stringContaining('correct check digit'),
      });
    }
    const operator = (await log('actorSub=mic-1')).filter((e) => e.route === '/personal-data/subjects');
    expect(operator).toEqual([expect.objectContaining({ purpose: 'disclosure-request', organizationCode: '132012', fields: ['subjects[].label'] })]);
  });

  it('a page of the access log says how many entries match in all, and ?order=newest shows the latest reads first (a page of the 100 oldest said nothing of the rest)', async () => {
    const all = (await driver.as('auditor', 'GET', '/personal-data/access-log?limit=1000')).body as { entries: Array<{ seq: number }>; total: number };
    expect(all.entries.length).toBeGreaterThan(2);
    expect(all.total).toBe(all.entries.length);
    const oldest = (await driver.as('auditor', 'GET', '/personal-data/access-log?limit=2')).body;
    expect(oldest).toMatchObject({ total: all.total, limit: 2, offset: 0, order: 'oldest' });
    expect(oldest.entries.map((e: { seq: number }) => e.seq)).toEqual(all.entries.slice(0, 2).map((e) => e.seq));
    const newest = (await driver.as('auditor', 'GET', '/personal-data/access-log?limit=2&order=newest')).body;
    expect(newest).toMatchObject({ total: all.total, order: 'newest' });
    expect(newest.entries.map((e: { seq: number }) => e.seq)).toEqual(all.entries.slice(-2).reverse().map((e) => e.seq));
    const own = (await driver.as('applicant', 'GET', '/personal-data/access-log?limit=1')).body;
    expect(own.total).toBe(all.entries.filter((e) => (e as unknown as { organizationCode: string; organizationKind?: string }).organizationCode === '132012' && ((e as unknown as { organizationKind?: string }).organizationKind ?? '市町村長部局') === '市町村長部局').length);
    const refused = await driver.as('auditor', 'GET', '/personal-data/access-log?order=latest');
    expect([refused.status, refused.body.violations?.[0]?.field]).toEqual([400, 'order']);
  });

  it('from/to are instants: a bound given in JST finds the same entries as in UTC; a bound without an offset is refused', async () => {
    const [first] = await log(`actorSub=tokyo-1&limit=1`);
    const at = Date.parse(first!.at);
    const jst = (time: number) => new Date(time + 9 * 3_600_000).toISOString().replace('Z', '+09:00');
    const seqs = async (query: string) => (await log(`actorSub=tokyo-1&${query}`)).map((e) => e.seq);
    expect(await seqs(`from=${encodeURIComponent(jst(at))}&to=${encodeURIComponent(jst(at))}`)).toContain(first!.seq);
    expect(await seqs(`from=${encodeURIComponent(jst(at))}`)).toEqual(await seqs(`from=${new Date(at).toISOString()}`));
    expect(await seqs(`to=${encodeURIComponent(jst(at - 1))}`)).not.toContain(first!.seq);
    for (const bound of ['2026-12-05', '2026-12-05T09:00:00']) {
      const refused = await driver.as('auditor', 'GET', `/personal-data/access-log?from=${bound}`);
      expect(refused.status).toBe(400);
      expect(refused.body.violations[0]).toMatchObject({ field: 'from' });
      expect(JSON.stringify(refused.body.violations[0])).toContain('+09:00');
    }
    // A range that ends before it starts is refused, not answered with an empty page.
    const backwards = await driver.as('auditor', 'GET', `/personal-data/access-log?from=2026-12-31T00:00:00Z&to=${encodeURIComponent('2026-12-30T23:59:59+09:00')}`);
    expect({ status: backwards.status, violations: backwards.body.violations }).toEqual({
      status: 400,
      violations: [{ field: 'to', rule: 'isNotBefore', message: { ja: 'to: from より前の日時は指定できません。', en: 'to: must not be before from' } }],
    });
  });

  it('the running API indexes its access log by itself: /health counts the entries not yet reached, down to 0 shortly after the reads', async () => {
    const subject = await subjectOf(TANAKA.name);
    await driver.as('prefectureReviewer', 'GET', `/applications/${id}`);
    const unindexed = async () => (await server.request('GET', '/health')).body.storage.accessLogUnindexed as number;
    let left = await unindexed();
    for (let waited = 0; left > 0 && waited < 5_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      left = await unindexed();
    }
    expect(left).toBe(0);
    // Found through the derived tables now, the newest read included.
    const bySubject = await log(`subjectId=${subject}&actorSub=tokyo-1`);
    expect(bySubject.length).toBeGreaterThanOrEqual(2);
    expect(bySubject.every((e) => (e.subjectIds as string[]).includes(subject))).toBe(true);
  });
});
