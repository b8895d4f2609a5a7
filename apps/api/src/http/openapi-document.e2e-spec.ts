import Ajv from 'ajv';
import { TestServer } from '../testing/test-server';
import { Driver } from '../testing/drive';
import { publishedSchemas } from '../testing/openapi-schemas';

interface Operation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: unknown;
  security?: unknown[];
  responses: Record<string, { content?: { 'application/json'?: { schema?: { $ref?: string } } } }>;
}

/** The published OpenAPI document says what each operation answers and how it refuses, and the answers are what it says. */
describe('OpenAPI document (real port)', () => {
  let server: TestServer;
  let driver: Driver;
  let document: { paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };
  let validate: (body: unknown) => boolean;
  let errorsOf: () => string;
  let ajv: Ajv;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    document = (await server.request('GET', '/docs-json')).body;
    ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'openapi', components: document.components });
    const check = ajv.compile({ $ref: 'openapi#/components/schemas/ErrorResponse' });
    validate = (body) => check(body);
    errorsOf = () => ajv.errorsText(check.errors);
  });
  afterAll(() => server.stop());

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation })));

  it('every operation lists the refusals its kind can give, each with the one error body', () => {
    const missing: string[] = [];
    for (const { path, method, operation } of operations()) {
      const expected = new Set<string>();
      const parameters = operation.parameters ?? [];
      if (operation.security?.length) ['401', '403', '429', '503'].forEach((s) => expected.add(s));
      if (path.includes('{')) expected.add('404');
      if (parameters.some((p) => p.in === 'query' || p.in === 'path') || operation.requestBody) expected.add('400');
      if (operation.requestBody) ['413', '415'].forEach((s) => expected.add(s));
      if (parameters.some((p) => p.name === 'If-Match')) expected.add('412');
      if (Object.keys(operation.responses['200']?.content ?? {}).length > 1) expected.add('406');
      for (const status of expected) {
        if (operation.responses[status]?.content?.['application/json']?.schema?.$ref !== '#/components/schemas/ErrorResponse') missing.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
    expect(missing).toEqual([]);
    // Every authenticated operation takes the access-purpose headers, with the purposes as an enum.
    const withoutPurpose = operations()
      .filter(({ operation }) => operation.security?.length)
      .filter(({ operation }) => !(operation.parameters ?? []).some((p) => p.in === 'header' && p.name === 'X-Access-Purpose'))
      .map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect(withoutPurpose).toEqual([]);
    const purpose = (document.paths['/applications/{id}']!['get']!.parameters ?? []).find((p) => p.name === 'X-Access-Purpose') as { schema?: { enum?: string[] } } | undefined;
    expect(purpose?.schema?.enum).toEqual(expect.arrayContaining(['review', 'audit', 'distribution', 'published-contact', 'disclosure-request']));
    // Descriptions an operation gave itself are kept.
    expect(document.paths['/master-data/organizations/{code}']!['get']!.responses['404']).toMatchObject({ description: expect.stringContaining('no master data') });
    // A create takes no If-Match (it is a 400 there), so it cannot be a 412.
    expect(Object.keys(document.paths['/applications']!['post']!.responses)).not.toContain('412');
    expect(Object.keys(document.paths['/applications/{id}/actions/{action}']!['post']!.responses)).toContain('412');
    // The negotiated answers (JSON or Mermaid text) document the refusal of what they cannot give.
    for (const path of ['/applications/{id}/path', '/workflows/{workflow}/diagram']) expect([path, Object.keys(document.paths[path]!['get']!.responses)]).toEqual([path, expect.arrayContaining(['406'])]);
    // Probes are public: no 401 to document.
    expect(document.paths['/health']!['get']!.responses['401']).toBeUndefined();
  });

  it('real refusals match the published ErrorResponse schema and a status their operation lists', async () => {
    const id = await driver.draftWithForms();
    const other = 'b6f4c1de-0000-5000-8000-000000000000';
    const cases: Array<{ operation: [string, string]; status: number; send: () => Promise<{ status: number; body: unknown }> }> = [
      { operation: ['/applications', 'get'], status: 401, send: () => server.request('GET', '/applications') },
      { operation: ['/applications', 'post'], status: 400, send: () => driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '999999', category: '登録' }) },
      { operation: ['/applications/{id}', 'get'], status: 404, send: () => driver.as('auditor', 'GET', `/applications/${other}`) },
      { operation: ['/applications/{id}', 'get'], status: 403, send: () => driver.as('otherApplicant', 'GET', `/applications/${id}`) },
      { operation: ['/applications/{id}/actions/{action}', 'post'], status: 409, send: () => driver.act('applicant', id, 'revise') },
      { operation: ['/applications/{id}/actions/{action}', 'post'], status: 412, send: () => driver.act('applicant', id, 'submit', {}, { 'if-match': '"1"' }) },
      // A bad access purpose is refused where nothing else is taken as input.
      { operation: ['/distribution/consumers', 'get'], status: 400, send: () => driver.as('distributor', 'GET', '/distribution/consumers', undefined, { 'x-access-purpose': 'curiosity' }) },
      // 409s outside commands: a state or a setting, not the input.
      { operation: ['/applications/{id}/diff', 'get'], status: 409, send: () => driver.as('applicant', 'GET', `/applications/${id}/diff`) },
      { operation: ['/distribution/{consumer}/events/{position}', 'get'], status: 409, send: () => driver.as('distributor', 'GET', '/distribution/reference-distributor/events/1') },
      { operation: ['/applications/{id}/path', 'get'], status: 406, send: () => driver.as('applicant', 'GET', `/applications/${id}/path`, undefined, { accept: 'image/png' }) },
      { operation: ['/workflows/{workflow}/diagram', 'get'], status: 406, send: () => driver.as('applicant', 'GET', '/workflows/connection-application/diagram?format=svg') },
      { operation: ['/applications/{id}/forms/{formCode}', 'put'], status: 415, send: async () => server.request('PUT', `/applications/${id}/forms/02-01`, { token: await driver.token('applicant'), rawBody: 'x', headers: { 'content-type': 'text/plain' } }) },
    ];
    for (const { operation, status, send } of cases) {
      const response = await send();
      const [path, method] = operation;
      expect({ path, status: response.status }).toEqual({ path, status });
      expect({ path, status, valid: validate(response.body), errors: errorsOf() }).toEqual({ path, status, valid: true, errors: 'No errors' });
      expect(Object.keys(document.paths[path]![method]!.responses)).toContain(String(status));
    }
    // The schema is not a rubber stamp: a body without its Japanese message fails it.
    expect(validate({ statusCode: 400, error: 'BAD_REQUEST', code: 'VALIDATION_FAILED', message: 'x', messages: { en: 'x' } })).toBe(false);
  });

  it('answers match the schema their operation publishes: views, list rows, history, master data and a distribution page, for both workflows', async () => {
    const published = await publishedSchemas(server);
    const schemaOf = published.schemaOf;
    const holds = (path: string, method: string, status: string, body: unknown) => expect({ path, method, mismatch: published.mismatch(path, method, status, body) }).toEqual({ path, method, mismatch: undefined });
    const created = await driver.as('otherApplicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132021', category: '接続' });
    expect(created.status).toBe(201);
    holds('/applications', 'post', '201', created.body);
    const id = await driver.registerOrgan('applicant');
    holds('/applications/{id}', 'get', '200', (await driver.as('auditor', 'GET', `/applications/${id}`)).body);
    holds('/applications/{id}/actions/{action}', 'post', '200', (await driver.act('distributor', id, 'confirm-distribution')).body);
    const draft = await driver.draftWithForms();
    const example = (await driver.examples()).forms[0]!;
    holds('/applications/{id}/forms/{formCode}', 'put', '200', (await driver.as('applicant', 'PUT', `/applications/${draft}/forms/${example.code}`, example.example)).body);
    const account = await driver.as('applicant', 'POST', '/applications', { workflow: 'account-request', organizationCode: '132012' });
    holds('/applications/{id}', 'get', '200', (await driver.as('applicant', 'GET', `/applications/${account.body.id}`)).body);
    holds('/applications/{id}/history', 'get', '200', (await driver.as('auditor', 'GET', `/applications/${id}/history`)).body);
    holds('/master-data/organizations/{code}', 'get', '200', (await driver.as('auditor', 'GET', '/master-data/organizations/132012')).body);
    holds('/master-data/organizations/{code}/versions', 'get', '200', (await driver.as('auditor', 'GET', '/master-data/organizations/132012/versions')).body);
    holds('/master-data/organizations/{code}/versions/{version}', 'get', '200', (await driver.as('auditor', 'GET', '/master-data/organizations/132012/versions/1')).body);
    const page = (await driver.as('distributor', 'GET', '/distribution/reference-distributor/events?limit=10')).body as { events: unknown[] };
    expect(page.events.length).toBeGreaterThan(0);
    holds('/distribution/{consumer}/events', 'get', '200', page);
    expect((await driver.act('applicant', draft, 'submit')).status).toBe(200);
    const queue = (await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first')).body as { items: unknown[] };
    expect(queue.items.length).toBeGreaterThan(0);
    holds('/review-queue', 'get', '200', queue);
    const rows = (await driver.as('auditor', 'GET', '/applications')).body as unknown[];
    expect(rows.length).toBeGreaterThan(3);
    holds('/applications', 'get', '200', rows);
    // Not a rubber stamp: a view without its revision fails.
    const view = (await driver.as('auditor', 'GET', `/applications/${id}`)).body;
    const { revision: _dropped, ...withoutRevision } = view;
    expect(schemaOf('/applications/{id}', 'get', '200')(withoutRevision)).toBe(false);
    // Formats are checked too: a time that is not one fails.
    expect(schemaOf('/applications/{id}', 'get', '200')(view)).toBe(true);
    expect(schemaOf('/applications/{id}', 'get', '200')({ ...view, createdAt: 'yesterday' })).toBe(false);
    // A registered version's fields are all required, and the property itself is not (account requests have none).
    expect(view.masterData).toMatchObject({ version: 1 });
    const { version: _version, ...versionless } = view.masterData;
    expect(schemaOf('/applications/{id}', 'get', '200')({ ...view, masterData: versionless })).toBe(false);
    const { masterData: _none, ...withoutMasterData } = view;
    expect(schemaOf('/applications/{id}', 'get', '200')(withoutMasterData)).toBe(true);
  });
});
