import { found } from '../../api/src/testing/eventually';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLACEHOLDER } from '@nws/personal-data';
import { startEsdbStandIn, type EsdbStandIn } from '../../../test/esdb-stand-in/start-stand-in';
import { TANAKA } from '../../api/src/personal-data/testing/personal-data.fixture';
import { Driver, actors } from '../../api/src/testing/drive';
import { TestServer } from '../../api/src/testing/test-server';
import { runDistributor } from './distributor.loop';
import { hashOf } from './master-data-files.writer';

interface VersionFile {
  readonly json: { contentHash: string; publishedContentHash?: string; content: { contacts: Array<{ name: string }> } };
  readonly text: string;
}

/**
 * Files a consumer wrote keep what was published when it wrote them. A 消去 or 利用停止 of a
 * person after the version was distributed must reach those copies too: the default consumer
 * takes the notices (PublishedPersonalDataChanged, recorded once the key store holds the change) and the reference
 * distributor rewrites the organ's versions on disk from the API's current view.
 */
describe('the reference distributor rewrites its copies after a 利用停止, its lifting and a 消去', () => {
  let server: TestServer;
  let driver: Driver;
  let output: string;
  const stop = new AbortController();
  let running: Promise<void>;
  const log: string[] = [];
  let ended: string | undefined;

  const v1 = (): VersionFile | undefined => {
    try {
      const text = readFileSync(join(output, '132012', 'v1.json'), 'utf8') + readFileSync(join(output, '132012', 'v1.csv'), 'utf8');
      return { json: JSON.parse(readFileSync(join(output, '132012', 'v1.json'), 'utf8')) as VersionFile['json'], text };
    } catch {
      return undefined;
    }
  };
  const subjectOf = async (label: string): Promise<string> => {
    const { subjects } = (await driver.as('applicant', 'GET', '/personal-data/subjects')).body as { subjects: Array<{ subjectId: string; label: string }> };
    return subjects.find((s) => s.label === label)!.subjectId;
  };
  const request = async (subjectId: string, what: 'erasure' | 'suspension' | 'resumption') => {
    const answer = await driver.as('applicant', 'POST', `/personal-data/subjects/${subjectId}/${what}`, { legalBasis: { erasure: 'appi-98-erasure', suspension: 'appi-98-suspension', resumption: 'suspension-lifted' }[what] });
    expect([what, answer.status]).toEqual([what, 200]);
  };

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    output = mkdtempSync(join(tmpdir(), 'nws-notices-'));
    const token = await driver.token('distributor');
    running = runDistributor({ apiUrl: server.url, consumer: 'reference-distributor', outputDir: output, token: async () => token, pullWaitMs: 200, signal: stop.signal, log: (line) => log.push(line) });
    running.then(
      () => (ended = 'stopped'),
      (error: unknown) => (ended = String(error)),
    );
    await driver.registerOrgan('applicant');
  });
  afterAll(async () => {
    stop.abort();
    await running;
    await server.stop();
    rmSync(output, { recursive: true, force: true });
  });

  it('given version 1 on disk with 田中 三郎, when his use is suspended, lifted and then his data erased, then the files follow each time and everything is acknowledged', async () => {
    const written = await found('version 1 on disk', () => v1());
    expect(written.json.content.contacts.map((c) => c.name)).toContain(TANAKA.name);
    expect(written.json).not.toHaveProperty('publishedContentHash');
    const tanaka = await subjectOf(TANAKA.name);

    await request(tanaka, 'suspension');
    const suspended = await found('the suspension in the files', () => {
      const file = v1();
      return file && !file.text.includes(TANAKA.name) ? file : undefined;
    });
    expect(suspended.text).toContain(PLACEHOLDER.suspended);
    expect(suspended.json.contentHash).toBe(written.json.contentHash);
    expect(suspended.json.publishedContentHash).toBe(hashOf(suspended.json.content));

    await request(tanaka, 'resumption');
    const resumed = await found('the lifting in the files', () => {
      const file = v1();
      return file?.text.includes(TANAKA.name) ? file : undefined;
    });
    expect(resumed.json.content).toEqual(written.json.content);
    expect(resumed.json).not.toHaveProperty('publishedContentHash');

    await request(tanaka, 'erasure');
    const erased = await found('the erasure in the files', () => {
      const file = v1();
      return file && !file.text.includes(TANAKA.name) ? file : undefined;
    });
    for (const value of [TANAKA.name, TANAKA.phone, TANAKA.email]) expect(erased.text).not.toContain(value);
    expect(erased.text).toContain(PLACEHOLDER.erased);
    expect(erased.json.publishedContentHash).toBe(hashOf(erased.json.content));

    // Every notice acknowledged, none parked: the consumer is at the head.
    const settled = await found('every notice acknowledged', async () => {
      const { consumers } = (await driver.as('distributor', 'GET', '/distribution/consumers')).body as {
        consumers: Array<{ name: string; eventTypes: string[]; lag: { events: number }; inFlight: number; parked: number }>;
      };
      const mine = consumers.find((c) => c.name === 'reference-distributor')!;
      return mine.lag.events === 0 && mine.inFlight === 0 ? mine : undefined;
    });
    expect(settled.parked).toBe(0);
    expect(settled.eventTypes).toEqual(expect.arrayContaining(['PublishedPersonalDataChanged']));
    expect(log.filter((line) => line.startsWith('132012 v1 (PublishedPersonalDataChanged') && line.includes('rewritten as published now'))).toHaveLength(3);
  });

  it('given a copy the API does not have (a stray v99 in the organ’s directory), when a notice comes, then that notice is parked with the reason and the distributor goes on', async () => {
    writeFileSync(join(output, '132012', 'v99.json'), readFileSync(join(output, '132012', 'v1.json')));
    // Another person of version 1 (TANAKA was erased above).
    const published = readFileSync(join(output, '132012', 'v1.json'), 'utf8');
    const [other] = ((await driver.as('applicant', 'GET', '/personal-data/subjects')).body as { subjects: Array<{ subjectId: string; label: string }> }).subjects.filter((s) => s.label !== TANAKA.name && published.includes(s.label));
    await request(other!.subjectId, 'suspension');
    const settled = await found('the notice parked', async () => {
      const { consumers } = (await driver.as('distributor', 'GET', '/distribution/consumers')).body as { consumers: Array<{ name: string; lag: { events: number }; inFlight: number; parked: number }> };
      const mine = consumers.find((c) => c.name === 'reference-distributor')!;
      return mine.parked === 1 && mine.lag.events === 0 && mine.inFlight === 0 ? mine : undefined;
    });
    expect(settled.parked).toBe(1);
    const parked = (await driver.as('distributor', 'GET', '/distribution/reference-distributor/parked')).body as { items?: Array<{ reason?: string; lastError?: string }> } & Array<{ reason?: string }>;
    expect(JSON.stringify(parked)).toContain('v99');
    expect(ended).toBeUndefined();
    // The copies the API does have were rewritten all the same.
    expect(readFileSync(join(output, '132012', 'v1.json'), 'utf8')).toContain(PLACEHOLDER.suspended);
  });
});

