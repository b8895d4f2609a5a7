import { Logger } from '@nestjs/common';
import { rawClientFixture } from '../testing/raw-client.fixture';

/**
 * What Node's HTTP parser refuses before Fastify routes anything: answered in the API's one error
 * shape (a code, the rule in Japanese and English), not as the framework's bare "Client Error".
 */
describe('requests that are not valid HTTP/1.1 get a clear refusal and change nothing', () => {
  const fx = rawClientFixture();

  const post = (contentLength: string, extra = '') =>
    `POST /applications HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${fx.token}\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n${extra}\r\n`;

  it.each([
    { label: 'a Content-Length that is not a number', request: () => post('12abc'), field: '(Content-Length)' },
    { label: 'two different Content-Lengths', request: () => post('2', 'Content-Length: 3\r\n'), field: '(Content-Length)' },
    { label: 'Content-Length and Transfer-Encoding together', request: () => post('2', 'Transfer-Encoding: chunked\r\n'), field: '(Transfer-Encoding)' },
    { label: 'a header name with a space', request: () => 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: x\r\n\r\n', field: '(headers)' },
    { label: 'bytes that are not HTTP', request: () => 'HELLO THERE\r\n\r\n', field: '(request)' },
  ])('$label: 400 MALFORMED_REQUEST naming $field, nothing recorded', async ({ request, field }) => {
    const status = 400;
    const code = 'MALFORMED_REQUEST';
    const before = await fx.applications();
    const client = await fx.open();
    await client.write(`${request()}{}`);
    const refused = await client.answer();
    expect(refused.status).toBe(status);
    expect(refused.headers['content-type']).toContain('application/json');
    const body = JSON.parse(refused.body) as { code: string; messages: { ja: string; en: string } };
    expect(body).toMatchObject({ statusCode: status, error: 'BAD_REQUEST', code });
    expect(body.messages.ja).toContain(field);
    expect(body.messages.en).toContain(field);
    await client.closed();
    expect(await fx.applications()).toBe(before);
  });

  it('a body cut short by the end of the connection: 400 naming Content-Length, answered at once, nothing recorded', async () => {
    const before = await fx.applications();
    const client = await fx.open();
    await client.write(`${post('40')}{}`);
    client.socket.end();
    const refused = await client.answer();
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'MALFORMED_REQUEST', messages: { ja: expect.stringContaining('(Content-Length)'), en: expect.stringContaining('(Content-Length)') } });
    expect(await fx.applications()).toBe(before);
  });

  it.each(['ended', 'reset'] as const)('a client that goes away in the middle of a body (%s) is no server error: nothing logged as one, nothing recorded', async (how) => {
    const errors = jest.spyOn(Logger.prototype, 'error');
    try {
      const before = await fx.applications();
      const client = await fx.open();
      await client.write(`${post('100')}{"a":1}`);
      // The body is being read when the connection goes.
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (how === 'ended') {
        client.socket.end();
        expect((await client.answer()).status).toBe(400);
      } else {
        client.socket.destroy();
      }
      // The next request on another connection is answered after the server has seen the close.
      expect(await fx.applications()).toBe(before);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(errors.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('POST /applications'))).toEqual([]);
    } finally {
      errors.mockRestore();
    }
  });

  it('two Authorization headers (two tokens): 400 naming Authorization (notRepeated), on a read and on a write, nothing recorded', async () => {
    const before = await fx.applications();
    const other = await fx.driver.token('otherApplicant');
    const body = JSON.stringify({ workflow: 'connection-application', organizationCode: '132012', category: '変更' });
    for (const request of [
      `GET /applications HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${fx.token}\r\nAuthorization: Bearer ${other}\r\n\r\n`,
      `POST /applications HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${other}\r\nAuthorization: Bearer ${fx.token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    ]) {
      const client = await fx.open();
      await client.write(request);
      const refused = await client.answer();
      const answer = JSON.parse(refused.body) as { violations?: Array<{ field: string; rule: string; message: { ja: string; en: string } }> };
      expect([refused.status, answer.violations?.map((v) => `${v.field}:${v.rule}`)]).toEqual([400, ['Authorization:notRepeated']]);
      expect(answer.violations?.[0]?.message.ja).toContain('Authorization');
    }
    expect(await fx.applications()).toBe(before);
  });

  it('malformed bytes pipelined after a valid request: that request is answered first, then the refusal', async () => {
    const client = await fx.open();
    await client.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nHELLO THERE\r\n\r\n');
    expect((await client.answer()).status).toBe(200);
    const refused = await client.answer();
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'MALFORMED_REQUEST' });
    await client.closed();
  });

  it('headers over 16 kB: 431 naming the limit, read by a client still writing them', async () => {
    const client = await fx.open();
    client.socket.pause();
    await client.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ${'a'.repeat(40_000)}\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await client.write(`X-More: ${'b'.repeat(40_000)}\r\n\r\n`);
    client.socket.resume();
    const refused = await client.answer();
    expect(refused.status).toBe(431);
    const body = JSON.parse(refused.body) as { code: string; messages: { ja: string; en: string } };
    expect(body).toMatchObject({ statusCode: 431, error: 'REQUEST_HEADER_FIELDS_TOO_LARGE', code: 'HEADERS_TOO_LARGE' });
    expect(body.messages.en).toContain('16 kB');
    expect(body.messages.ja).toContain('16 kB');
    await client.closed();
    expect(client.failure).toBeUndefined();
  });
});
