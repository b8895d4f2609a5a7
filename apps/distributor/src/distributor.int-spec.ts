import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistributionHarness } from '../../api/src/distribution/testing/distribution-harness';
import { DistributorProcess, type DistributorExit } from '../../../test/support/distributor-process';
import { FigureSheet } from '../../../test/reliability/support/figures';
import { SeededRandom } from '../../../test/reliability/support/seeded-random';
import { masterDataCsv } from './master-data.csv';

/**
 * The reference distributor as operators run it — its own OS process, from its sources — killed
 * with SIGKILL (no shutdown hook, nothing flushed) at random points while applications are
 * approved, against a real API on a real port. Scale: DISTRIBUTOR_APPLICATIONS (default 80) and
 * DISTRIBUTOR_STOPS (default 16); RELIABILITY=full runs the 1,000 applications.
 * DISTRIBUTOR_SEED repeats a run (the seed is printed and is in the test name).
 */
const VERSION = 'MasterDataVersionRegistered';
const FULL = process.env['RELIABILITY'] === 'full';
const APPLICATIONS = positive('DISTRIBUTOR_APPLICATIONS', FULL ? 1000 : 80);
const STOPS = positive('DISTRIBUTOR_STOPS', FULL ? 120 : 16);
const TEMP = /^\..+\.tmp$/;
const VERSION_FILE = /^v(\d+)\.(json|csv)$/;
const BODIES = { hachioji: '132012', tachikawa: '132021' } as const;

/**
 * Where a stop is aimed: the next temp file (a write in progress), the next CSV or JSON put in
 * place (between the two renames, or before the acknowledgement), a random moment after the
 * restart (often start-up), or a graceful SIGTERM. Where it lands is up to the scheduler; the
 * snapshot taken while the process is dead records what it interrupted.
 */
type StopAim = 'temp' | 'csv' | 'json' | 'timer' | 'sigterm';
const AIMS: StopAim[] = ['temp', 'csv', 'json', 'json', 'timer', 'sigterm'];

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A liveness bound, not a speed check: generous, and only there so a stuck run fails instead of hanging. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** inotify on the output directory and each body directory in it: the test's trigger for stops. */
class FileActivity {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly listeners = new Set<(name: string) => void>();

  constructor(root: string) {
    this.watchDir(root, true);
  }

  /** Resolves true at the nth file event whose name matches, or false after fallbackMs. */
  next(match: (name: string) => boolean, nth: number, fallbackMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let seen = 0;
      const listener = (name: string) => {
        if (!match(name) || ++seen < nth) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(false), fallbackMs);
      const finish = (hit: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(hit);
      };
      this.listeners.add(listener);
    });
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
  }

  private watchDir(dir: string, isRoot: boolean): void {
    if (this.watchers.has(dir)) return;
    this.watchers.set(
      dir,
      watch(dir, (_event, name) => {
        if (!name) return;
        if (!isRoot) {
          for (const listener of [...this.listeners]) listener(name);
          return;
        }
        try {
          if (statSync(join(dir, name)).isDirectory()) this.watchDir(join(dir, name), false);
        } catch {
          // gone again
        }
      }),
    );
    if (isRoot) for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) this.watchDir(join(dir, entry.name), false);
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface VersionFile {
  readonly code: string;
  readonly version: number;
  readonly position: number;
  readonly ino: number;
}

/** What a dead distributor left in its directory. Every visible version file must be complete. */
interface Snapshot {
  readonly aim: StopAim;
  readonly exit: DistributorExit;
  readonly temps: number;
  readonly jsons: Map<string, VersionFile>;
  /** SHA-256 of each visible CSV (a run of 1,000 applications keeps many snapshots). */
  readonly csvs: Map<string, string>;
  /** Server-side checkpoint of the consumer at that moment. */
  readonly checkpoint: number;
}

function readVersionFiles(root: string): Omit<Snapshot, 'aim' | 'exit' | 'checkpoint'> & { others: string[] } {
  let temps = 0;
  const jsons = new Map<string, VersionFile>();
  const csvs = new Map<string, string>();
  const others: string[] = [];
  for (const code of readdirSync(root)) {
    for (const name of readdirSync(join(root, code))) {
      const path = join(root, code, name);
      const match = VERSION_FILE.exec(name);
      if (TEMP.test(name)) temps += 1;
      else if (!match) others.push(`${code}/${name}`);
      else if (match[2] === 'csv') csvs.set(`${code}/v${match[1]}`, sha256(readFileSync(path, 'utf8')));
      else {
        // Atomic rename: a visible JSON is always whole (JSON.parse throws on a torn one).
        const document = JSON.parse(readFileSync(path, 'utf8')) as { organizationCode: string; version: number; position: number };
        expect(document).toMatchObject({ organizationCode: code, version: Number(match[1]), position: expect.any(Number) });
        jsons.set(`${code}/v${match[1]}`, { code, version: document.version, position: document.position, ino: statSync(path).ino });
      }
    }
  }
  return { temps, jsons, csvs, others };
}

