import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS_FILE } from '@nws/event-store/create-event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/**
 * /health and /metrics say whether another process's commits on the data directory (the CLI)
 * reach the running API at once (the commit doorbell) or only at its next poll, so an operator on
 * a file system without change events learns why the CLI's erasures show up half a second late.
 */
describe('the commit doorbell as /health and /metrics report it (HTTP)', () => {
  it('on a local disk: listening, and an event another process appends reaches the read models', async () => {
    const server = await TestServer.start();
    try {
      const health = await server.request('GET', '/health');
      expect(health.body.storage.commitDoorbell).toBe(true);
      expect((await server.request('GET', '/metrics')).body).toMatch(/^nws_event_store_commit_doorbell 1$/m);
      // Another store on the same file, as the CLI opens it.
      const other = new SqliteEventStore({ filename: join(server.config.dataDir, EVENTS_FILE) });
      const { position } = await other.append('operator-note', [{ id: crypto.randomUUID(), type: 'OperatorNoted', data: {}, metadata: {} }], 'no_stream');
      await other.close();
      const deadline = Date.now() + 10_000;
      while ((await server.request('GET', '/health')).body.projections.position < position) {
        if (Date.now() > deadline) throw new Error(`the API's read models did not reach position ${position}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await server.stop();
    }
  });

  it('a doorbell that cannot be opened (a directory in its place): reported as not listening, and the API still takes writes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nws-e2e-doorbell-'));
    mkdirSync(join(dataDir, `${EVENTS_FILE}-doorbell`));
    const server = await TestServer.start({ dataDir });
    try {
      const health = await server.request('GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body.storage).toMatchObject({ state: 'ok', commitDoorbell: false });
      expect((await server.request('GET', '/metrics')).body).toMatch(/^nws_event_store_commit_doorbell 0$/m);
      const driver = new Driver(server);
      const created = await driver.as('applicant', 'POST', '/applications', (await driver.examples()).create);
      expect(created.status).toBe(201);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
