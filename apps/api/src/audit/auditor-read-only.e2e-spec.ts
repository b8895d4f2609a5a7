import type { EventStore } from '@nws/event-store';
import { SEAL_STREAM } from '@nws/audit';
import { EVENT_STORE } from '../infrastructure/tokens';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/**
 * POST routes that only compute an answer from their body and store nothing (reference
 * catalog look-ups). Every other non-GET route mutates, and an auditor must never get through:
 * a new mutating route fails this test until it refuses auditors (or is listed here, if pure).
 */
const PURE_COMPUTATIONS = new Set(['POST /reference/beppyo2/selection', 'POST /reference/beppyo2/forms']);

interface Route {
  readonly method: string;
  readonly path: string;
}

/** Every route the running app serves, as Fastify registered them, so new controllers are covered. */
function mountedRoutes(server: TestServer): Route[] {
  return server.routes.filter((route) => route.method !== 'OPTIONS');
}

describe('the auditor role is read-only everywhere', () => {
  let server: TestServer;
  let driver: Driver;
  const apps: Record<string, string> = {};
  let forms: Array<{ code: string; example: unknown }> = [];
  let actions: string[] = [];
  let subjects: string[] = [];
  let openApi: any = {};

  async function draft(): Promise<string> {
    const { create } = await driver.examples();
    const id = (await driver.as('applicant', 'POST', '/applications', create)).body.id as string;
    for (const form of forms) expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, form.example)).status).toBe(200);
    return id;
  }

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    const definition = (await driver.as('auditor', 'GET', '/workflows/connection-application')).body;
    forms = (definition.forms as Array<{ code: string; example: unknown }>).filter((f) => f.code.startsWith('02-'));
    actions = definition.actions;
    apps['draft'] = await draft();
    apps['firstReview'] = await draft();
    await driver.act('applicant', apps['firstReview'], 'submit');
    apps['rejected'] = await draft();
    await driver.act('applicant', apps['rejected'], 'submit');
    await driver.act('prefectureReviewer', apps['rejected'], 'reject', { comment: '様02-02の通常連絡先を直通番号にしてください。' });
    apps['secondReview'] = await draft();
    await driver.act('applicant', apps['secondReview'], 'submit');
    await driver.act('prefectureReviewer', apps['secondReview'], 'approve');
    apps['masterDataRegistered'] = await draft();
    await driver.act('applicant', apps['masterDataRegistered'], 'submit');
    await driver.act('prefectureReviewer', apps['masterDataRegistered'], 'approve');
    expect((await driver.act('micReviewer', apps['masterDataRegistered'], 'approve')).body.state).toBe('masterDataRegistered');
    openApi = (await server.request('GET', '/docs-json')).body ?? {};
    // Data subjects (people named in the forms), for personal-data requests an auditor must not make.
    const listed = await driver.as('applicant', 'GET', '/personal-data/subjects');
    subjects = (listed.body?.subjects ?? []).map((s: { subjectId?: string; id?: string }) => s.subjectId ?? s.id).filter(Boolean).slice(0, 2);
  }, 30_000);
  afterAll(() => server.stop());

  /** Every event outside the seal stream (the sealer appends seals on its own schedule). */
  async function trail(): Promise<string[]> {
    const store = server.app.get<EventStore>(EVENT_STORE);
    const ids: string[] = [];
    for await (const event of store.readAll()) if (event.streamId !== SEAL_STREAM) ids.push(event.id);
    return ids;
  }

  /** The requests an auditor tries for one route: every application state, action and form it could touch. */
  function attempts(route: Route): Array<{ path: string; body: unknown }> {
    const ids = Object.values(apps);
    const expand = (path: string, name: string, values: readonly string[]) => (path.includes(`:${name}`) ? values.map((v) => path.replace(`:${name}`, encodeURIComponent(v))) : [path]);
    let paths = [route.path];
    paths = paths.flatMap((p) => expand(p, 'id', ids));
    paths = paths.flatMap((p) => expand(p, 'action', [...actions, 'register-master-data']));
    paths = paths.flatMap((p) => expand(p, 'formCode', forms.map((f) => f.code)));
    paths = paths.flatMap((p) => expand(p, 'subjectId', subjects.length > 0 ? subjects : ['x']));
    paths = paths.map((p) => p.replace(/:[A-Za-z]+/g, 'x'));
    return paths.map((path) => ({ path, body: bodyFor(route, path) }));
  }

  /** A valid body, so that validation cannot answer before the role check: known routes by hand, others from the OpenAPI document. */
  function bodyFor(route: Route, path: string): unknown {
    if (route.method === 'POST' && route.path === '/applications') return { workflow: 'connection-application', organizationCode: '132012', category: '登録' };
    if (route.path.endsWith('/forms/:formCode')) return forms.find((f) => path.endsWith(`/${f.code}`))?.example ?? {};
    if (route.path.endsWith('/actions/:action')) return { comment: '監査担当は操作しません（確認のための試行）。' };
    const openApiPath = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const schema = openApi.paths?.[openApiPath]?.[route.method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema;
    return exampleOf(schema);
  }

  function exampleOf(schema: any): unknown {
    if (!schema) return {};
    if (schema.$ref) return exampleOf(openApi.components?.schemas?.[String(schema.$ref).split('/').pop()!]);
    if (schema.example !== undefined) return schema.example;
    if (Array.isArray(schema.enum)) return schema.enum[0];
    if (schema.type === 'array') return [exampleOf(schema.items ?? { type: 'string' })];
    if (schema.type === 'object' || schema.properties) {
      return Object.fromEntries((schema.required ?? []).map((key: string) => [key, exampleOf(schema.properties?.[key])]));
    }
    return schema.type === 'integer' || schema.type === 'number' ? 1 : schema.type === 'boolean' ? true : '監査担当による試行';
  }

  it('finds the mutating routes of the running app (applications, forms, actions, distribution)', () => {
    const mutating = mountedRoutes(server).filter((r) => r.method !== 'GET' && r.method !== 'HEAD').map((r) => `${r.method} ${r.path}`);
    expect(mutating).toEqual(expect.arrayContaining(['POST /applications', 'PUT /applications/:id/forms/:formCode', 'POST /applications/:id/actions/:action']));
  });

  it('gets 403, 404 or 409 — never a success — from every mutating endpoint, and nothing is appended', async () => {
    const before = await trail();
    const token = await driver.token('auditor');
    const outcomes: Array<{ request: string; status: number; code?: string }> = [];
    for (const route of mountedRoutes(server).filter((r) => r.method !== 'GET' && r.method !== 'HEAD')) {
      const key = `${route.method} ${route.path}`;
      for (const attempt of attempts(route)) {
        for (const headers of [{}, { 'Idempotency-Key': `auditor-${attempt.path}` }] as Array<Record<string, string>>) {
          const response = await server.request(route.method, attempt.path, { token, body: attempt.body, headers });
          if (PURE_COMPUTATIONS.has(key)) continue;
          outcomes.push({ request: `${route.method} ${attempt.path}`, status: response.status, code: response.body?.code });
        }
      }
    }
    expect(outcomes.length).toBeGreaterThan(50);
    expect(outcomes.filter((o) => ![403, 404, 409].includes(o.status))).toEqual([]);
    // Not only refused by accident: the role check says so wherever the action is offered.
    expect(outcomes.filter((o) => o.status === 403).length).toBeGreaterThan(10);
    expect(await trail()).toEqual(before);
  });

  it('while every read an auditor needs succeeds', async () => {
    for (const id of Object.values(apps)) {
      for (const path of [`/applications/${id}`, `/applications/${id}/history`, `/applications/${id}/verify`, `/applications/${id}/path`, `/applications/${id}?asOfRevision=0`]) {
        expect([path, (await driver.as('auditor', 'GET', path)).status]).toEqual([path, 200]);
      }
    }
    expect((await driver.as('auditor', 'GET', `/applications/${apps['rejected']}/diff?from=1&to=1`)).status).toBe(200);
    expect((await driver.as('auditor', 'GET', '/workflows/connection-application/diagram')).status).toBe(200);
  });
});
