import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiProcess } from '../../../test/support/api-process';

/**
 * What `npm start` does when it cannot start: a line naming why and a sysexits code a supervisor
 * can act on (78 EX_CONFIG: fix the settings; 69 EX_UNAVAILABLE: try again later), not a stack
 * trace and exit 1. The API in its own process, from source.
 */
describe('the API process refuses to start with a reason and a sysexits code', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nws-start-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const start = (dataDir: string, env: NodeJS.ProcessEnv) => ApiProcess.start({ dataDir, mode: 'source', env, stderr: 'ignore', readyTimeoutMs: 60_000 });

  it('78 for settings it cannot use: a DATA_DIR that is a file, a connection string that is not one', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    await expect(start(file, {})).rejects.toThrow('API exited with 78');
    await expect(start(join(dir, 'data'), { EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: 'localhost:2113' })).rejects.toThrow('API exited with 78');
  }, 60_000);

  it('69 when EventStoreDB does not answer (nothing listens on the port)', async () => {
    await expect(start(join(dir, 'data'), { EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:1?tls=false' })).rejects.toThrow('API exited with 69');
  }, 60_000);
});
