import { createServer, type Server, type Socket } from 'node:net';
import { RawClient } from './raw-client';

describe('RawClient: a connection that closes with neither an end nor an error from the server', () => {
  let server: Server;
  const accepted: Socket[] = [];

  beforeAll(async () => {
    server = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const url = () => `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  it('closed() resolves once the socket is destroyed on this side', async () => {
    const client = await RawClient.open(url());
    const closed = client.closed();
    client.socket.destroy();
    await closed;
    expect(client.socket.destroyed).toBe(true);
    expect(client.failure).toBeUndefined();
  });

  it('answer() fails instead of waiting for ever', async () => {
    const client = await RawClient.open(url());
    const answer = client.answer();
    client.socket.destroy();
    await expect(answer).rejects.toThrow('connection ended before a whole answer (0 bytes received)');
  });
});
