import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLACEHOLDER } from '@nws/personal-data';
import { TANAKA } from '../../api/src/personal-data/testing/personal-data.fixture';
import { Driver } from '../../api/src/testing/drive';
import { TestServer } from '../../api/src/testing/test-server';
import { runDistributor } from './distributor.loop';
import { hashOf } from './master-data-files.writer';

/** A liveness bound, not a speed check: only there so a stuck run fails instead of hanging. */
async function until<T>(what: string, read: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface VersionFile {
  readonly json: { contentHash: string; publishedContentHash?: string; content: { contacts: Array<{ name: string }> } };
  readonly text: string;
}

/**
 * Files a consumer wrote keep what was published when it wrote them. A 消去 or 利用停止 of a
 * person after the version was distributed must reach those copies too: the default consumer
 * takes the notices (PersonalDataErased, …UseSuspended, …UseResumed) and the reference
 * distributor rewrites the organ's versions on disk from the API's current view.
 */
describe('the reference distributor rewrites its copies after a 利用停止, its lifting and a 消去', () => {
  let server: TestServer;
  let driver: Driver;
  let output: string;
  const stop = new AbortController();
  let running: Promise<void>;
  const log: string[] = [];

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
    await driver.registerOrgan('applicant');
  });
  afterAll(async () => {
    stop.abort();
    await running;
    await server.stop();
    rmSync(output, { recursive: true, force: true });
  });

  it('given version 1 on disk with 田中 三郎, when his use is suspended, lifted and then his data erased, then the files follow each time and everything is acknowledged', async () => {
    const written = await until('version 1 on disk', () => v1());
    expect(written.json.content.contacts.map((c) => c.name)).toContain(TANAKA.name);
    expect(written.json).not.toHaveProperty('publishedContentHash');
    const tanaka = await subjectOf(TANAKA.name);

    await request(tanaka, 'suspension');
    const suspended = await until('the suspension in the files', () => {
      const file = v1();
      return file && !file.text.includes(TANAKA.name) ? file : undefined;
    });
    expect(suspended.text).toContain(PLACEHOLDER.suspended);
    expect(suspended.json.contentHash).toBe(written.json.contentHash);
    expect(suspended.json.publishedContentHash).toBe(hashOf(suspended.json.content));

    await request(tanaka, 'resumption');
    const resumed = await until('the lifting in the files', () => {
      const file = v1();
      return file?.text.includes(TANAKA.name) ? file : undefined;
    });
    expect(resumed.json.content).toEqual(written.json.content);
    expect(resumed.json).not.toHaveProperty('publishedContentHash');

    await request(tanaka, 'erasure');
    const erased = await until('the erasure in the files', () => {
      const file = v1();
      return file && !file.text.includes(TANAKA.name) ? file : undefined;
    });
    for (const value of [TANAKA.name, TANAKA.phone, TANAKA.email]) expect(erased.text).not.toContain(value);
    expect(erased.text).toContain(PLACEHOLDER.erased);
    expect(erased.json.publishedContentHash).toBe(hashOf(erased.json.content));

    // Every notice acknowledged, none parked: the consumer is at the head.
    const settled = await until('every notice acknowledged', async () => {
      const { consumers } = (await driver.as('distributor', 'GET', '/distribution/consumers')).body as {
        consumers: Array<{ name: string; eventTypes: string[]; lag: { events: number }; inFlight: number; parked: number }>;
      };
      const mine = consumers.find((c) => c.name === 'reference-distributor')!;
      return mine.lag.events === 0 && mine.inFlight === 0 ? mine : undefined;
    });
    expect(settled.parked).toBe(0);
    expect(settled.eventTypes).toEqual(expect.arrayContaining(['PersonalDataErased', 'PersonalDataUseSuspended', 'PersonalDataUseResumed']));
    expect(log.filter((line) => line.startsWith('132012 v1 (PersonalData') && line.includes('rewritten as published now'))).toHaveLength(3);
  });
});
