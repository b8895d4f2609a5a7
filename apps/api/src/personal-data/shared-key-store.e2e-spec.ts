import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLACEHOLDER } from '@nws/personal-data';
import { startEsdbStandIn, type EsdbStandIn } from '../../../../test/esdb-stand-in/start-stand-in';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { TANAKA, TANAKA_VALUES, filesHolding, registeredApplication } from './testing/personal-data.fixture';

/**
 * Two API replicas on one EventStoreDB, each with its own data directory (read models, access
 * log) and one key file between them (PERSONAL_DATA_KEY_FILE on a shared volume, as in
 * docker/docker-compose.yml): what one replica encrypted the other reads, and an erasure through
 * one leaves no value on the other.
 */
describe('personal data across two API replicas sharing one key file', () => {
  let standIn: EsdbStandIn;
  let keys: string;
  let a: TestServer;
  let b: TestServer;
  let viaA: Driver;
  let viaB: Driver;
  let id: string;

  beforeAll(async () => {
    standIn = await startEsdbStandIn();
    keys = mkdtempSync(join(tmpdir(), 'nws-shared-keys-'));
    const env = { EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: standIn.connectionString, PERSONAL_DATA_KEY_FILE: join(keys, 'personal-data-keys.sqlite') };
    a = await TestServer.start({ env });
    b = await TestServer.start({ env: { ...env, PROCESS_ROLE: 'api' } });
    viaA = new Driver(a);
    viaB = new Driver(b);
    id = await registeredApplication(viaA);
  }, 60_000);
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await standIn?.stop();
    rmSync(keys, { recursive: true, force: true });
  });

  it('what one replica wrote, the other reads in clear (not ［復号不可］), read model included', async () => {
    const view = await viaB.as('applicant', 'GET', `/applications/${id}`);
    expect(view.status).toBe(200);
    expect(view.body.forms['02-02'].data.normalContacts[0]).toMatchObject({ name: TANAKA.name, phone: TANAKA.phoneShown });
    expect(JSON.stringify(view.body)).not.toContain(PLACEHOLDER.unreadable);
    const published = await viaB.as('otherApplicant', 'GET', '/master-data/organizations/132012');
    expect(published.body.content.contacts[0]).toMatchObject({ name: TANAKA.name, phone: TANAKA.phone });
  });

  it('an erasure through one replica leaves no value of the person in the other one’s reads or files', async () => {
    const subjects = await viaB.as('applicant', 'GET', '/personal-data/subjects');
    expect(filesHolding(a.config.dataDir, TANAKA_VALUES).length).toBeGreaterThan(0);
    const subjectId = subjects.body.subjects.find((s: { label: string }) => s.label === TANAKA.name).subjectId as string;
    expect((await viaB.as('applicant', 'POST', `/personal-data/subjects/${subjectId}/erasure`, { legalBasis: 'appi-98-erasure' })).status).toBe(200);
    // Replica A learns of it from the PersonalDataErased event and rebuilds its read models.
    const deadline = Date.now() + 20_000;
    while (filesHolding(a.config.dataDir, TANAKA_VALUES).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(filesHolding(a.config.dataDir, TANAKA_VALUES)).toEqual([]);
    for (const read of [await viaA.as('applicant', 'GET', `/applications/${id}`), await viaA.as('otherApplicant', 'GET', '/master-data/organizations/132012')]) {
      const text = JSON.stringify(read.body);
      for (const value of TANAKA_VALUES) expect(text).not.toContain(value);
      expect(text).toContain(PLACEHOLDER.erased);
    }
  }, 30_000);
});
