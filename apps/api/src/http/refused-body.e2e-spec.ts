import { rawClientFixture } from '../testing/raw-client.fixture';
import { BODY_LIMIT_BYTES } from './json-body';
import { REFUSED_BODY_DRAIN } from './refused-body';

const head = (path: string, token: string, length: number, extra = '') =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

describe('a body over the limit: the client reads the 413, however it sends (found by the reliability fuzz)', () => {
  const fx = rawClientFixture();

  it('a client that writes its whole 810 kB body before reading gets the 413 naming the limit (not a reset), and the connection serves its next request', async () => {
    const before = await fx.applications();
    const client = await fx.open();
    client.socket.pause();
    const body = Buffer.from(JSON.stringify({ workflow: 'connection-application', organizationCode: 'A'.repeat(810_000), category: '登録' }));
    await client.write(head('/applications', fx.token, body.length));
    // A separate write, as a client streaming its body sends it: the server has refused by then.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await client.write(body);
    client.socket.resume();
    const refused = await client.answer();
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'BODY_TOO_LARGE', messages: { ja: expect.stringContaining(`${BODY_LIMIT_BYTES}`), en: expect.stringContaining(`${BODY_LIMIT_BYTES} bytes`) } });
    await client.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect((await client.answer()).status).toBe(200);
    expect(await fx.applications()).toBe(before);
  });

  it.each([
    ['Connection: close (Python urllib)', 'HTTP/1.1', 'Connection: close\r\n'],
    ['HTTP/1.0', 'HTTP/1.0', ''],
  ])('a client that asks to close (%s) and writes its whole body before reading gets the 413, then the end of the connection, not a reset', async (_label, version, extra) => {
    const client = await fx.open();
    client.socket.pause();
    const body = Buffer.alloc(810_000, 'A');
    await client.write(head('/applications', fx.token, body.length, extra).replace('HTTP/1.1', version));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await client.write(body);
    client.socket.resume();
    const refused = await client.answer();
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'BODY_TOO_LARGE' });
    await client.closed();
    expect(client.failure).toBeUndefined();
  });

  it('a chunked body that grows past the limit gets the 413 once it does, and the connection serves its next request', async () => {
    const client = await fx.open();
    client.socket.pause();
    await client.write(`POST /applications HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${fx.token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 'A');
    for (let i = 0; i < 8; i++) await client.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
    await client.write('0\r\n\r\n');
    client.socket.resume();
    const refused = await client.answer();
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'BODY_TOO_LARGE' });
    await client.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect((await client.answer()).status).toBe(200);
  });

  it('with Expect: 100-continue, a body declared over the limit is refused before it is sent; one within it is continued', async () => {
    const client = await fx.open();
    await client.write(head('/applications', fx.token, BODY_LIMIT_BYTES + 1, 'Expect: 100-continue\r\n'));
    const refused = await client.answer();
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'BODY_TOO_LARGE' });

    const small = await fx.open();
    const { create } = await fx.driver.examples();
    const body = Buffer.from(JSON.stringify(create));
    await small.write(head('/applications', fx.token, body.length, 'Expect: 100-continue\r\n'));
    expect((await small.answer()).status).toBe(100);
    await small.write(body);
    expect((await small.answer()).status).toBe(201);
  });

  it(`a body declared over ${REFUSED_BODY_DRAIN.maxBytes} bytes is not read: the 413 closes the connection`, async () => {
    const client = await fx.open();
    await client.write(head('/applications', fx.token, REFUSED_BODY_DRAIN.maxBytes + 1));
    const refused = await client.answer();
    expect(refused.status).toBe(413);
    expect(refused.headers['connection']).toBe('close');
    await client.closed();
  });

  it('a refused body that stops arriving gets its connection closed once the drain bound has passed', async () => {
    const bound = jest.replaceProperty(REFUSED_BODY_DRAIN, 'maxMs', 300);
    try {
      const client = await fx.open();
      await client.write(head('/applications', fx.token, 1024 * 1024));
      await client.write(Buffer.alloc(100_000, 'A'));
      const refused = await client.answer();
      expect(refused.status).toBe(413);
      expect(refused.headers['connection']).not.toBe('close');
      const started = Date.now();
      await client.closed();
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    } finally {
      bound.restore();
    }
  });
});

describe('a body nobody reads (a route that does not exist, a content type with no parser): the API reads no more of it than of a 413', () => {
  const fx = rawClientFixture();
  const shortBound = () => jest.replaceProperty(REFUSED_BODY_DRAIN, 'maxMs', 300);

  it.each([
    ['415, a content type with no parser', '/applications', 'text/plain', 415],
    ['404, a route that does not exist', '/no-such-route', 'application/octet-stream', 404],
  ])('%s: a body that stops arriving gets its connection closed once the drain bound has passed', async (_label, path, type, status) => {
    const bound = shortBound();
    try {
      const client = await fx.open();
      await client.write(head(path, fx.token, 1024 * 1024).replace('application/json', type));
      await client.write(Buffer.alloc(100_000, 'A'));
      const refused = await client.answer();
      expect(refused.status).toBe(status);
      const started = Date.now();
      await client.closed();
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    } finally {
      bound.restore();
    }
  });

  it('404: a chunked body is read up to the bound on bytes, then its connection is closed', async () => {
    const bound = jest.replaceProperty(REFUSED_BODY_DRAIN, 'maxBytes', 256 * 1024);
    try {
      const client = await fx.open();
      await client.write(`POST /no-such-route HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const chunk = Buffer.alloc(64 * 1024, 'A');
      const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
      expect((await client.answer()).status).toBe(404);
      // Written until the server closes; far more than the bound if it never does.
      let sent = 0;
      while (sent < 64 * 1024 * 1024 && client.failure === undefined && !client.socket.destroyed) {
        try {
          await client.write(framed);
        } catch {
          break;
        }
        sent += chunk.length;
      }
      await client.closed();
      expect(sent).toBeLessThan(16 * 1024 * 1024);
    } finally {
      bound.restore();
    }
  });

  it(`404: a body declared over ${REFUSED_BODY_DRAIN.maxBytes} bytes is not read: the answer closes the connection`, async () => {
    const client = await fx.open();
    await client.write(head('/no-such-route', fx.token, REFUSED_BODY_DRAIN.maxBytes + 1).replace('application/json', 'application/octet-stream'));
    const refused = await client.answer();
    expect(refused.status).toBe(404);
    expect(refused.headers['connection']).toBe('close');
    await client.closed();
  });

  it('404 with a body that does arrive in full: the connection serves its next request', async () => {
    const client = await fx.open();
    const body = Buffer.alloc(100_000, 'A');
    await client.write(head('/no-such-route', fx.token, body.length).replace('application/json', 'application/octet-stream'));
    await client.write(body);
    expect((await client.answer()).status).toBe(404);
    await client.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect((await client.answer()).status).toBe(200);
  });
});

describe('a body the rate limit answers before anyone reads it (a GET’s, which Fastify does not parse)', () => {
  const fx = rawClientFixture({ RATE_LIMIT: '1/min' });
  const get = (length: number) => `GET /applications HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${fx.token}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

  it('429: a body that stops arriving gets its connection closed once the drain bound has passed; one that arrives in full leaves the connection serving the next request', async () => {
    // The caller's one request of the minute.
    expect((await fx.driver.as('applicant', 'GET', '/applications')).status).toBe(200);
    const bound = jest.replaceProperty(REFUSED_BODY_DRAIN, 'maxMs', 300);
    try {
      const stalled = await fx.open();
      await stalled.write(get(1024 * 1024));
      await stalled.write(Buffer.alloc(100_000, 'A'));
      const limited = await stalled.answer();
      expect(limited.status).toBe(429);
      const started = Date.now();
      await stalled.closed();
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    } finally {
      bound.restore();
    }
    const whole = await fx.open();
    await whole.write(get(100_000));
    await whole.write(Buffer.alloc(100_000, 'A'));
    expect((await whole.answer()).status).toBe(429);
    // Probes are never limited: the connection read the whole body and serves the next request.
    await whole.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect((await whole.answer()).status).toBe(200);
  });
});
