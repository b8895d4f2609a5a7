import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { clientError } from './client-error';

/**
 * The answers no request can provoke quickly over HTTP (Node gives a request 300 s before its
 * timeout), on a real socket pair: the error is what Node hands the handler.
 */
describe('clientError on a real socket', () => {
  it('a request that did not arrive in time: 408 REQUEST_TIMEOUT naming the limit, then the end of the connection', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const [socket] = await accepted;
    const received: Buffer[] = [];
    client.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = once(client, 'end');
    clientError.call(undefined, Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
    await ended;
    client.end();
    await once(socket, 'close');
    server.close();
    const [head = '', body = ''] = Buffer.concat(received).toString('utf8').split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(JSON.parse(body)).toMatchObject({ statusCode: 408, error: 'REQUEST_TIMEOUT', code: 'REQUEST_TIMEOUT', messages: { ja: expect.stringContaining('300'), en: expect.stringContaining('300 s') } });
  });
});
