import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { RecordedEvent } from '../event-store.port';
import { SqliteEventStore } from './sqlite-event-store';
import { sqliteSpecFiles } from './testing/sqlite-spec-files';

const files = sqliteSpecFiles('nws-doorbell-');
afterAll(files.cleanup);

const ROOT = resolve(__dirname, '../../../..');
/** No poll during these tests: what arrives came through the doorbell. */
const NEVER = 600_000;

const event = (type: string) => ({ id: randomUUID(), type, data: { at: type }, metadata: {} });

function collect(store: SqliteEventStore) {
  const seen: RecordedEvent[] = [];
  const subscription = store.subscribeToAll().subscribe((e) => seen.push(e));
  return { seen, stop: () => subscription.unsubscribe() };
}

async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Appends one event to the file from a separate Node process running the store's TypeScript source. */
async function appendFromAnotherProcess(file: string, type: string): Promise<void> {
  const script = `
    const { SqliteEventStore } = require(${JSON.stringify(join(ROOT, 'libs/event-store/src/sqlite/sqlite-event-store.ts'))});
    const store = new SqliteEventStore({ filename: ${JSON.stringify(file)} });
    store.append('from-another-process', [{ id: require('node:crypto').randomUUID(), type: ${JSON.stringify(type)}, data: {}, metadata: {} }], 'any')
      .then(() => store.close());`;
  await promisify(execFile)(process.execPath, ['-r', join(ROOT, 'test/support/register-ts.js'), '-e', script], { cwd: ROOT });
}

describe('the commit doorbell: commits of another process reach live subscriptions at once, not at the next poll', () => {
  it('an event appended by another Node process reaches this process’s subscriber with the poll switched off', async () => {
    // given a store whose subscriptions would poll only every ten minutes, with a subscriber at the head
    const file = files.file();
    const store = new SqliteEventStore({ filename: file, pollIntervalMs: NEVER });
    await store.append('here', [event('Here')], 'no_stream');
    const subscriber = collect(store);
    await until(() => subscriber.seen.length === 1, 'the first event');
    expect(store.hearsOtherProcesses).toBe(true);
    // when another process appends to the same file
    await appendFromAnotherProcess(file, 'FromAnotherProcess');
    // then the subscriber gets it, after ours, once
    await until(() => subscriber.seen.length === 2, 'the other process’s event');
    expect(subscriber.seen.map((e) => [e.type, e.streamId])).toEqual([
      ['Here', 'here'],
      ['FromAnotherProcess', 'from-another-process'],
    ]);
    subscriber.stop();
    await store.close();
  });

  it('a doorbell deleted (someone tidying DATA_DIR) or replaced is watched and rung again: the other store’s next commit still arrives at once', async () => {
    // given a store whose subscriptions would poll only every ten minutes, with a subscriber, and
    // another store on the same file that has rung the doorbell already
    const file = files.file();
    const doorbell = `${file}-doorbell`;
    const store = new SqliteEventStore({ filename: file, pollIntervalMs: NEVER });
    const other = new SqliteEventStore({ filename: file, pollIntervalMs: NEVER });
    const subscriber = collect(store);
    await other.append('other', [event('BeforeDeletion')], 'no_stream');
    await until(() => subscriber.seen.length === 1, 'the event appended before the deletion');
    // when the doorbell file is deleted
    rmSync(doorbell);
    // then it is made again and watched
    await until(() => existsSync(doorbell), 'the doorbell made again');
    expect(store.hearsOtherProcesses).toBe(true);
    // and the other store's next commit rings the new file, which reaches the subscriber
    await other.append('other', [event('AfterDeletion')], 0);
    await until(() => subscriber.seen.length === 2, 'the event appended after the deletion');
    // when the file is replaced by another one (a rename over it)
    writeFileSync(`${doorbell}.new`, '');
    renameSync(`${doorbell}.new`, doorbell);
    await other.append('other', [event('AfterReplacement')], 1);
    // then that one is watched and rung too
    await until(() => subscriber.seen.length === 3, 'the event appended after the replacement');
    expect(subscriber.seen.map((e) => e.type)).toEqual(['BeforeDeletion', 'AfterDeletion', 'AfterReplacement']);
    subscriber.stop();
    await other.close();
    await store.close();
  });

  it('a store writing on its caller’s thread (writerThread: false) rings too', async () => {
    const file = files.file();
    const store = new SqliteEventStore({ filename: file, pollIntervalMs: NEVER });
    const other = new SqliteEventStore({ filename: file, writerThread: false });
    const subscriber = collect(store);
    await other.append('other', [event('Other')], 'no_stream');
    await until(() => subscriber.seen.length === 1, 'the other store’s event');
    subscriber.stop();
    await other.close();
    await store.close();
  });

  it('without the doorbell the same commit waits for the poll (the control)', async () => {
    const file = files.file();
    const deaf = new SqliteEventStore({ filename: file, pollIntervalMs: NEVER, commitDoorbell: false });
    const other = new SqliteEventStore({ filename: file });
    const subscriber = collect(deaf);
    await other.append('other', [event('Other')], 'no_stream');
    await new Promise((r) => setTimeout(r, 500));
    expect(deaf.hearsOtherProcesses).toBe(false);
    expect(subscriber.seen).toEqual([]);
    subscriber.stop();
    await other.close();
    await deaf.close();
  });

  it('this store’s own rings come back to it and read no page (its subscribers read its commits already)', async () => {
    const file = files.file();
    const store = new SqliteEventStore({ filename: file, pollIntervalMs: NEVER });
    const internals = store as unknown as { statements: { readAll: { all: (...args: unknown[]) => unknown } }; feed: { wake: () => void } };
    const statement = internals.statements.readAll;
    const all = statement.all.bind(statement);
    let reads = 0;
    statement.all = (...args: unknown[]) => ((reads += 1), all(...args));
    const wake = internals.feed.wake.bind(internals.feed);
    let rings = 0;
    internals.feed.wake = () => ((rings += 1), wake());
    const subscriber = collect(store);
    await until(() => reads === 1, 'the catch-up read');
    // when it commits three times, one after the other, and hears its own rings
    for (const type of ['A', 'B', 'C']) {
      const before = rings;
      await store.append(`s-${type}`, [event(type)], 'no_stream');
      await until(() => subscriber.seen.length === ['A', 'B', 'C'].indexOf(type) + 1 && rings > before, `commit ${type} and its ring`);
    }
    // then one page per commit, none per ring
    expect(reads).toBe(1 + 3);
    expect(subscriber.seen.map((e) => e.type)).toEqual(['A', 'B', 'C']);
    subscriber.stop();
    await store.close();
  });

  it('a doorbell that cannot be opened (here a directory in its place): the store works, and the poll delivers', async () => {
    const file = files.file();
    mkdirSync(`${file}-doorbell`);
    const store = new SqliteEventStore({ filename: file, pollIntervalMs: 100 });
    const other = new SqliteEventStore({ filename: file });
    expect(store.hearsOtherProcesses).toBe(false);
    const subscriber = collect(store);
    await other.append('other', [event('Other')], 'no_stream');
    await store.append('mine', [event('Mine')], 'no_stream');
    await until(() => subscriber.seen.length === 2, 'both events');
    expect(subscriber.seen.map((e) => e.type)).toEqual(['Other', 'Mine']);
    subscriber.stop();
    await other.close();
    await store.close();
  });
});
