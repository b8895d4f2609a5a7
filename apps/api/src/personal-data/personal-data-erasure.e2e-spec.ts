import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyStreamChain, type RecordedEvent } from '@nws/event-store';
import { runCli } from '../../../cli/src/main';
import { PLACEHOLDER, type EncryptingEventStore } from '@nws/personal-data';
import { masterDataStream } from '@nws/workflows/connection-application';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { PERSONAL_DATA_STORE } from './personal-data.tokens';
import { TANAKA, TANAKA_VALUES, checkpointEvents, filesHolding, registeredApplication } from './testing/personal-data.fixture';

const AUDIT = { 'x-access-purpose': 'audit' };

/**
 * 消去 end to end on real files: after one person is erased, no file of the data directory, no
 * response, export or replay holds any of their values — while every chain still verifies and
 * the application still folds to the same state.
 */
describe('erasure of one person (crypto-shredding) over HTTP, checked byte by byte', () => {
  let server: TestServer;
  let driver: Driver;
  let id: string;
  let subjectId: string;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    id = await registeredApplication(driver);
    // Reads by others, so the access log has something to say about the person.
    await driver.as('prefectureReviewer', 'GET', `/applications/${id}`);
    await driver.as('auditor', 'GET', `/applications/${id}/history`, undefined, AUDIT);
  });
  afterAll(() => server.stop());

  it('before erasure: events hold only ciphertext, while read models and the key store hold the name (the search works)', async () => {
    checkpointEvents(server.config.dataDir);
    const holding = filesHolding(server.config.dataDir, TANAKA_VALUES);
    expect(holding.filter((h) => h.file.startsWith('events.sqlite'))).toEqual([]);
    expect(holding.map((h) => h.file)).toEqual(expect.arrayContaining(['personal-data-keys.sqlite']));
    expect(holding.some((h) => h.file.startsWith('read-models.sqlite') && h.value === TANAKA.phone)).toBe(true);
    const view = await driver.as('applicant', 'GET', `/applications/${id}`);
    expect(view.body.forms['02-02'].data.emergencyContacts[0]).toMatchObject({ name: TANAKA.name, mobile: TANAKA.mobileShown });
  });

  it('the disclosure export lists every place the person appears, with the purposes of use', async () => {
    const subjects = await driver.as('applicant', 'GET', '/personal-data/subjects');
    subjectId = subjects.body.subjects.find((s: { label: string }) => s.label === TANAKA.name).subjectId;
    const disclosure = await driver.as('applicant', 'GET', `/personal-data/subjects/${subjectId}`);
    expect(disclosure.status).toBe(200);
    expect(disclosure.body.subject).toMatchObject({ subjectId, organizationCode: '132012', name: TANAKA.name, state: 'active' });
    expect(disclosure.body.purposes.length).toBeGreaterThan(0);
    const places = disclosure.body.places.map((p: { eventType: string; formCode: string | null; masterDataVersion: number | null; field: string; value: string; applicationId: string }) =>
      `${p.eventType}|${p.formCode ?? ''}|${p.masterDataVersion ?? ''}|${p.applicationId}|${p.field}|${p.value}`,
    );
    expect(places.sort()).toEqual(
      [
        `FormSaved|02-02||${id}|data.form.normalContacts[0].name|${TANAKA.name}`,
        `FormSaved|02-02||${id}|data.form.normalContacts[0].phone|${TANAKA.phone}`,
        `FormSaved|02-02||${id}|data.form.normalContacts[0].email|${TANAKA.email}`,
        `FormSaved|02-02||${id}|data.form.emergencyContacts[0].name|${TANAKA.name}`,
        `FormSaved|02-02||${id}|data.form.emergencyContacts[0].mobile|${TANAKA.mobile}`,
        `FormSaved|02-02||${id}|data.form.emergencyContacts[0].email|${TANAKA.emergencyEmail}`,
        `MasterDataVersionRegistered||1|${id}|data.content.contacts[0].name|${TANAKA.name}`,
        `MasterDataVersionRegistered||1|${id}|data.content.contacts[0].phone|${TANAKA.phone}`,
        `MasterDataVersionRegistered||1|${id}|data.content.contacts[0].email|${TANAKA.email}`,
      ].sort(),
    );
    expect(disclosure.body.derivedCopies).toEqual([{ file: 'read-models.sqlite', table: 'master_data_versions', organizationCode: '132012', organizationKind: '市町村長部局', version: 1 }]);
    expect(disclosure.body.accessLog.map((e: { actor: { role: string } }) => e.actor.role)).toEqual(expect.arrayContaining(['first-reviewer', 'auditor']));
  });

  it('erasure destroys the key; every read shows ［消去済み］ and nothing else of the person', async () => {
    const erased = await driver.as('applicant', 'POST', `/personal-data/subjects/${subjectId}/erasure`, { legalBasis: 'appi-98-erasure', reference: 'REQ-2026-0001' });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ subjectId, organizationCode: '132012', alreadyErased: false });
    const again = await driver.as('applicant', 'POST', `/personal-data/subjects/${subjectId}/erasure`, { legalBasis: 'appi-98-erasure' });
    expect(again.body.alreadyErased).toBe(true);

    const reads = [
      await driver.as('applicant', 'GET', `/applications/${id}`),
      await driver.as('applicant', 'GET', `/applications/${id}?asOfRevision=3`),
      await driver.as('prefectureReviewer', 'GET', `/applications/${id}/history`),
      await driver.as('auditor', 'GET', `/applications/${id}/history`, undefined, AUDIT),
      await driver.as('applicant', 'GET', '/master-data/organizations/132012'),
      await driver.as('distributor', 'GET', '/master-data/organizations/132012/versions/1'),
      await driver.as('applicant', 'GET', `/personal-data/subjects/${subjectId}`),
    ];
    for (const read of reads) {
      expect(read.status).toBe(200);
      const text = JSON.stringify(read.body);
      for (const value of TANAKA_VALUES) expect(text).not.toContain(value);
    }
    const [now, asOf, , , published] = reads;
    expect(now!.body.state).toBe('distributed');
    expect(now!.body.forms['02-02'].data.emergencyContacts[0]).toMatchObject({ name: PLACEHOLDER.erased, mobile: PLACEHOLDER.erased, email: PLACEHOLDER.erased });
    expect(now!.body.forms['02-02'].data.normalContacts[1].name).toBe('高橋 四郎');
    expect(asOf!.body.forms['02-02'].data.normalContacts[0].phone).toBe(PLACEHOLDER.erased);
    expect(published!.body.content.contacts[0]).toMatchObject({ name: PLACEHOLDER.erased, phone: PLACEHOLDER.erased, email: PLACEHOLDER.erased });
    expect(reads[6]!.body.subject).toMatchObject({ state: 'erased', name: null });
  });

  it('the CLI export and replay show the placeholder too', async () => {
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const dataDir = process.env['DATA_DIR'];
    process.env['DATA_DIR'] = server.config.dataDir;
    (process.stdout as { write: unknown }).write = (chunk: string) => out.push(String(chunk)) > 0;
    const exported = mkdtempSync(join(tmpdir(), 'nws-erasure-export-'));
    try {
      expect(await runCli(['history', id, '--purpose', 'audit'])).toBe(0);
      expect(await runCli(['replay', id, '--as-of-revision', '4', '--purpose', 'audit'])).toBe(0);
      expect(await runCli(['export', '--application', id, '--format', 'csv', '--purpose', 'audit', '--out', join(exported, 'application.csv'), '--no-progress'])).toBe(0);
      expect(await runCli(['export', '--out', join(exported, 'store.jsonl'), '--no-progress'])).toBe(0);
      const csv = readFileSync(join(exported, 'application.csv'), 'utf8');
      const jsonl = readFileSync(join(exported, 'store.jsonl'), 'utf8');
      // CSV is for reading: values in clear, so the erased person is the placeholder. JSON Lines keep
      // events as stored (ciphertext) so the chain verifies offline; the key to read them is gone.
      expect(csv).toContain(PLACEHOLDER.erased);
      expect(csv).not.toContain('enc:v1:');
      expect(jsonl).toContain(`application-${id}`);
      out.push(csv, jsonl);
    } finally {
      rmSync(exported, { recursive: true, force: true });
      (process.stdout as { write: unknown }).write = write;
      if (dataDir === undefined) delete process.env['DATA_DIR'];
      else process.env['DATA_DIR'] = dataDir;
    }
    const text = out.join('');
    expect(text).toContain(PLACEHOLDER.erased);
    for (const value of TANAKA_VALUES) expect(text).not.toContain(value);
  });

  it('no file of the data directory holds any of their values (events incl. WAL, read models, key store, access log)', () => {
    checkpointEvents(server.config.dataDir);
    expect(filesHolding(server.config.dataDir, TANAKA_VALUES)).toEqual([]);
  });

  it('every stream still verifies over the stored events, and the trail records the erasure', async () => {
    const store = server.app.get<EncryptingEventStore>(PERSONAL_DATA_STORE);
    const streams = new Map<string, RecordedEvent[]>();
    for await (const event of store.stored.readAll()) streams.set(event.streamId, [...(streams.get(event.streamId) ?? []), event]);
    expect([...streams.keys()]).toEqual(expect.arrayContaining([`application-${id}`, masterDataStream('132012', '市町村長部局'), 'personal-data-132012']));
    for (const [stream, events] of streams) expect({ stream, broken: verifyStreamChain(events).broken }).toEqual({ stream, broken: undefined });
    const trail = streams.get('personal-data-132012')!;
    // The erasure, then its notice for distribution (the body and the change only), once the key is gone.
    expect(trail.map((e) => e.type)).toEqual(['PersonalDataErased', 'PublishedPersonalDataChanged']);
    expect(trail[1]!.data).toEqual({ organizationCode: '132012', organizationKind: '市町村長部局', change: 'erased' });
    expect(trail[0]!.data).toMatchObject({ subjectId, legalBasis: 'appi-98-erasure', reference: 'REQ-2026-0001', requestedBy: { sub: 'yamada', org: '132012', role: 'applicant' } });
  });
});
