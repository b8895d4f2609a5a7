import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EVENTS_FILE } from '@nws/event-store/create-event-store';
import { SQLITE_FORMATS } from '@nws/event-store/sqlite';
import { startFailure } from './start-failure';
import { TestServer } from './testing/test-server';

/**
 * A binary started on a DATA_DIR a newer release wrote stops at once, saying so (78: the setting
 * names a store this binary cannot serve), instead of serving it and writing into it silently.
 */
describe('the API on a store of a newer format', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nws-store-format-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses to start, exit 78, naming the file, the format found and the one supported; the same store at this release\u2019s format starts', async () => {
    await (await TestServer.start({ dataDir })).stop(false);
    const file = join(dataDir, EVENTS_FILE);
    const db = new Database(file);
    db.pragma(`user_version = ${SQLITE_FORMATS.eventStore + 1}`);
    db.close();

    const refused = await TestServer.start({ dataDir }).then(
      async (server) => {
        await server.stop(false);
        return undefined;
      },
      (error: unknown) => error,
    );
    const said = startFailure(refused);
    expect(said.exitCode).toBe(78);
    expect(said.line).toBe(
      `Configuration error: ${file} は新しいリリースが書いた形式 ${SQLITE_FORMATS.eventStore + 1} です（このリリースが扱えるのは形式 ${SQLITE_FORMATS.eventStore} まで）。このリリースを更新してください。ファイルには何も書いていません / ` +
        `${file} is in format ${SQLITE_FORMATS.eventStore + 1}, written by a newer release: upgrade this one (it supports format ${SQLITE_FORMATS.eventStore} at most); nothing was written to the file`,
    );

    const back = new Database(file);
    back.pragma(`user_version = ${SQLITE_FORMATS.eventStore}`);
    back.close();
    const server = await TestServer.start({ dataDir });
    expect((await server.request('GET', '/health')).status).toBe(200);
    await server.stop(false);
  });
});