describe('reference distributor as its own process, killed with SIGKILL at random points', () => {
  const seed = Number(process.env['DISTRIBUTOR_SEED'] ?? Date.now() % 1_000_000);
  // Seeded, so a failing run can be repeated with DISTRIBUTOR_SEED.
  const seeded = new SeededRandom(seed);
  const rng = () => seeded.next();
  // Part of `npm run test:reliability` (issue #9): its figures join the reliability summary.
  const sheet = new FigureSheet('distributor', 'Distributor: SIGKILL of the reference distributor while versions are written', seed, __filename);
  sheet.measures('killsSurvived', 'lost', 'duplicates');
  let h: DistributionHarness;
  let outputDir: string;
  let archiveDir: string;
  const processes: DistributorProcess[] = [];

  beforeAll(async () => {
    h = await DistributionHarness.start({
      consumers: [
        // Each SIGKILL redelivers what was in hand: allow more deliveries than this run has stops.
        { name: 'reference-distributor', eventTypes: [VERSION, 'SecondReviewApproved'], maxDeliveries: 10_000 },
        { name: 'archive', eventTypes: [VERSION] },
      ],
    });
    outputDir = mkdtempSync(join(tmpdir(), 'nws-distributor-'));
    archiveDir = mkdtempSync(join(tmpdir(), 'nws-archive-'));
  });
  afterAll(async () => {
    sheet.write();
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await h?.stop();
    rmSync(outputDir, { recursive: true, force: true });
    rmSync(archiveDir, { recursive: true, force: true });
  });

  it(
    `${APPLICATIONS} applications approved across ${STOPS} stops: every version on disk exactly once, complete, in order; an offline consumer catches up; a poisoned version is parked and the rest flow; all distributed (seed ${seed})`,
    async () => {
      process.stderr.write(`distributor SIGKILL test: seed ${seed} (DISTRIBUTOR_SEED=${seed} repeats it), ${APPLICATIONS} applications, ${STOPS} stops\n`);
      const token = await h.distributorToken();
      const status = async (consumer: string) => (await h.driver.as('distributor', 'GET', `/distribution/${consumer}`)).body as { checkpoint: number; lag: { events: number }; parked: number };

      // Everything up to the second approval first: the run itself is the approvals that register versions.
      const orgs = Array.from({ length: APPLICATIONS }, (_, n) => (n % 3 === 0 ? 'tachikawa' : 'hachioji') as keyof typeof BODIES);
      const started = Date.now();
      const ids: string[] = new Array(APPLICATIONS);
      // Each body's first application is its 登録, approved before the distributor starts (a 登録
      // approved once the body is registered is refused); every later one is a 変更.
      const firsts = new Set([...new Set(orgs)].map((org) => orgs.indexOf(org)));
      for (const n of firsts) ids[n] = await h.approved(orgs[n]);
      let prepared = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (prepared < APPLICATIONS) {
            const n = prepared++;
            if (!firsts.has(n)) ids[n] = await h.awaitingSecondApproval(orgs[n]);
          }
        }),
      );
      const awaiting = ids.filter((_, n) => !firsts.has(n));

      const preparedAt = Date.now();
      // The second approvals, in chunks of random size, each chunk racing one stop of the distributor.
      const cuts = Array.from({ length: STOPS - 1 }, () => Math.floor(rng() * (awaiting.length + 1))).sort((a, b) => a - b);
      const chunks = [0, ...cuts, awaiting.length].slice(1).map((end, i) => awaiting.slice([0, ...cuts][i], end));

      const distributor = DistributorProcess.start({
        mode: 'source',
        env: { API_URL: h.server.url, DISTRIBUTOR_TOKEN: token, CONSUMER: 'reference-distributor', OUTPUT_DIR: outputDir, PULL_WAIT_MS: '10000', BATCH_SIZE: '4' },
      });
      processes.push(distributor);
      const activity = new FileActivity(outputDir);
      const snapshots: Snapshot[] = [];
      let missed = 0;
      try {
        for (const chunk of chunks) {
          // An empty chunk brings no file activity to aim at.
          const aim = chunk.length === 0 ? 'timer' : AIMS[Math.floor(rng() * AIMS.length)]!;
          const nth = 1 + Math.floor(rng() * Math.min(3, chunk.length));
          const approving = (async () => {
            for (const id of chunk) await h.approveSecond(id);
          })();
          if (aim === 'timer') await sleep(rng() * 400);
          else {
            // SIGTERM is handled once the process has set up (before that it simply ends it).
            if (aim === 'sigterm') await distributor.printed(/resuming after position/);
            const match = aim === 'temp' ? (n: string) => TEMP.test(n) : aim === 'csv' ? (n: string) => n.endsWith('.csv') && !TEMP.test(n) : (n: string) => n.endsWith('.json') && !TEMP.test(n);
            if (!(await activity.next(match, nth, 3000))) missed += 1;
          }
          const exit = await distributor.kill(aim === 'sigterm' ? 'SIGTERM' : 'SIGKILL');
          await approving;
          const files = readVersionFiles(outputDir);
          expect(files.others).toEqual([]);
          snapshots.push({ aim, exit, ...files, checkpoint: (await status('reference-distributor')).checkpoint });
          await sleep(rng() * 30);
          distributor.restart({ BATCH_SIZE: String(1 + Math.floor(rng() * 6)) });
        }
        await until('the reference distributor to settle everything', async () => {
          const s = await status('reference-distributor');
          return s.lag.events === 0 && s.checkpoint > 0;
        });
      } finally {
        activity.close();
      }
      // Stopped gracefully at the end (once started: SIGTERM acknowledges what is on disk and exits 0).
      await distributor.printed(/resuming after position/);
      expect(await distributor.kill('SIGTERM')).toEqual({ code: 0, signal: null });
      for (const s of snapshots) expect(s.exit).toEqual(s.aim === 'sigterm' ? { code: 0, signal: null } : { code: null, signal: 'SIGKILL' });
      sheet.setTotal('killsSurvived', snapshots.filter((s) => s.aim !== 'sigterm').length);
      sheet.set('applications approved (one master-data version each)', APPLICATIONS);
      sheet.set('distributor stops (SIGKILL at a temp file, a CSV, a JSON or a timer; some SIGTERM)', snapshots.length);
      sheet.set('… of which SIGTERM', snapshots.filter((s) => s.aim === 'sigterm').length);

      // Every version of every body is on disk exactly once, complete, equal to the registered one, gapless.
      const final = readVersionFiles(outputDir);
      expect(final.others).toEqual([]);
      expect(final.temps).toBe(0);
      const expected = new Map<string, number>(Object.values(BODIES).map((code) => [code, orgs.filter((o) => BODIES[o] === code).length]));
      const missing = [...expected].flatMap(([code, count]) => Array.from({ length: count }, (_, i) => `${code}/v${i + 1}`).filter((key) => !final.jsons.has(key) || !final.csvs.has(key)));
      sheet.setTotal('lost', missing.length);
      expect(readdirSync(outputDir).sort()).toEqual([...expected.keys()].sort());
      for (const [code, count] of expected) {
        const names = readdirSync(join(outputDir, code)).sort();
        expect(names).toEqual(Array.from({ length: count }, (_, i) => [`v${i + 1}.csv`, `v${i + 1}.json`]).flat().sort());
        const registered = (await h.driver.as('distributor', 'GET', `/master-data/organizations/${code}/versions`)).body as Array<{ version: number; contentHash: string; applicationId: string }>;
        expect(registered.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
        for (const version of registered) {
          const json = JSON.parse(readFileSync(join(outputDir, code, `v${version.version}.json`), 'utf8'));
          expect(json).toMatchObject({ organizationCode: code, version: version.version, contentHash: version.contentHash, applicationId: version.applicationId });
          expect(JSON.stringify(json)).not.toMatch(/090-?1234-?5678|kinkyu|emergencyContacts/);
          expect(final.csvs.get(`${code}/v${version.version}`)).toBe(sha256(masterDataCsv(json)));
        }
        // Within a body, versions follow the global order.
        const positions = [...final.jsons.values()].filter((f) => f.code === code).sort((a, b) => a.version - b.version).map((f) => f.position);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      }

      // At every stop: what was on disk was a prefix of the global order (written in order, no gap), each
      // visible file was complete, and no JSON seen then was ever written again (same inode at the end).
      const order = [...final.jsons.entries()].sort((a, b) => a[1].position - b[1].position).map(([key]) => key);
      expect(order).toHaveLength(APPLICATIONS);
      for (const s of snapshots) {
        expect([...s.jsons.keys()].sort()).toEqual(order.slice(0, s.jsons.size).sort());
        for (const [key, file] of s.jsons) expect(final.jsons.get(key)?.ino).toBe(file.ino);
        for (const [key, csv] of s.csvs) expect(csv).toBe(final.csvs.get(key));
      }
      const written = distributor.lines.filter((l) => / v\d+ \(position \d+, delivery \d+\): written$/.test(l)).map((l) => / (\d+ v\d+) /.exec(l)![1]);
      sheet.setTotal('duplicates', written.length - new Set(written).size);
      sheet.set('versions on disk, each written once, complete, in order', final.jsons.size);
      sheet.set('redeliveries recognised as already on disk', distributor.lines.filter((l) => l.endsWith(': unchanged')).length);
      expect(new Set(written).size).toBe(written.length);
      const byAim = (aim: StopAim) => snapshots.filter((s) => s.aim === aim).length;
      process.stderr.write(
        `distributor SIGKILL test (seed ${seed}): ${snapshots.length} stops (temp ${byAim('temp')}, csv ${byAim('csv')}, json ${byAim('json')}, timer ${byAim('timer')}, sigterm ${byAim('sigterm')}); ` +
          `left behind: temp files ${snapshots.filter((s) => s.temps > 0).length}×, CSV without JSON ${snapshots.filter((s) => [...s.csvs.keys()].some((k) => !s.jsons.has(k))).length}×, ` +
          `versions on disk not yet acknowledged ${snapshots.filter((s) => [...s.jsons.values()].some((f) => f.position > s.checkpoint)).length}×; ` +
          `redeliveries recognised as already on disk: ${distributor.lines.filter((l) => l.endsWith(': unchanged')).length}; ` +
          `aims without file activity (stopped idle): ${missed}; preparing ${((preparedAt - started) / 1000).toFixed(1)} s, stops ${((Date.now() - preparedAt) / 1000).toFixed(1)} s\n`,
      );
      const reference = await status('reference-distributor');
      expect(reference).toMatchObject({ lag: { events: 0 }, parked: 0 });

      // The archive was offline the whole run: nothing is distributed until it has acknowledged too.
      expect(new Set(await Promise.all(ids.map((id) => h.state(id))))).toEqual(new Set(['masterDataRegistered']));
      expect((await status('archive')).lag.events).toBe(APPLICATIONS);

      // A poisoned version: the archive's directory already holds another v2 of Hachioji (an operator's stray file).
      const poisoned = join(archiveDir, BODIES.hachioji, 'v2.json');
      mkdirSync(join(archiveDir, BODIES.hachioji));
      writeFileSync(poisoned, JSON.stringify({ organizationCode: BODIES.hachioji, version: 2, contentHash: 'sha256:someone-else' }));
      const poisonedApplication = ((await h.driver.as('distributor', 'GET', `/master-data/organizations/${BODIES.hachioji}/versions`)).body as Array<{ version: number; applicationId: string }>).find((v) => v.version === 2)!.applicationId;

      const archive = DistributorProcess.start({ mode: 'source', env: { API_URL: h.server.url, DISTRIBUTOR_TOKEN: token, CONSUMER: 'archive', OUTPUT_DIR: archiveDir, PULL_WAIT_MS: '10000', BATCH_SIZE: '50' } });
      processes.push(archive);
      await until('the archive to catch up and every confirmation to land', async () => {
        const lag = (await h.driver.as('auditor', 'GET', '/distribution/lag')).body;
        return lag.pendingConfirmations === 0 && lag.consumers.every((c: { lag: { events: number } }) => c.lag.events === 0);
      });
      const parked = (await h.driver.as('auditor', 'GET', '/distribution/archive/parked')).body.items as Array<{ eventId: string; reason: string; event: { data: { organizationCode: string; version: number } } }>;
      expect(parked).toHaveLength(1);
      expect(parked[0]).toMatchObject({ reason: expect.stringContaining('already exists'), event: { data: { organizationCode: BODIES.hachioji, version: 2 } } });
      const states = await Promise.all(ids.map(async (id) => [id, await h.state(id)] as const));
      expect(states.filter(([, state]) => state !== 'distributed')).toEqual([[poisonedApplication, 'masterDataRegistered']]);

      // The operator removes the stray file and replays the parked version: the running archive writes it.
      rmSync(poisoned);
      expect((await h.driver.as('distributor', 'POST', `/distribution/archive/parked/${parked[0]!.eventId}/replay`)).status).toBe(200);
      await h.waitForState(poisonedApplication, 'distributed', 60_000);
      sheet.set('poisoned versions parked, replayed by the operator', 1);
      expect(await archive.kill('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(new Set(await Promise.all(ids.map((id) => h.state(id))))).toEqual(new Set(['distributed']));
      const archived = readVersionFiles(archiveDir);
      expect(archived.temps + archived.others.length).toBe(0);
      expect([...archived.jsons.keys()].sort()).toEqual([...final.jsons.keys()].sort());
      for (const [key, csv] of archived.csvs) expect(csv).toBe(final.csvs.get(key));
      const after = (await h.driver.as('auditor', 'GET', '/distribution/lag')).body;
      expect(after.consumers.map((c: { lag: { events: number }; parked: number }) => [c.lag.events, c.parked])).toEqual([
        [0, 0],
        [0, 0],
      ]);
      expect(after.pendingConfirmations).toBe(0);
    },
    120_000 + APPLICATIONS * 600,
  );
});
