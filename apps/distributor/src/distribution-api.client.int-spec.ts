import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, DistributionApiClient, TransientApiError } from './distribution-api.client';

/**
 * The client's side of the protocol on a real socket: answers the real API gives rarely or only
 * under trouble (an expired token, 503, 429, a refused connection) come from a small server that
 * records what arrived. The distributor's own int-spec runs the client against the real API.
 */
describe('DistributionApiClient over HTTP', () => {
  let server: Server;
  let url: string;
  let answer: (request: IncomingMessage, body: string, response: ServerResponse) => void;
  const seen: Array<{ method: string; path: string; authorization: string | undefined; contentType: string | undefined; body: string; socket: number }> = [];
  const sockets = new Map<unknown, number>();

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        if (!sockets.has(request.socket)) sockets.set(request.socket, sockets.size + 1);
        seen.push({ method: request.method ?? '', path: request.url ?? '', authorization: request.headers.authorization, contentType: request.headers['content-type'], body, socket: sockets.get(request.socket)! });
        answer(request, body, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => (seen.length = 0));

  const json = (response: ServerResponse, status: number, value: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(value));
  };
  const tokens = (renewals: boolean[] = []) => async (renew: boolean) => {
    renewals.push(renew);
    return renew ? 'fresh' : 'stale';
  };

  it('pulls and acknowledges with the bearer token on one kept-alive connection; bodies arrive whole in UTF-8', async () => {
    answer = (request, body, response) => (request.method === 'GET' ? json(response, 200, { checkpoint: 3, nextAfter: 5, events: [{ eventId: 'e', data: { name: '八王子市' } }] }) : json(response, 200, { acknowledged: JSON.parse(body).eventIds }));
    const client = new DistributionApiClient(url, 'reference distributor', tokens());
    const page = await client.pull(3, 50, 20000);
    expect(page).toEqual({ checkpoint: 3, nextAfter: 5, events: [{ eventId: 'e', data: { name: '八王子市' } }] });
    await client.ack(['e', '確認-1']);
    expect(seen).toEqual([
      { method: 'GET', path: '/distribution/reference%20distributor/events?after=3&limit=50&waitMs=20000', authorization: 'Bearer stale', contentType: undefined, body: '', socket: expect.any(Number) },
      { method: 'POST', path: '/distribution/reference%20distributor/acks', authorization: 'Bearer stale', contentType: 'application/json', body: JSON.stringify({ eventIds: ['e', '確認-1'] }), socket: seen[0]!.socket },
    ]);
  });

  it('a 401 mints a new token once and asks again; a second 401 is a TokenRefusedError (an ApiError: main.ts names the token setting)', async () => {
    answer = (request, _body, response) => (request.headers.authorization === 'Bearer fresh' ? json(response, 200, { checkpoint: 7 }) : json(response, 401, { message: 'expired' }));
    const renewals: boolean[] = [];
    expect(await new DistributionApiClient(url, 'c', tokens(renewals)).checkpoint()).toBe(7);
    expect(renewals).toEqual([false, true]);
    answer = (_request, _body, response) => json(response, 401, { message: 'expired' });
    await expect(new DistributionApiClient(url, 'c', tokens()).checkpoint()).rejects.toEqual(expect.objectContaining({ name: 'TokenRefusedError', status: 401 }));
  });

  it('503, 429 and a refused connection are worth retrying; another 4xx is not', async () => {
    const client = new DistributionApiClient(url, 'c', tokens());
    answer = (_request, _body, response) => json(response, 503, { code: 'STORAGE_UNAVAILABLE' });
    await expect(client.ack(['e'])).rejects.toBeInstanceOf(TransientApiError);
    answer = (_request, _body, response) => json(response, 429, { message: 'slow down' });
    await expect(client.pull(0, 1)).rejects.toThrow(/429 .*slow down/);
    answer = (_request, _body, response) => json(response, 404, { message: 'unknown consumer' });
    const refused = client.pull(0, 1);
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toThrow(/404 .*unknown consumer/);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(new DistributionApiClient(`http://127.0.0.1:${port}`, 'c', tokens()).checkpoint()).rejects.toBeInstanceOf(TransientApiError);
  });

  it('aborting ends a held long poll at once; an ack still goes out after the abort', async () => {
    answer = (request, body, response) => {
      if (request.method === 'POST') json(response, 200, { acknowledged: JSON.parse(body).eventIds });
      // a long poll: held, never answered
    };
    const stop = new AbortController();
    const client = new DistributionApiClient(url, 'c', tokens(), stop.signal);
    const pull = client.pull(0, 50, 60000);
    while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort();
    await expect(pull).rejects.toThrow(new TransientApiError('aborted'));
    await client.ack(['e']);
    expect(seen.map((s) => s.method)).toEqual(['GET', 'POST']);
  });
});
