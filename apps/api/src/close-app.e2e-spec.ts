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
});
