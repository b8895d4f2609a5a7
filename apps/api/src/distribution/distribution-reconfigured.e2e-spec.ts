import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistributionHarness } from './testing/distribution-harness';

const VERSION = 'MasterDataVersionRegistered';

/**
 * An operator takes a consumer that stopped acknowledging out of DISTRIBUTION_CONSUMERS_FILE and
 * restarts the API: the versions every remaining consumer acknowledged are distributed then.
 */
describe('a consumer taken out of the configuration no longer holds applications back', () => {
  let dataDir: string;
  beforeAll(() => (dataDir = mkdtempSync(join(tmpdir(), 'nws-dist-reconfigured-'))));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('given a version acknowledged by files but not by stalled, when the API restarts without stalled, then the application is distributed', async () => {
    const before = await DistributionHarness.start({ dataDir, consumers: [{ name: 'files', eventTypes: [VERSION] }, { name: 'stalled', eventTypes: [VERSION] }] });
    let id: string;
    try {
      id = await before.approved();
      const pulled = await before.pull('files', '?after=0');
      expect((await before.ack('files', pulled.body.events.map((e: { eventId: string }) => e.eventId))).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await before.state(id)).toBe('masterDataRegistered');
    } finally {
      await before.stop(false);
    }

    const after = await DistributionHarness.start({ dataDir, consumers: [{ name: 'files', eventTypes: [VERSION] }] });
    try {
      await after.waitForState(id, 'distributed');
    } finally {
      await after.stop(false);
    }
  });
});
