import { connect } from 'node:net';
import { closeApp } from './create-app';
import { SseClient } from './distribution/testing/sse-client';
import { Driver } from './testing/drive';
import { TestServer } from './testing/test-server';

/** The longest a long poll may wait; the stop must not wait it out. */
const WAIT_MS = 60_000;

describe('stopping the API (closeApp) while clients hold requests open (real port)', () => {
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('ends a waiting long poll with an empty page and `Connection: close`, ends event streams, and then closes', async () => {
    server = await TestServer.start();
    const driver = new Driver(server);
    const token = await driver.token('distributor');
    // Nothing is owed on a fresh store: the pull waits for an event that never comes.
    const sentAt = Date.now();
    const polling = driver.as('distributor', 'GET', `/distribution/reference-distributor/events?waitMs=${WAIT_MS}`);
    const stream = await SseClient.connect(`${server.url}/distribution/reference-distributor/stream`, token);
    expect(stream.status).toBe(200);
    // Given the pull time to reach its wait (the stream above was answered after it was sent).
    await new Promise((resolve) => setTimeout(resolve, 300));

    await server.stop();

    const polled = await polling;
    expect(polled.status).toBe(200);
    expect(polled.body.events).toEqual([]);
    expect(polled.headers.get('connection')).toBe('close');
    // Ended by the stop, not by its wait running out.
    expect(Date.now() - sentAt).toBeLessThan(WAIT_MS);
    expect(stream.done).toBe(true);
    // Nothing is served any more.
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    server = undefined;
  });

  it('does not wait for a client that never finishes its body: its connection is closed at the drain bound, and the stop goes on', async () => {
    server = await TestServer.start();
    const token = await new Driver(server).token('applicant');
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    // Headers and a tenth of the body promised: Node's own request timeout would wait 300 s for the rest.
    socket.write(`POST /applications HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"organiza`);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const drainWithinMs = 400;
    const stoppingAt = Date.now();
    await closeApp(server.app, { drainWithinMs });
    const stopMs = Date.now() - stoppingAt;
    await closed;

    expect(stopMs).toBeGreaterThanOrEqual(drainWithinMs - 50);
    expect(socket.destroyed).toBe(true);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    await server.stop();
    server = undefined;
  });
});
