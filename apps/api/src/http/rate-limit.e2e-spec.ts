import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@nws/auth';
import { loadRuntimeConfig } from '@nws/runtime';
import { closeApp, createApp } from '../create-app';
import { httpRequest } from '../testing/http-client';
import { TestServer } from '../testing/test-server';
import { rateLimitWindows } from './rate-limit';

describe('rate limiting (@nestjs/throttler)', () => {
  it('parses RATE_LIMIT and refuses malformed values', () => {
    expect(rateLimitWindows(undefined)).toEqual([
      { name: 'w0', limit: 20, ttl: 1000 },
      { name: 'w1', limit: 300, ttl: 60_000 },
    ]);
    expect(rateLimitWindows('off')).toEqual([]);
    expect(() => rateLimitWindows('fast')).toThrow(/RATE_LIMIT/);
  });

  it('answers 429 in Japanese and English with Retry-After per caller, appends nothing, and spares /health', async () => {
    const server = await TestServer.start({ env: { RATE_LIMIT: '5/min' } });
    try {
      const token = await server.token({ sub: 'busy', org: '132012', role: 'applicant' });
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 7; i++) {
        last = await server.request('POST', '/applications', { token, body: { workflow: 'connection-application', organizationCode: '132012', category: '登録' } });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
      expect(last!.body.messages.ja).toContain('要求が多すぎます');
      expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
      const other = await server.token({ sub: 'calm', org: '132021', role: 'applicant' });
      expect((await server.request('GET', '/applications', { token: other })).status).toBe(200);
      const auditor = await server.token({ sub: 'a', org: 'MIC', role: 'auditor' });
      const list = await server.request('GET', '/applications', { token: auditor, headers: { 'x-access-purpose': 'audit' } });
      expect(list.body).toHaveLength(5);
      for (let i = 0; i < 10; i++) expect((await server.request('GET', '/health')).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('an address flooded with bad or missing tokens refuses them with 429, and still lets callers with valid tokens through (they were locked out for the window)', async () => {
    const server = await TestServer.start({ env: { RATE_LIMIT: '2/min' } });
    try {
      // 2/min per caller, 20/min per address: 20 bad tokens use up the address's window.
      const refused: number[] = [];
      for (let i = 0; i < 22; i++) refused.push((await server.request('GET', '/applications', { token: `garbage.${i}` })).status);
      expect(refused.slice(0, 20).every((status) => status === 401)).toBe(true);
      expect(refused.slice(20)).toEqual([429, 429]);
      expect((await server.request('GET', '/applications')).status).toBe(429);
      // A caller never seen before, from the same address, with a valid token: its own window applies.
      const valid = await server.token({ sub: 'late', org: '132012', role: 'applicant' });
      const answered = await server.request('GET', '/applications', { token: valid });
      expect([answered.status, answered.headers.get('retry-after')]).toEqual([200, null]);
    } finally {
      await server.stop();
    }
  });

  it('RATE_LIMIT=off limits nothing and logs nothing about it (the throttler warned twice, at warn level, on every start)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nws-rate-off-'));
    // The app's own logger (TestServer silences it): LOG_FORMAT=json, as a log collector reads it.
    const written: string[] = [];
    const capture = (stream: NodeJS.WriteStream) => jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    const spies = [capture(process.stdout), capture(process.stderr)];
    const config = loadRuntimeConfig({ DATA_DIR: dataDir, PORT: '0', RATE_LIMIT: 'off', LOG_FORMAT: 'json' });
    const app = await createApp(config).catch((error: unknown) => {
      spies.forEach((spy) => spy.mockRestore());
      throw error;
    });
    try {
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as { port: number };
      const token = await mintToken({ sub: 'busy', org: '132012', role: 'applicant' }, config.jwt);
      const statuses = new Set<number>();
      // Past the default 20/s and its per-address tenfold, unauthenticated too.
      for (let i = 0; i < 40; i++) statuses.add((await httpRequest(`http://127.0.0.1:${port}`, 'GET', '/workflows', { token })).status);
      for (let i = 0; i < 210; i++) statuses.add((await httpRequest(`http://127.0.0.1:${port}`, 'GET', '/workflows')).status);
      expect([...statuses].sort()).toEqual([200, 401]);
    } finally {
      await closeApp(app);
      spies.forEach((spy) => spy.mockRestore());
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(written.join('')).not.toMatch(/throttler|"level":"warn"/i);
  });
});
