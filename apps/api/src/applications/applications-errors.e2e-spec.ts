import { gzipSync } from 'node:zlib';
import { SignJWT } from 'jose';
import { TestServer } from '../testing/test-server';
import { Driver } from '../testing/drive';

/** Every client error has a 4xx with a message naming the field and rule, and appends nothing. */
describe('applications over HTTP: errors change nothing', () => {
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

  it('401 without a token, with a forged one, with an expired one', async () => {
    const none = await server.request('GET', `/applications/${id}`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.body.messages.ja).toContain('Bearer');
    const forged = await new SignJWT({ org: '132012', role: 'applicant' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer('nws-connection-workflow').setAudience('nws-connection-workflow').setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode('f'.repeat(40)));
    expect((await server.request('GET', `/applications/${id}`, { token: forged })).status).toBe(401);
    const expired = await new SignJWT({ org: '132012', role: 'applicant' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer('nws-connection-workflow').setAudience('nws-connection-workflow').setIssuedAt(1).setExpirationTime(100).sign(server.config.jwt.secret);
    const expiredResponse = await server.request('GET', `/applications/${id}`, { token: expired });
    expect(expiredResponse.status).toBe(401);
    expect(expiredResponse.body.message).toContain('expired');
    expect((await server.request('POST', `/applications/${id}/actions/submit`, { body: {} })).status).toBe(401);
    // Signed, but for an organ that is not one: refused as a token, not later as every action.
    const noOrgan = await server.request('GET', `/applications/${id}`, { token: await server.token({ sub: 'x', org: '132012', role: 'applicant', organ: '教育' }) });
    expect({ status: noOrgan.status, en: noOrgan.body.messages.en }).toEqual({ status: 401, en: expect.stringContaining('organ claim "教育" is not one of 都道府県知事部局') });
    expect((await server.request('GET', `/applications/${id}`, { token: await server.token({ sub: 'x', org: '132012', role: 'applicant', organ: '市町村長部局' }) })).status).toBe(200);
    // An organ its body does not have: a city's 都道府県知事部局 would go to J-LIS, a prefecture's 市町村教育委員会 wait for a head department it has not.
    for (const [org, organ] of [['132012', '都道府県知事部局'], ['130001', '市町村教育委員会'], ['MIC', '市町村長部局']] as const) {
      const refused = await server.request('GET', `/applications/${id}`, { token: await server.token({ sub: 'x', org, role: 'applicant', organ }) });
      expect({ status: refused.status, en: refused.body.messages.en }).toEqual({ status: 401, en: expect.stringContaining(`organ claim "${organ}" is not an organ of ${org}`) });
    }
  });

  it('404 for an unknown application and an unknown action', async () => {
    const missing = await driver.as('applicant', 'GET', '/applications/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('APPLICATION_NOT_FOUND');
    const unknownAction = await driver.act('applicant', id, 'explode');
    expect(unknownAction.status).toBe(404);
    expect(unknownAction.body.message).toContain('submit');
    const internal = await driver.act('applicant', id, 'register-master-data');
    expect(internal.status).toBe(404);
  });

  it('405 with Allow for a method the path does not take, 404 naming the missing endpoint otherwise, both in Japanese and English', async () => {
    const before = await revisionOf(id);
    const deleting = await driver.as('applicant', 'DELETE', `/applications/${id}`);
    expect({ status: deleting.status, code: deleting.body.code, allow: deleting.headers.get('allow') }).toEqual({ status: 405, code: 'METHOD_NOT_ALLOWED', allow: 'GET, HEAD' });
    expect(deleting.body.messages).toEqual({ ja: `/applications/${id} には DELETE を使えません（使えるもの: GET, HEAD）。`, en: `DELETE is not allowed on /applications/${id} (allowed: GET, HEAD)` });
    const patching = await driver.as('applicant', 'PATCH', '/applications?limit=5', {});
    expect({ status: patching.status, allow: patching.headers.get('allow') }).toEqual({ status: 405, allow: 'GET, HEAD, POST' });
    const missing = await driver.as('applicant', 'GET', `/applications/${id}/forms?all=1`);
    expect({ status: missing.status, code: missing.body.code, allow: missing.headers.get('allow') }).toEqual({ status: 404, code: 'NOT_FOUND', allow: null });
    expect(missing.body.messages).toEqual({ ja: `GET /applications/${id}/forms というエンドポイントはありません（一覧は /docs にあります）。`, en: `there is no endpoint GET /applications/${id}/forms (they are listed at /docs)` });
    // A 404 of a route that exists is the route's own (an application that does not exist), untouched.
    expect((await driver.as('applicant', 'GET', '/applications/00000000-0000-4000-8000-000000000000')).body.code).toBe('APPLICATION_NOT_FOUND');
    expect(await revisionOf(id)).toBe(before);
  });

  it('409 for an action the state does not offer, listing the allowed actions', async () => {
    const before = await revisionOf(id);
    const response = await driver.act('applicant', id, 'revise');
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'ACTION_NOT_ALLOWED_IN_STATE', state: 'draft', allowedActions: ['submit', 'withdraw'] });
    expect(response.body.messages.ja).toContain('revise');
    expect(await revisionOf(id)).toBe(before);
    // The caller's actions, as its view lists them: not what the state offers another role.
    const inReview = await driver.draftWithForms();
    expect((await driver.act('applicant', inReview, 'submit')).status).toBe(200);
    const misplaced = await driver.act('applicant', inReview, 'confirm-distribution');
    expect(misplaced.status).toBe(409);
    const view = await driver.as('applicant', 'GET', `/applications/${inReview}`);
    expect(misplaced.body.allowedActions).toEqual(view.body.allowedActions);
    expect(misplaced.body.allowedActions).not.toContain('approve');
  });

  it('403 for the wrong role or body, reads included', async () => {
    const before = await revisionOf(id);
    expect((await driver.act('otherApplicant', id, 'submit')).status).toBe(403);
    expect((await driver.as('otherApplicant', 'GET', `/applications/${id}`)).status).toBe(403);
    expect((await driver.as('otherApplicant', 'PUT', `/applications/${id}/forms/02-01`, {})).status).toBe(403);
    const created = await driver.as('otherApplicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '登録' });
    expect(created.status).toBe(403);
    expect((await driver.as('applicant', 'GET', '/review-queue?stage=first')).status).toBe(403);
    expect(await revisionOf(id)).toBe(before);
  });

  it('403 and nothing else for a command from whoever may not read the application: not its state, actions, revision or body', async () => {
    const before = await revisionOf(id);
    // A draft: no reviewer may read it yet, nor another body, nor MIC's distributors (no master data).
    const attempts: Array<[Parameters<Driver['act']>[0], string, Record<string, string>?]> = [
      ['prefectureReviewer', 'approve'],
      ['micReviewer', 'reject'],
      ['otherApplicant', 'withdraw'],
      ['otherApplicant', 'revise'],
      ['otherApplicant', 'explode'],
      ['otherApplicant', 'submit', { 'If-Match': '"99"' }],
      ['distributor', 'confirm-distribution'],
    ];
    for (const [who, action, headers] of attempts) {
      const response = await driver.act(who, id, action, {}, headers);
      const answer = { who, action, status: response.status, code: response.body.code };
      expect(answer).toEqual({ who, action, status: 403, code: 'FORBIDDEN' });
      // What a 409, 404 or 412 here would have told them: the state, the actions it offers, its revision, its body.
      const said = JSON.stringify(response.body);
      for (const secret of ['draft', 'allowedActions', 'submit', '132012', `"revision"`]) expect({ who, action, says: said.includes(secret) ? secret : null }).toEqual({ who, action, says: null });
      expect(response.body.messages.ja).toContain('閲覧する権限がありません');
    }
    const put = await driver.as('otherApplicant', 'PUT', `/applications/${id}/forms/02-06`, { reportDate: 'not a date' });
    expect({ status: put.status, code: put.body.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await revisionOf(id)).toBe(before);
  });

  it('400 naming the field and rule for invalid bodies, in Japanese and English', async () => {
    const before = await revisionOf(id);
    const badForm = await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, {
      contactManager: { title: '部長', name: '' },
      normalContacts: [{ priority: 1, department: '情報管理課', name: '田中', phone: '090-1234-5678', email: 'not-mail' }],
      emergencyContacts: [{ priority: 1, name: '田中', mobile: '042-620-7200', email: 'a@example.jp' }],
      surprise: 1,
    });
    expect(badForm.status).toBe(400);
    const fields = badForm.body.violations.map((v: { field: string; rule: string }) => `${v.field}:${v.rule}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'contactManager.name:isNotEmpty',
        'normalContacts[0].phone:jpPhoneNumber',
        'normalContacts[0].email:isEmail',
        'emergencyContacts[0].mobile:jpPhoneNumber',
        'surprise:whitelistValidation',
      ]),
    );
    const phone = badForm.body.violations.find((v: { field: string }) => v.field === 'normalContacts[0].phone');
    expect(phone.message.ja).toContain('直通の固定電話番号');
    expect(phone.message.en).toContain('fixed-line');

    const unknownForm = await driver.as('applicant', 'PUT', `/applications/${id}/forms/99-99`, {});
    expect(unknownForm.status).toBe(400);
    expect(unknownForm.body.violations[0]).toMatchObject({ field: 'formCode', rule: 'knownForm' });

    const badCreate = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132013', category: '登録' });
    expect(badCreate.status).toBe(400);
    expect(badCreate.body.violations[0]).toMatchObject({ field: 'organizationCode', rule: 'checkDigit' });
    const badCategory = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '廃止', extra: true });
    expect(badCategory.body.violations.map((v: { field: string }) => v.field).sort()).toEqual(['category', 'extra']);
    const badWorkflow = await driver.as('applicant', 'POST', '/applications', { workflow: 'nope' });
    expect(badWorkflow.status).toBe(400);
    expect(badWorkflow.body.messages.en).toContain('connection-application');
    expect(badWorkflow.body.violations).toEqual([expect.objectContaining({ field: 'workflow', rule: 'isIn' })]);
    // What a refusal repeats of the input is bounded: not 250 kB of it three times over.
    const hugeWorkflow = await driver.as('applicant', 'POST', '/applications', { workflow: 'x'.repeat(100_000) });
    expect(hugeWorkflow.status).toBe(400);
    expect(JSON.stringify(hugeWorkflow.body).length).toBeLessThan(2_000);
    const hugeId = await driver.as('applicant', 'GET', `/applications/${'a'.repeat(5_000)}`);
    expect(hugeId.status).toBe(404);
    expect(JSON.stringify(hugeId.body).length).toBeLessThan(2_000);

    const badJson = await server.request('POST', `/applications/${id}/actions/submit`, { token: await driver.token('applicant'), rawBody: '{"comment":' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.code).toBe('INVALID_JSON');
    const extraField = await driver.act('applicant', id, 'submit', { comment: 'x', reviewer: 'me' });
    expect(extraField.status).toBe(400);
    expect(extraField.body.violations[0]).toMatchObject({ field: 'reviewer', rule: 'whitelistValidation' });
    expect(extraField.body.messages).toEqual({ ja: 'reviewer: この要求の項目ではありません（使えるもの: comment）。', en: 'reviewer: is not a field of this request (known: comment)' });
    const unknownParameter = await driver.as('applicant', 'GET', '/applications?org=132012');
    expect(unknownParameter.status).toBe(400);
    expect(unknownParameter.body.violations).toEqual([
      {
        field: 'org',
        rule: 'whitelistValidation',
        message: {
          ja: 'org: このエンドポイントのクエリパラメータではありません（使えるもの: organizationCode, organizationKind, workflow, category, state, applicationNumber, limit, offset, cursor）。',
          en: 'org: is not a query parameter of this endpoint (known: organizationCode, organizationKind, workflow, category, state, applicationNumber, limit, offset, cursor)',
        },
      },
    ]);
    const badIfMatch = await driver.act('applicant', id, 'submit', {}, { 'if-match': 'yesterday' });
    expect(badIfMatch.status).toBe(400);
    expect(badIfMatch.body.violations[0].field).toBe('If-Match');
    const badQuery = await driver.as('auditor', 'GET', `/applications/${id}?asOfRevision=-1`);
    expect(badQuery.status).toBe(400);
    // Empty, exponent and hex forms were read as numbers ('' as revision 0).
    for (const revision of ['', '1e1', '0x1']) expect([revision, (await driver.as('auditor', 'GET', `/applications/${id}?asOfRevision=${revision}`)).status]).toEqual([revision, 400]);
    // Past the last revision is not "now": a 404 naming the last.
    const beyond = await driver.as('auditor', 'GET', `/applications/${id}?asOfRevision=999`);
    expect(beyond.status).toBe(404);
    expect(beyond.body).toMatchObject({ code: 'REVISION_NOT_FOUND', messages: { en: expect.stringMatching(/has no revision 999 \(the last is \d+\)/) } });
    expect((await driver.as('auditor', 'GET', `/applications/${id}/path?asOfRevision=999`)).status).toBe(404);
    // Before its first event it did not exist yet: a 404 naming asOf and the creation, not "no such application".
    const earlier = await driver.as('auditor', 'GET', `/applications/${id}?asOf=2020-01-01T00:00:00Z`);
    expect(earlier.status).toBe(404);
    expect(earlier.body).toMatchObject({ code: 'NOT_YET_CREATED', messages: { en: expect.stringMatching(/^asOf: application .* did not exist yet at 2020-01-01T00:00:00Z \(created 20\d\d-/) } });
    // One rule, one message that says what is wanted (not a generic "violates rule" beside it).
    const badInstant = await driver.as('auditor', 'GET', `/applications/${id}?asOf=yesterday`);
    expect(badInstant.body.violations).toEqual([
      { field: 'asOf', rule: 'isInstantWithOffset', message: { ja: 'asOf: 時差（Z または +09:00 など）を含む ISO 8601 の日時で指定してください。', en: 'asOf: must be an ISO 8601 time with an offset (Z or +09:00)' } },
    ]);
    expect((await driver.as('auditor', 'GET', `/applications/${id}?asOf=2026-12-05T09:00`)).body.violations).toHaveLength(1);
    // A day that does not exist, its offset given: said as such, not "add an offset".
    expect((await driver.as('auditor', 'GET', `/applications/${id}?asOf=2026-02-30T00:00:00Z`)).body.violations).toEqual([
      { field: 'asOf', rule: 'isInstantWithOffset', message: { ja: 'asOf: 実在する日付で指定してください（その日付はありません）。', en: 'asOf: must be a date that exists (there is no such day)' } },
    ]);
    expect(await revisionOf(id)).toBe(before);
  });

  it('a 登録 overtaken by another 登録 of its organ: the view withholds approve and says why, and the approval is a 400 that stores nothing', async () => {
    // Before the next test, which registers the same organ (132021) anyway.
    const overtaken = await driver.draftWithForms('otherApplicant', '登録');
    for (const [name, action] of [['otherApplicant', 'submit'], ['prefectureReviewer', 'approve']] as const) expect((await driver.act(name, overtaken, action)).status).toBe(200);
    const before = await driver.as('micReviewer', 'GET', `/applications/${overtaken}`);
    expect(before.body).toMatchObject({ allowedActions: ['approve', 'reject'], refusedActions: [] });
    await driver.registerOrgan('otherApplicant');
    const view = await driver.as('micReviewer', 'GET', `/applications/${overtaken}`);
    expect(view.status).toBe(200);
    expect(view.body.allowedActions).toEqual(['reject']);
    expect(view.body.refusedActions).toEqual([
      {
        action: 'approve',
        violations: [{ field: 'category', rule: 'firstRegistration', message: { ja: expect.stringContaining('「変更」で申請してください'), en: expect.stringContaining('apply with 変更') } }],
      },
    ]);
    const revision = await revisionOf(overtaken);
    const approval = await driver.act('micReviewer', overtaken, 'approve');
    expect(approval.status).toBe(400);
    expect(approval.body.violations).toEqual(view.body.refusedActions[0].violations);
    expect(await revisionOf(overtaken)).toBe(revision);
  });

  it('400 naming category for a second 登録 of a registered organ, and nothing stored: apply with 変更', async () => {
    await driver.registerOrgan('otherApplicant');
    const count = async () => Number((await driver.as('otherApplicant', 'GET', '/applications?limit=1')).headers.get('x-total-count'));
    const before = await count();
    const refused = await driver.as('otherApplicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132021', category: '登録' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      violations: [{ field: 'category', rule: 'firstRegistration' }],
      messages: { ja: expect.stringContaining('「変更」で申請してください'), en: expect.stringContaining('apply with 変更') },
    });
    expect(await count()).toBe(before);
    expect((await driver.as('otherApplicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132021', category: '変更' })).status).toBe(201);
  });

  it('413 for an oversized body', async () => {
    const before = await revisionOf(id);
    const huge = await driver.act('applicant', id, 'submit', { comment: 'あ'.repeat(300_000) });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ code: 'BODY_TOO_LARGE', messages: { en: expect.stringContaining('262144 bytes') } });
    expect(await revisionOf(id)).toBe(before);
  });

  it('415 naming Content-Type for a body that is not JSON, and nothing appended', async () => {
    const before = await revisionOf(id);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/json; charset="latin1"']) {
      const response = await server.request('POST', `/applications/${id}/actions/submit`, { token: await driver.token('applicant'), rawBody: 'comment=x', headers: { 'content-type': type } });
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', messages: { ja: expect.stringContaining('application/json'), en: expect.stringContaining('(Content-Type)') } });
    }
    expect(await revisionOf(id)).toBe(before);
  });

  it('415 naming Content-Encoding for a compressed body (not a 400 about its length), and nothing appended', async () => {
    const before = await revisionOf(id);
    const body = gzipSync(Buffer.from(JSON.stringify({ comment: 'x' })));
    for (const encoding of ['gzip', 'br', 'deflate, gzip']) {
      const response = await fetch(`${server.url}/applications/${id}/actions/submit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await driver.token('applicant')}`, 'content-type': 'application/json', 'content-encoding': encoding },
        body,
      });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ code: 'UNSUPPORTED_CONTENT_ENCODING', messages: { ja: expect.stringContaining('(Content-Encoding)'), en: expect.stringContaining('(Content-Encoding)') } });
    }
    expect(await revisionOf(id)).toBe(before);
    // `identity` is no compression: the body is read (and here refused for what it holds).
    const identity = await server.request('POST', `/applications/${id}/actions/submit`, { token: await driver.token('applicant'), body: { unknownField: 1 }, headers: { 'content-encoding': 'identity' } });
    expect(identity.status).toBe(400);
    expect(identity.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await revisionOf(id)).toBe(before);
  });

  it('400 INVALID_JSON naming UTF-8 for a body with bytes that are not UTF-8 (not a 400 about its length), and nothing appended', async () => {
    const before = await revisionOf(id);
    const response = await fetch(`${server.url}/applications/${id}/actions/submit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await driver.token('applicant')}`, 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"comment":"'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('"}')]),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'INVALID_JSON', messages: { ja: expect.stringContaining('UTF-8'), en: expect.stringContaining('not UTF-8') } });
    expect(await revisionOf(id)).toBe(before);
  });

  it('400 duplicateKey naming the field for a key given twice in one object (JSON.parse kept the last unseen), and nothing appended', async () => {
    const before = await revisionOf(id);
    const token = await driver.token('applicant');
    const twice = await server.request('POST', `/applications/${id}/actions/withdraw`, { token, rawBody: '{"comment":"取り下げません","comment":"取り下げます"}' });
    expect([twice.status, twice.body.violations?.[0]?.field, twice.body.violations?.[0]?.rule]).toEqual([400, 'comment', 'duplicateKey']);
    expect(twice.body.messages.ja).toMatch(/^comment: /);
    const nested = await server.request('PUT', `/applications/${id}/forms/02-02`, { token, rawBody: '{"contactManager":{"title":"部長","name":"佐藤 一郎","name":"鈴木 次郎"}}' });
    expect([nested.status, nested.body.violations?.[0]?.field]).toEqual([400, 'contactManager.name']);
    expect(await revisionOf(id)).toBe(before);
  });

  it('400 BAD_URL for a path that does not decode (a stray %), in the same error shape, and nothing appended', async () => {
    const before = await revisionOf(id);
    const response = await server.request('PUT', `/applications/${id}/forms/02-0%`, { token: await driver.token('applicant'), body: {} });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, code: 'BAD_URL', messages: { ja: expect.stringContaining('(path)'), en: expect.stringContaining('not a valid URL') } });
    expect(await revisionOf(id)).toBe(before);
    // Escapes of bytes that are not UTF-8 are told so, not that a % needs two hex digits.
    const notUtf8 = await server.request('GET', '/applications/%FF', { token: await driver.token('applicant') });
    expect([notUtf8.status, notUtf8.body.code]).toEqual([400, 'BAD_URL']);
    expect(notUtf8.body.messages.en).toContain('UTF-8');
  });

  it('an empty body sent as JSON is no body: an action without input is taken (UTF-8 named or not)', async () => {
    const other = await driver.draftWithForms();
    const before = await revisionOf(other);
    const response = await server.request('POST', `/applications/${other}/actions/submit`, { token: await driver.token('applicant'), rawBody: '', headers: { 'content-type': 'application/json; charset=UTF-8' } });
    expect(response.status).toBe(200);
    expect(response.body.state).toBe('firstReview');
    expect(await revisionOf(other)).toBe(before + 1);
  });

  it('400 for a body that is not a JSON object (an array, a string, null), and nothing appended: an approval with its comment sent as a bare string is not taken without it', async () => {
    const before = await revisionOf(id);
    for (const rawBody of ['[]', '"内容を確認しました。"', 'null', '42']) {
      for (const [method, path] of [
        ['POST', `/applications/${id}/actions/submit`],
        ['POST', '/applications'],
        ['PUT', `/applications/${id}/forms/02-01`],
      ] as const) {
        const refused = await server.request(method, path, { token: await driver.token('applicant'), rawBody });
        expect({ rawBody, path, status: refused.status, violations: refused.body.violations }).toEqual({
          rawBody,
          path,
          status: 400,
          violations: [{ field: '(body)', rule: 'isObject', message: { ja: '(body): JSON オブジェクトで指定してください。', en: '(body): must be a JSON object' } }],
        });
      }
    }
    expect(await revisionOf(id)).toBe(before);
  });

  it('400 for a reject without a concrete comment, and nothing appended', async () => {
    const other = await driver.draftWithForms();
    await driver.act('applicant', other, 'submit');
    const before = await revisionOf(other);
    // Ten characters that say nothing are no reason either.
    for (const body of [{}, { comment: '' }, { comment: '不備あり' }, { comment: 'ああああああああああああ' }, { comment: '__________' }]) {
      const response = await driver.act('prefectureReviewer', other, 'reject', body);
      expect(response.status).toBe(400);
      expect(response.body.violations[0]).toMatchObject({ field: 'comment', rule: 'concreteReason' });
    }
    // A comment is kept in clear for ever: no phone numbers or mail addresses (the forms hold those, erasably).
    for (const [action, comment] of [
      ['reject', '緊急連絡先 080-9876-5432 が不通でした。番号を確認してください。'],
      ['reject', '様02-02 通常連絡先１の ０４２６２０７２００ は代表番号です。直通番号にしてください。'],
      ['approve', '確認済み。担当 yamada@city.hachioji.tokyo.jp と電話で確認しました。'],
      ['reject', '電話 042(620)7200 まで修正してください。'],
      ['reject', '+81-90-1234-5678に連絡してください。'],
      ['reject', '連絡先は090\u200b1234\u200b5678です。修正してください'],
      ['reject', '連絡先は 0 9 0 1 2 3 4 5 6 7 8 です。修正して'],
      // Written with dots, as the forms take numbers too.
      ['reject', '通常連絡先 042.620.7200 は代表番号です。直通にしてください。'],
      ['reject', '緊急連絡先 ０９０．１２３４．５６７８ が不通でした。確認してください。'],
    ] as const) {
      const response = await driver.act('prefectureReviewer', other, action, { comment });
      expect([comment, response.status, response.body.violations?.[0]?.rule]).toEqual([comment, 400, 'noContactDetails']);
      expect(response.body.messages.en).toContain('name the form and field instead');
    }
    expect(await revisionOf(other)).toBe(before);
    expect((await driver.act('prefectureReviewer', other, 'reject', { comment: '様02-02の通常連絡先1の電話番号を課の直通番号にしてください。' })).status).toBe(200);
  });

  it('the person who decided the first review cannot decide the second, and nobody reviews their own body', async () => {
    const other = await driver.draftWithForms();
    await driver.act('applicant', other, 'submit');
    expect((await driver.act('otherPrefectureReviewer', other, 'approve')).status).toBe(403);
    await driver.act('prefectureReviewer', other, 'approve');
    const sameSub = await server.token({ sub: 'tokyo-1', org: 'MIC', role: 'second-reviewer' });
    const response = await server.request('POST', `/applications/${other}/actions/approve`, { token: sameSub, body: {} });
    expect(response.status).toBe(403);
    expect(response.body.messages.ja).toContain('一次審査を決定した者');
  });
});
