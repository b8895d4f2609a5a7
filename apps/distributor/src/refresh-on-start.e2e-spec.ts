import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

  const run = async (refreshOnStart: boolean, until: () => boolean) => {
    const stop = new AbortController();
    const log: string[] = [];
    const token = await h.distributorToken();
    const running = runDistributor({ apiUrl: h.server.url, consumer: 'files', outputDir: output, token: async () => token, pullWaitMs: 100, signal: stop.signal, log: (line) => log.push(line), refreshOnStart });
    await found('the distributor to get there', () => (until() ? true : undefined));
    stop.abort();
    await running;
    return log;
  };
  const v1 = () => {
    try {
      return readFileSync(join(output, '132012', 'v1.json'), 'utf8');
    } catch {
      return '';
    }
  };

  it('given version 1 written, and 田中 三郎 erased while no notice can reach it, when it starts with REFRESH_ON_START, then the copy is rewritten without him', async () => {
    await h.approved();
    const first = await run(false, () => v1().includes(TANAKA.name));
    expect(first.some((line) => line.startsWith('WARNING: consumer files is not registered for PublishedPersonalDataChanged'))).toBe(true);

    const { subjects } = (await h.driver.as('applicant', 'GET', '/personal-data/subjects')).body as { subjects: Array<{ subjectId: string; label: string }> };
    const tanaka = subjects.find((s) => s.label === TANAKA.name)!.subjectId;
    expect((await h.driver.as('applicant', 'POST', `/personal-data/subjects/${tanaka}/erasure`, { legalBasis: 'appi-98-erasure' })).status).toBe(200);

    const refreshed = await run(true, () => !v1().includes(TANAKA.name));
    expect(v1()).toContain(PLACEHOLDER.erased);
    expect(refreshed).toContain('132012 v1 (refresh on start): rewritten as published now');
  });
});
