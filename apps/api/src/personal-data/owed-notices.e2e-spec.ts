import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEventStore, READ_MODELS_FILE } from '@nws/event-store/create-event-store';
import { PERSONAL_DATA_EVENTS, findEncryptingStore } from '@nws/personal-data';
import { loadRuntimeConfig } from '@nws/runtime';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { PublishedNoticesCatchUp } from './published-notices.catch-up';
import { TANAKA, registeredApplication } from './testing/personal-data.fixture';

const FEED = '/distribution/reference-distributor/events';

/**
 * Releases before PublishedPersonalDataChanged published the erasure itself; consumers take only
 * the notice now. An erasure recorded by such a release (its aftercare done, so the erasure watcher
 * starts past it) reached no distributor after the upgrade: the person stayed in their files. At
 * start the notice it owes is appended, once.
 */
describe('an erasure recorded by an older release, after the upgrade (real app, real files)', () => {
  let dataDir: string;
  let server: TestServer | undefined;
  const start = async () => {
    server = await TestServer.start({ dataDir });
    return { server, driver: new Driver(server), catchUp: server.app.get(PublishedNoticesCatchUp) };
  };
  const stop = async () => {
    await server?.stop(false);
    server = undefined;
  };
  const notices = async () => {
    const store = await createEventStore(loadRuntimeConfig({ DATA_DIR: dataDir }));
    const out: string[] = [];
    for await (const event of store.readStream('personal-data-132012')) if (event.type === PERSONAL_DATA_EVENTS.publishedChanged) out.push(event.id);
    await store.close();
    return out;
  };

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nws-owed-notices-'));
  });
  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('given a master-data contact erased as an older release did (no notice, aftercare done) after the consumer\u2019s checkpoint, when the new release starts, then the feed delivers the organ\u2019s notice; starting again appends none', async () => {
    const first = await start();
    await registeredApplication(first.driver);
    const subjects = await first.driver.as('applicant', 'GET', '/personal-data/subjects');
    const subjectId = subjects.body.subjects.find((s: { label: string }) => s.label === TANAKA.name).subjectId as string;
    // The consumer has everything so far: its checkpoint is the head.
    const delivered = await first.driver.as('distributor', 'GET', `${FEED}?after=0&limit=1000`);
    await first.driver.as('distributor', 'POST', '/distribution/reference-distributor/acks', { eventIds: delivered.body.events.map((e: { eventId: string }) => e.eventId) });
    await stop();

    // given: what an older release left: the request alone, the key destroyed, the aftercare recorded
    const store = await createEventStore(loadRuntimeConfig({ DATA_DIR: dataDir }));
    const at = '2026-11-30T01:00:00.000Z';
    const requestedBy = { sub: 'yamada', org: '132012', role: 'applicant' };
    const erased = await store.append(
      'personal-data-132012',
      [
        {
          id: randomUUID(),
          type: PERSONAL_DATA_EVENTS.erased,
          data: { subjectId, organizationCode: '132012', organizationKind: '市町村長部局', requestedBy, legalBasis: 'appi-98-erasure', reference: null, at },
          metadata: { actor: requestedBy, occurredAt: at, correlationId: subjectId },
        },
      ],
      'any',
    );
    await findEncryptingStore(store)!.keys.destroy(subjectId, at);
    await store.close();
    const readModels = new Database(join(dataDir, READ_MODELS_FILE));
    readModels.prepare(`INSERT INTO personal_data_aftercare (name, position) VALUES ('erasure', ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position`).run(erased.position);
    readModels.close();
    expect(await notices()).toEqual([]);

    // when the new release starts
    const second = await start();
    expect(await second.catchUp.done).toMatchObject({ owed: 1, published: 1 });
    // then the consumer's feed, from its checkpoint, holds the notice for the organ, never the person
    const feed = await second.driver.as('distributor', 'GET', `${FEED}?waitMs=5000`);
    const notice = feed.body.events.find((e: { type: string }) => e.type === PERSONAL_DATA_EVENTS.publishedChanged);
    expect(notice?.data).toEqual({ organizationCode: '132012', organizationKind: '市町村長部局', change: 'erased' });
    expect(JSON.stringify(feed.body)).not.toContain(subjectId);
    await stop();
    expect(await notices()).toHaveLength(1);

    // Started again, even with its catch-up's checkpoint gone (a read-model database made afresh): nothing more.
    const again = new Database(join(dataDir, READ_MODELS_FILE));
    again.prepare(`DELETE FROM personal_data_aftercare WHERE name = 'published-notices'`).run();
    again.close();
    const third = await start();
    expect(await third.catchUp.done).toMatchObject({ owed: 0, published: 0 });
    await stop();
    expect(await notices()).toHaveLength(1);
  });
});
