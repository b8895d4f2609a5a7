import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistributionHarness } from '../../api/src/distribution/testing/distribution-harness';
import { runDistributor } from './distributor.loop';
import { masterDataCsv } from './master-data.csv';
import type { DistributorStep } from './master-data-files.writer';

const VERSION = 'MasterDataVersionRegistered';
const APPLICATIONS = 60;
const STEPS: DistributorStep[] = ['temp-written', 'renamed', 'published', 'before-ack', 'acked'];

class SimulatedCrash extends Error {}

/** mulberry32: a seeded generator, so a failing run can be repeated with DISTRIBUTOR_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('reference distributor against a real API (in-process crashes and restarts)', () => {
  const seed = Number(process.env['DISTRIBUTOR_SEED'] ?? Date.now() % 1_000_000);
  const rng = random(seed);
  let h: DistributionHarness;
  let outputDir: string;
  let archiveDir: string;

  beforeAll(async () => {
    h = await DistributionHarness.start({
      consumers: [
        // Every restart redelivers what was in hand: allow more deliveries than this test has crashes.
        { name: 'reference-distributor', eventTypes: [VERSION, 'SecondReviewApproved'], maxDeliveries: 100 },
        { name: 'archive', eventTypes: [VERSION] },
      ],
    });
    outputDir = mkdtempSync(join(tmpdir(), 'nws-distributor-'));
    archiveDir = mkdtempSync(join(tmpdir(), 'nws-archive-'));
  });
  afterAll(async () => {
    await h.stop();
    rmSync(outputDir, { recursive: true, force: true });
    rmSync(archiveDir, { recursive: true, force: true });
  });

  it(`killed at random points while ${APPLICATIONS} applications are approved: every version on disk exactly once, in order; an offline consumer catches up; all distributed (seed ${seed})`, async () => {
    const token = await h.distributorToken();
    const published: Array<{ code: string; version: number; position: number }> = [];
    const crashedAt = new Set<DistributorStep>();
    let crashes = 0;
    let stops = 0;
    const onStep = (step: DistributorStep, detail: { organizationCode?: string; version?: number; position?: number; file?: string }) => {
      // The JSON landing in place is the effect: once it is there, the version counts as written.
      if (step === 'renamed' && detail.file?.endsWith('.json')) published.push({ code: detail.organizationCode!, version: detail.version!, position: detail.position! });
      // Every kind of point at least once, then now and then anywhere.
      if ((!crashedAt.has(step) && rng() < 0.3) || (crashes < 25 && rng() < 0.03)) {
        crashedAt.add(step);
        crashes += 1;
        throw new SimulatedCrash(`crash at ${step}`);
      }
    };

    const finished = new AbortController();
    const runner = (async () => {
      while (!finished.signal.aborted) {
        // Besides crashes, stop it gracefully at random moments (SIGTERM).
        const run = new AbortController();
        const stopTimer = setTimeout(() => {
          stops += 1;
          run.abort();
        }, 50 + rng() * 400);
        const relay = () => run.abort();
        finished.signal.addEventListener('abort', relay);
        try {
          await runDistributor({ apiUrl: h.server.url, consumer: 'reference-distributor', outputDir, token: async () => token, pollIntervalMs: 10, batchSize: 1 + Math.floor(rng() * 6), signal: run.signal, onStep });
        } catch (error) {
          if (!(error instanceof SimulatedCrash)) throw error;
        } finally {
          clearTimeout(stopTimer);
          finished.signal.removeEventListener('abort', relay);
        }
        await sleep(rng() * 20);
      }
    })();

    // Four clients approving at once, two bodies: versions of one body interleave with the other's.
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < APPLICATIONS) {
          const n = next++;
          ids.push(await h.approved(n % 3 === 0 ? 'tachikawa' : 'hachioji'));
        }
      }),
    );
    await until('the reference distributor to settle everything', async () => {
      const status = (await h.driver.as('distributor', 'GET', '/distribution/reference-distributor')).body;
      return status.lag.events === 0 && status.checkpoint > 0;
    });
    finished.abort();
    await runner;

    expect(crashes).toBeGreaterThanOrEqual(STEPS.length);
    expect([...crashedAt].sort()).toEqual([...STEPS].sort());
    expect(stops + crashes).toBeGreaterThan(STEPS.length);

    // Every version of every body is on disk exactly once, complete, and equal to the registered one.
    const expected = new Map<string, number>([
      ['132012', ids.length - Math.ceil(APPLICATIONS / 3)],
      ['132021', Math.ceil(APPLICATIONS / 3)],
    ]);
    expect(readdirSync(outputDir).sort()).toEqual([...expected.keys()]);
    for (const [code, count] of expected) {
      const files = readdirSync(join(outputDir, code)).sort();
      const wanted = Array.from({ length: count }, (_, i) => [`v${i + 1}.csv`, `v${i + 1}.json`]).flat().sort();
      expect(files).toEqual(wanted);
      const registered = (await h.driver.as('distributor', 'GET', `/master-data/organizations/${code}/versions`)).body as Array<{ version: number; contentHash: string; applicationId: string }>;
      expect(registered).toHaveLength(count);
      for (const version of registered) {
        const json = JSON.parse(readFileSync(join(outputDir, code, `v${version.version}.json`), 'utf8'));
        expect(json).toMatchObject({ organizationCode: code, version: version.version, contentHash: version.contentHash, applicationId: version.applicationId });
        expect(JSON.stringify(json)).not.toMatch(/090-?1234-?5678|kinkyu|emergencyContacts/);
        expect(readFileSync(join(outputDir, code, `v${version.version}.csv`), 'utf8')).toBe(masterDataCsv(json));
      }
    }
    // Each version's JSON was put in place once (redeliveries after a crash were recognised by content hash), in global order.
    const keys = published.map((p) => `${p.code}/v${p.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(APPLICATIONS);
    expect(published.map((p) => p.position)).toEqual([...published.map((p) => p.position)].sort((a, b) => a - b));
    for (const code of expected.keys()) {
      const versions = published.filter((p) => p.code === code).map((p) => p.version);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }

    // The archive was offline the whole time: nothing is distributed until it has acknowledged too.
    const states = await Promise.all(ids.map((id) => h.state(id)));
    expect(new Set(states)).toEqual(new Set(['masterDataRegistered']));
    const lag = (await h.driver.as('distributor', 'GET', '/distribution/archive')).body;
    expect(lag.lag.events).toBe(APPLICATIONS);

    const archiveStop = new AbortController();
    const archive = runDistributor({ apiUrl: h.server.url, consumer: 'archive', outputDir: archiveDir, token: async () => token, pollIntervalMs: 10, batchSize: 25, signal: archiveStop.signal });
    await until('the archive to catch up and every confirmation to land', async () => {
      const lag = (await h.driver.as('auditor', 'GET', '/distribution/lag')).body;
      return lag.pendingConfirmations === 0 && lag.consumers.every((c: { lag: { events: number } }) => c.lag.events === 0);
    });
    expect(new Set(await Promise.all(ids.map((id) => h.state(id))))).toEqual(new Set(['distributed']));
    archiveStop.abort();
    await archive;
    for (const [code, count] of expected) expect(readdirSync(join(archiveDir, code))).toHaveLength(count * 2);
    const after = (await h.driver.as('auditor', 'GET', '/distribution/lag')).body;
    expect(after.consumers.map((c: { lag: { events: number } }) => c.lag.events)).toEqual([0, 0]);
    expect(after.pendingConfirmations).toBe(0);
  });
});
