import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { bodyFault } from '@nws/engine';
import { MAX_BODY_DEPTH } from './validation.pipe';

describe('bodies the validation pipe refuses before anything walks them (found by the reliability fuzz)', () => {
  let server: TestServer;
  let driver: Driver;
  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
  });
  afterAll(() => server.stop());

  it('finds deep nesting and reserved keys without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
    expect(bodyFault(deep, MAX_BODY_DEPTH)).toEqual({ field: '(body)', rule: 'maxDepth' });
    expect(bodyFault({ a: [{ b: 1 }] }, MAX_BODY_DEPTH)).toBeUndefined();
    expect(bodyFault(JSON.parse('{"a":[{"__proto__":{}}]}'), MAX_BODY_DEPTH)).toEqual({ field: 'a[0].__proto__', rule: 'whitelistValidation' });
  });

  it('a body of 5,000 unknown keys is answered with the first 100 violations and how many more, not a megabyte, and records nothing', async () => {
    const id = await driver.draftWithForms();
    const { forms } = await driver.examples();
    const example = forms.find((f) => f.code === '02-06')!.example as Record<string, unknown>;
    const hostile = { ...example, ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`unknown${i}`, 1])) };
    const before = (await driver.as('applicant', 'GET', `/applications/${id}/history`)).body.events.length as number;
    const refused = await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-06`, hostile);
    expect([refused.status, refused.body.violations.length, refused.body.moreViolations]).toEqual([400, 100, 4900]);
    expect(refused.body.violations[0]).toMatchObject({ field: 'unknown0', rule: 'whitelistValidation' });
    expect(JSON.stringify(refused.body).length).toBeLessThan(60_000);
    expect((await driver.as('applicant', 'GET', `/applications/${id}/history`)).body.events.length).toBe(before);
  });

  it('a deeply nested body is a 400, not a stack overflow (500), and records nothing', async () => {
    const id = await driver.draftWithForms();
    // An object, as every body must be (an array is refused before its depth is looked at).
    const deep = `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    for (const path of [`/applications/${id}/actions/submit`, '/applications', `/applications/${id}/forms/02-01`]) {
      const response = await server.request(path.endsWith('02-01') ? 'PUT' : 'POST', path, { token: await driver.token('applicant'), rawBody: deep });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', violations: [{ field: '(body)', rule: 'maxDepth' }] });
    }
    expect((await driver.as('applicant', 'GET', `/applications/${id}`)).body.state).toBe('draft');
  });

  it('a string or key holding an unpaired surrogate ("\\ud800") is a 400 naming the field, not a 500 from a validator that encodes it, and records nothing', async () => {
    expect(bodyFault(JSON.parse('{"a":[{"b":"ok"},{"email":"x\\ud800"}]}'), MAX_BODY_DEPTH)).toEqual({ field: 'a[1].email', rule: 'wellFormedText' });
    expect(bodyFault(JSON.parse('{"\\udc00":1}'), MAX_BODY_DEPTH)).toEqual({ field: '\udc00', rule: 'wellFormedText' });
    expect(bodyFault({ name: '𠮷野家 😀' }, MAX_BODY_DEPTH)).toBeUndefined();
    const id = await driver.draftWithForms();
    const { forms } = await driver.examples();
    const form = JSON.stringify(forms.find((f) => f.code === '02-02')!.example).replace(/"email":"[^"]*"/, '"email":"\\ud800"');
    const response = await server.request('PUT', `/applications/${id}/forms/02-02`, { token: await driver.token('applicant'), rawBody: form });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', violations: [{ field: 'normalContacts[0].email', rule: 'wellFormedText' }] });
    expect(response.body.messages.ja).toContain('サロゲート');
    expect((await driver.as('applicant', 'GET', `/applications/${id}`)).body.revision).toBe(3);
  });

  it.each(['__proto__', 'constructor', 'hasOwnProperty'])('a field named %s is refused by name, not dropped silently', async (key) => {
    const { create } = await driver.examples();
    const created = await server.request('POST', '/applications', { token: await driver.token('applicant'), rawBody: JSON.stringify(create).replace('{', `{"${key}":false,`) });
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject({ violations: [{ field: key, rule: 'whitelistValidation' }] });
    const id = await driver.draftWithForms();
    const acted = await server.request('POST', `/applications/${id}/actions/submit`, { token: await driver.token('applicant'), rawBody: `{"${key}":{}}` });
    expect(acted.status).toBe(400);
    expect((await driver.as('applicant', 'GET', `/applications/${id}`)).body.revision).toBe(3);
  });
});
