import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLACEHOLDER } from '@nws/personal-data';
import { DistributionHarness } from '../../api/src/distribution/testing/distribution-harness';
import { TANAKA } from '../../api/src/personal-data/testing/personal-data.fixture';
import { found } from '../../api/src/testing/eventually';
import { runDistributor } from './distributor.loop';

/**
 * A consumer registered without the notice (a configuration from before it, or an upgrade: notices
 * are never delivered for erasures before its checkpoint) is told so at start, and REFRESH_ON_START
 * rewrites its copies from what the API shows now.
 */
describe('the reference distributor for a consumer without notices: warned, and refreshed on start', () => {
  let h: DistributionHarness;
  let output: string;

  beforeAll(async () => {
    h = await DistributionHarness.start({ consumers: [{ name: 'files', eventTypes: ['MasterDataVersionRegistered'] }] });
    output = mkdtempSync(join(tmpdir(), 'nws-refresh-'));
  });
  afterAll(async () => {
    await h.stop();
    rmSync(output, { recursive: true, force: true });
  });

  const run = async (refreshOnStart: boolean, until: (log: readonly string[]) => boolean) => {
    const stop = new AbortController();
    const log: string[] = [];
    const token = await h.distributorToken();
    const running = runDistributor({ apiUrl: h.server.url, consumer: 'files', outputDir: output, token: async () => token, pullWaitMs: 100, signal: stop.signal, log: (line) => log.push(line), refreshOnStart });
    await found('the distributor to get there', () => (until(log) ? true : undefined));
    stop.abort();
    await running;
    return log;
  };
  const v1 = (extension = 'json') => {
    try {
      return readFileSync(join(output, '132012', `v1.${extension}`), 'utf8');
    } catch {
      return '';
    }
  };
  let csvWithHim = '';

  it('given version 1 written, and 田中 三郎 erased while no notice can reach it, when it starts with REFRESH_ON_START, then the copy is rewritten without him', async () => {
    await h.approved();
    const first = await run(false, () => v1().includes(TANAKA.name));
    csvWithHim = v1('csv');
    expect(first.some((line) => line.startsWith('WARNING: consumer files is not registered for PublishedPersonalDataChanged'))).toBe(true);

    const { subjects } = (await h.driver.as('applicant', 'GET', '/personal-data/subjects')).body as { subjects: Array<{ subjectId: string; label: string }> };
    const tanaka = subjects.find((s) => s.label === TANAKA.name)!.subjectId;
    expect((await h.driver.as('applicant', 'POST', `/personal-data/subjects/${tanaka}/erasure`, { legalBasis: 'appi-98-erasure' })).status).toBe(200);

    const refreshed = await run(true, () => !v1().includes(TANAKA.name));
    expect(v1()).toContain(PLACEHOLDER.erased);
    expect(refreshed).toContain('132012 v1 (refresh on start): rewritten as published now');
  });

  /** What a crash between the CSV's rename and the JSON's leaves when the view then goes back (a 利用停止 lifted and made again). */
  it('given the CSV from before the erasure beside the JSON that withholds him, when it starts with REFRESH_ON_START, then the CSV is rewritten without him', async () => {
    expect(csvWithHim).toContain(TANAKA.name);
    const csv = v1('csv');
    writeFileSync(join(output, '132012', 'v1.csv'), csvWithHim);
    const refreshed = await run(true, (log) => log.some((line) => line.includes('(refresh on start)')));
    expect(refreshed).toContain('132012 v1 (refresh on start): rewritten as published now');
    expect(v1('csv')).toBe(csv);
    expect(v1('csv')).not.toContain(TANAKA.name);
  });
});
