import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ACCESS_LOG_FILE, KEY_STORE_FILE } from '@nws/personal-data';
import { READ_MODELS_FILE } from '@nws/event-store/create-event-store';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { draftWithContactForms } from '../personal-data/testing/personal-data.fixture';

/**
 * Another process (here another connection, as the `sqlite3` shell or a backup would be) holds a
 * lock on one of the API's SQLite files. The API waits a quarter of a second at most, then treats
 * the file as unavailable: what can wait is retried (read models, access-log entries), what cannot
 * is answered 503 `busy` with nothing recorded; never a 500, never seconds of a stopped event loop.
 */
describe('a data file locked by another process (real port, files on disk)', () => {
  let server: TestServer;
  let driver: Driver;
  let holder: Database.Database | undefined;
  beforeEach(async () => {
    server = await TestServer.start({ env: { PROJECTION_RETRY_DELAY_MS: '20' } });
    driver = new Driver(server);
  });
  afterEach(async () => {
    holder?.close();
    holder = undefined;
    await server.stop();
  });

  /**
   * Takes `file`'s write lock (`exclusive`: readers' too, for a rollback-journal file) until
   * released; `changedFirst`: after committing a change of its own (the header's user_version), as
   * an erasure by another process would, so the API's memory of the file no longer holds.
   */
  function lock(file: string, exclusive = false, changedFirst = false): () => void {
    holder = new Database(join(server.config.dataDir, file));
    if (changedFirst) holder.pragma(`user_version = ${Number(holder.pragma('user_version', { simple: true })) + 1}`);
    holder.exec(exclusive ? 'BEGIN EXCLUSIVE' : 'BEGIN IMMEDIATE');
    return () => {
      holder?.exec('ROLLBACK');
      holder?.close();
      holder = undefined;
    };
  }

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`still waiting for ${what}: ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('access log locked: a read that must be logged is answered, its entry waits in memory (/health says so) and is written once the lock is gone', async () => {
    const id = await draftWithContactForms(driver);
    expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
    const logged = async () => (await driver.as('auditor', 'GET', `/personal-data/access-log?applicationId=${id}`)).body.entries as Array<{ actor: { sub: string } }>;
    const before = (await logged()).length;
    // when another process holds the access log's write lock, the prefecture's reviewer reads the application
    const release = lock(ACCESS_LOG_FILE);
    const read = await driver.as('prefectureReviewer', 'GET', `/applications/${id}`);
    // then the read is answered, and the entry waits: /health shows it and why
    expect(read.status).toBe(200);
    expect(read.body.forms['02-02'].data.normalContacts[0].name).toBe('田中 三郎');
    const health = (await server.request('GET', '/health')).body;
    expect(health.storage).toMatchObject({ state: 'busy', accessLogBacklog: 1 });
    // when the lock is gone and the next logged read comes
    release();
    expect((await driver.as('prefectureReviewer', 'GET', `/applications/${id}`)).status).toBe(200);
    // then both reads are in the log, and nothing waits
    const entries = await until(logged, (e) => e.length === before + 2, 'both entries');
    expect(entries.slice(before).map((e) => e.actor.sub)).toHaveLength(2);
    expect((await server.request('GET', '/health')).body.storage).toMatchObject({ state: 'ok', accessLogBacklog: 0 });
  });

  it('key store changed and locked by another process: a write that needs a person’s key is refused 503 busy, nothing recorded, and so is a read that must tell whose data it shows; once the lock is gone both go through', async () => {
    const withContacts = await draftWithContactForms(driver);
    expect((await driver.act('applicant', withContacts, 'submit')).status).toBe(200);
    const { create, forms } = await driver.examples();
    const id = (await driver.as('applicant', 'POST', '/applications', create)).body.id as string;
    const contacts = forms.find((f) => f.code === '02-02')!.example;
    const history = (await driver.as('applicant', 'GET', `/applications/${id}/history`)).body;
    // when another process changed the key file and holds it exclusively (a rollback journal: readers wait too)
    const release = lock(KEY_STORE_FILE, true, true);
    const refused = await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, contacts);
    // then the save is refused with why, in Japanese and English, and nothing is appended
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toMatchObject({ code: 'STORAGE_UNAVAILABLE', storage: 'busy' });
    expect(refused.body.messages.en).toMatch(/another process holds a lock on a file in the server's data directory.*nothing was recorded/);
    expect(refused.body.messages.ja).toMatch(/別のプロセスがロック.*操作は記録されていません/);
    // and a reviewer's read, whose access-log entry must name each person shown, is refused too
    // rather than answered without them
    const read = await driver.as('prefectureReviewer', 'GET', `/applications/${withContacts}`);
    expect(read.status).toBe(503);
    expect(read.body).toMatchObject({ code: 'STORAGE_UNAVAILABLE', storage: 'busy' });
    release();
    expect((await driver.as('applicant', 'GET', `/applications/${id}/history`)).body).toEqual(history);
    // when the lock is gone, the same save and the same read go through
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, contacts)).status).toBe(200);
    expect((await driver.as('prefectureReviewer', 'GET', `/applications/${withContacts}`)).status).toBe(200);
  });

  it('key store locked with nothing changed since the API read it: saves and reads of the people it looked up go through; a new person is refused 503 busy, nothing recorded', async () => {
    const withContacts = await draftWithContactForms(driver);
    expect((await driver.act('applicant', withContacts, 'submit')).status).toBe(200);
    const { create, forms } = await driver.examples();
    const id = (await driver.as('applicant', 'POST', '/applications', create)).body.id as string;
    const contacts = forms.find((f) => f.code === '02-02')!.example as { normalContacts: Array<{ name: string }> };
    // The API reads the people of the form and of the reviewer's view from the key file.
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, contacts)).status).toBe(200);
    expect((await driver.as('prefectureReviewer', 'GET', `/applications/${withContacts}`)).status).toBe(200);
    // when another process holds the key file exclusively, having changed nothing
    const release = lock(KEY_STORE_FILE, true);
    // then the same people are answered from memory: the save and the reviewer's read go through
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, contacts)).status).toBe(200);
    const read = await driver.as('prefectureReviewer', 'GET', `/applications/${withContacts}`);
    expect(read.status).toBe(200);
    expect(read.body.forms['02-02'].data.normalContacts[0].name).toBe(contacts.normalContacts[0]!.name);
    // and a person the file does not hold yet needs it: 503 busy, nothing appended
    const history = (await driver.as('applicant', 'GET', `/applications/${id}/history`)).body;
    const someoneNew = { ...contacts, normalContacts: contacts.normalContacts.map((c, i) => (i === 0 ? { ...c, name: '新規 花子' } : c)) };
    const refused = await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, someoneNew);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'STORAGE_UNAVAILABLE', storage: 'busy' });
    release();
    expect((await driver.as('applicant', 'GET', `/applications/${id}/history`)).body).toEqual(history);
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, someoneNew)).status).toBe(200);
  });

  it('read models locked: writes are taken, the read models catch up once the lock is gone, and no event is parked', async () => {
    const { create } = await driver.examples();
    const release = lock(READ_MODELS_FILE);
    // when an application is created while another process holds the read models' write lock
    const created = await driver.as('applicant', 'POST', '/applications', create);
    expect(created.status).toBe(201);
    // then /health says why the read models lag
    const health = await until(async () => (await server.request('GET', '/health')).body, (h) => h.storage?.readModels !== null, 'the read models stalled');
    expect(health.storage.readModels).toMatchObject({ problem: 'busy' });
    // when the lock is gone, the list shows it, and nothing was parked
    release();
    const listed = await until(() => driver.listAll('applicant'), (items) => items.some((item) => item.id === created.body.id), 'the application in the list');
    expect(listed.map((item) => item.id)).toContain(created.body.id);
    expect((await driver.as('auditor', 'GET', '/projections/parked')).body).toMatchObject({ items: [] });
    expect((await server.request('GET', '/health')).body.storage).toMatchObject({ state: 'ok', readModels: null });
  });
});
