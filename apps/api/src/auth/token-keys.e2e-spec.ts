import { request as httpRequest } from 'node:http';
import { SignJWT, exportSPKI, generateKeyPair, type KeyLike } from 'jose';
import type { EventStore } from '@nws/event-store';
import { EVENT_STORE } from '../infrastructure/tokens';
import { TestServer } from '../testing/test-server';

const ISS = 'nws-connection-workflow';
const sign = (key: KeyLike | Uint8Array, alg: string, claims: Record<string, string> = { org: '132012', role: 'applicant' }) =>
  new SignJWT(claims).setProtectedHeader({ alg }).setSubject('yamada').setIssuer(ISS).setAudience(ISS).setIssuedAt().setExpirationTime('10m').sign(key);

/** The API behind an identity provider's key (ES256 public key), and the headers every response carries. */
describe('tokens from an identity provider, and security headers, over HTTP', () => {
  let server: TestServer;
  let privateKey: KeyLike;

  beforeAll(async () => {
    const keys = await generateKeyPair('ES256');
    privateKey = keys.privateKey;
    server = await TestServer.start({ env: { JWT_PUBLIC_KEY: await exportSPKI(keys.publicKey) } });
  });
  afterAll(() => server.stop());

  it('accepts ES256 tokens of the configured key; refuses HS256 and other keys with 401, appending nothing', async () => {
    const head = () => server.app.get<EventStore>(EVENT_STORE).headPosition();
    const ok = await server.request('GET', '/workflows', { token: await sign(privateKey, 'ES256') });
    expect(ok.status).toBe(200);
    const before = await head();
    const create = { workflow: 'connection-application', organizationCode: '132012', category: '登録' };
    const hs256 = await sign(new TextEncoder().encode('x'.repeat(40)), 'HS256');
    const stranger = await sign((await generateKeyPair('ES256')).privateKey, 'ES256');
    for (const token of [hs256, stranger]) {
      const refused = await server.request('POST', '/applications', { token, body: create });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect(refused.body.messages.en).toContain('signature');
    }
    expect(await head()).toBe(before);
    expect((await server.request('POST', '/applications', { token: await sign(privateKey, 'ES256'), body: create })).status).toBe(201);
    // Without a token: one from the identity provider is asked for, not one minted here.
    const missing = await server.request('GET', '/workflows');
    expect([missing.status, missing.body.messages.en]).toEqual([401, 'Authorization: a Bearer token from the identity provider is required']);
  });

  it('every response, refusals included, carries the security headers and no X-Powered-By', async () => {
    for (const response of [await server.request('GET', '/health'), await server.request('GET', '/workflows'), await server.request('GET', '/workflows', { token: await sign(privateKey, 'ES256') })]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });
});

describe('tokens verified with a JWKS URL that cannot be reached', () => {
  it('answer 503, not 401: the token is not known to be bad', async () => {
    const server = await TestServer.start({ env: { JWT_JWKS_URL: 'http://127.0.0.1:9/jwks.json' } });
    try {
      const { privateKey } = await generateKeyPair('ES256');
      const response = await server.request('GET', '/workflows', { token: await sign(privateKey, 'ES256') });
      expect(response.status).toBe(503);
      expect(response.body.messages.ja).toContain('公開鍵');
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await server.stop();
    }
  });
});

describe('tokens in development mode (the secret is the data directory’s own)', () => {
  it('a token signed with another secret (minted without the API’s DATA_DIR) is refused saying so', async () => {
    const server = await TestServer.start({ env: { JWT_SECRET: '' } });
    try {
      expect(server.config.jwt.mode).toBe('development');
      const elsewhere = await sign(new TextEncoder().encode('another-data-directory-secret'.padEnd(48, 'x')), 'HS256');
      const refused = await server.request('GET', '/workflows', { token: elsewhere });
      expect(refused.status).toBe(401);
      expect(refused.body.messages.en).toContain("in development mode, mint tokens with the API's DATA_DIR");
      expect(refused.body.messages.ja).toContain('API と同じ DATA_DIR');
    } finally {
      await server.stop();
    }
  });
});

describe('a body is read only for a caller with a valid token (Fastify parses before the guards)', () => {
  it('without a token, or with a bad one, a body is refused 401 before it is parsed (it was 400 about its JSON: parsed first); with a valid one it is parsed and judged; a path no route serves is still a 404', async () => {
    const server = await TestServer.start();
    try {
      const url = `${server.url}/applications`;
      const post = (headers: Record<string, string>, body: string, path = url) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const refusals = [
        await post({}, '{"a":'),
        await post({ authorization: 'Bearer garbage' }, '{"a":1,"a":2}'),
        await post({}, JSON.stringify({ workflow: 'connection-application', filler: 'x'.repeat(200_000) })),
      ];
      expect(refusals.map((r) => r.status)).toEqual([401, 401, 401]);
      expect(((await refusals[0]!.json()) as { messages: { en: string } }).messages.en).toMatch(/^Authorization: /);
      const valid = await server.token({ sub: 'yamada', org: '132012', role: 'applicant' });
      const judged = await post({ authorization: `Bearer ${valid}` }, '{"a":');
      expect([judged.status, ((await judged.json()) as { code: string }).code]).toEqual([400, 'INVALID_JSON']);
      expect((await post({}, '{}', `${server.url}/no-such-route`)).status).toBe(404);
      // A public probe sent with a body (Fastify reads none on a GET) still answers.
      const probe = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(`${server.url}/health`, { method: 'GET', headers: { 'content-type': 'application/json', 'content-length': '2' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end('{}');
      });
      expect(probe).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