/**
 * At scale (EventStoreDB): API replicas serve applications, one worker serves distribution, and
 * the distributors point at the worker (README). A notice sends them for the versions as published
 * now: the worker serves them too, or the pulling distributor died on the 404 and started again
 * only to die on the same notice.
 */
describe('at scale: the distributor pointed at the worker rewrites its copies after an erasure', () => {
  let standIn: EsdbStandIn;
  let api: TestServer;
  let worker: TestServer;
  let output: string;
  let keys: string;
  const stop = new AbortController();
  let running: Promise<void>;

  beforeAll(async () => {
    standIn = await startEsdbStandIn();
    keys = mkdtempSync(join(tmpdir(), 'nws-notice-keys-'));
    const env = { EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: standIn.connectionString, PERSONAL_DATA_KEY_FILE: join(keys, 'personal-data-keys.sqlite') };
    api = await TestServer.start({ env: { ...env, PROCESS_ROLE: 'api' } });
    worker = await TestServer.start({ env: { ...env, PROCESS_ROLE: 'worker' } });
    output = mkdtempSync(join(tmpdir(), 'nws-notices-worker-'));
    const token = await worker.token(actors.distributor);
    running = runDistributor({ apiUrl: worker.url, consumer: 'reference-distributor', outputDir: output, token: async () => token, pullWaitMs: 200, signal: stop.signal });
  }, 60_000);
  afterAll(async () => {
    stop.abort();
    await running?.catch(() => undefined);
    await worker?.stop();
    await api?.stop();
    await standIn?.stop();
    rmSync(output, { recursive: true, force: true });
    rmSync(keys, { recursive: true, force: true });
  });

  it('given version 1 written through the worker, when 田中 三郎 is erased through an API replica, then the files no longer hold him', async () => {
    const driver = new Driver(api);
    await driver.registerOrgan('applicant');
    const file = () => {
      try {
        return readFileSync(join(output, '132012', 'v1.json'), 'utf8') + readFileSync(join(output, '132012', 'v1.csv'), 'utf8');
      } catch {
        return undefined;
      }
    };
    expect(await found('version 1 on disk', file)).toContain(TANAKA.name);
    const { subjects } = (await driver.as('applicant', 'GET', '/personal-data/subjects')).body as { subjects: Array<{ subjectId: string; label: string }> };
    const tanaka = subjects.find((s) => s.label === TANAKA.name)!.subjectId;
    expect((await driver.as('applicant', 'POST', `/personal-data/subjects/${tanaka}/erasure`, { legalBasis: 'appi-98-erasure' })).status).toBe(200);
    const erased = await found('the erasure in the files', () => {
      const text = file();
      return text && !text.includes(TANAKA.name) ? text : undefined;
    });
    expect(erased).toContain(PLACEHOLDER.erased);
  }, 90_000);
});
