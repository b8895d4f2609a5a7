import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEsdbStandIn, type EsdbStandIn } from '../../../test/esdb-stand-in/start-stand-in';
import { DistributorProcess } from '../../../test/support/distributor-process';
import { DistributionHarness } from '../../api/src/distribution/testing/distribution-harness';
import { mintToken } from '@nws/auth';
import { masterDataCsv } from './master-data.csv';

const VERSION = 'MasterDataVersionRegistered';
const APPLICATIONS = 12;
const MAX_DELIVERIES = 3;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Instance A talks to the API through this proxy, which forwards everything but holds A's first
 * acknowledgement: A has then written a version it can never acknowledge, whatever the scheduler
 * does, and is killed in that state.
 */
class AckHoldingProxy {
  private held: IncomingMessage | undefined;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<AckHoldingProxy> {
    const to = new URL(target);
    let proxy: AckHoldingProxy | undefined;
    const server = createServer((incoming, outgoing) => {
      if (incoming.method === 'POST' && incoming.url?.endsWith('/acks') && !proxy!.held) {
        proxy!.held = incoming;
        return;
      }
      const forward = request({ host: to.hostname, port: to.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      forward.on('error', () => outgoing.destroy());
      incoming.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new AckHoldingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  get holding(): boolean {
    return this.held !== undefined;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * EVENT_STORE=esdb, a consumer registered with `"transport": "esdb-persistent"`: the worker creates
 * its persistent subscription group on $all, and two reference distributors (own OS processes,
 * from sources, the real @eventstore/db-client over gRPC to the stand-in) join it as competing
 * consumers writing into one directory. One of them is killed with SIGKILL holding a version it
 * wrote but could not acknowledge.
 */
describe('reference distributor as competing consumers of an EventStoreDB persistent subscription group (stand-in)', () => {
  let standIn: EsdbStandIn;
  let h: DistributionHarness;
  let outputDir: string;
  const processes: DistributorProcess[] = [];
  let proxy: AckHoldingProxy | undefined;

  beforeAll(async () => {
    standIn = await startEsdbStandIn();
    h = await DistributionHarness.start({
      consumers: [{ name: 'if-system', eventTypes: [VERSION], transport: 'esdb-persistent', maxDeliveries: MAX_DELIVERIES }],
      env: { EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: standIn.connectionString },
    });
    outputDir = mkdtempSync(join(tmpdir(), 'nws-esdb-distributor-'));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await proxy?.stop();
    await h?.stop();
    await standIn?.stop();
    rmSync(outputDir, { recursive: true, force: true });
  });

  it('each version is handled by one instance, a killed instance’s events go to the other, a failing one is retried then parked (EventStoreDB’s parking, reported to the ledger), and acknowledgements distribute the applications', async () => {
    const status = (await h.driver.as('auditor', 'GET', '/distribution/if-system')).body;
    expect(status).toMatchObject({ transport: 'esdb-persistent', group: 'distribution-if-system', maxDeliveries: MAX_DELIVERIES });
    // The ledger's own delivery is not offered to such a consumer.
    expect((await h.pull('if-system')).status).toBe(409);

    // Poison: where Tachikawa's v1.json goes there is a directory, so every attempt to write it fails.
    mkdirSync(join(outputDir, '132021', 'v1.json'), { recursive: true });

    const token = await h.distributorToken();
    const env = { API_URL: h.server.url, DISTRIBUTOR_TOKEN: token, CONSUMER: 'if-system', OUTPUT_DIR: outputDir, SOURCE: 'esdb-persistent', EVENTSTORE_CONNECTION_STRING: standIn.connectionString, BATCH_SIZE: '2' };
    const joinedBefore = (await standIn.stats()).calls.A.persistent ?? 0;
    proxy = await AckHoldingProxy.start(h.server.url);
    const a = DistributorProcess.start({ mode: 'source', env: { ...env, API_URL: proxy.url } });
    const b = DistributorProcess.start({ mode: 'source', env });
    processes.push(a, b);
    await until('both instances to join the group', async () => ((await standIn.stats()).calls.A.persistent ?? 0) >= joinedBefore + 2);

    const ids: string[] = [];
    const approving = (async () => {
      for (let n = 0; n < APPLICATIONS; n++) ids.push(await h.approved(n % 3 === 0 ? 'tachikawa' : 'hachioji'));
    })();
    const written = /^\S+ (\d+) v(\d+) \(position (\d+), delivery \d+\): written$/;
    // A wrote a version and its acknowledgement is held: SIGKILL it in that state.
    await until('instance A to write a version and try to acknowledge it', async () => proxy!.holding);
    await a.kill('SIGKILL');
    const killedAfter = Number(written.exec(a.lines.filter((l) => written.test(l)).at(-1)!)![3]);
    await approving;

    await until('every version to be acknowledged or parked and every confirmation to land', async () => {
      const lag = (await h.driver.as('auditor', 'GET', '/distribution/lag')).body;
      return lag.pendingConfirmations === 0 && lag.consumers[0].lag.events === 0;
    });

    // The poisoned version: delivered MAX_DELIVERIES times, then parked in the group and in the ledger.
    const registered = async (code: string) => (await h.driver.as('distributor', 'GET', `/master-data/organizations/${code}/versions`)).body as Array<{ version: number; contentHash: string; applicationId: string }>;
    const poisoned = (await registered('132021')).find((v) => v.version === 1)!;
    const parked = (await h.driver.as('auditor', 'GET', '/distribution/if-system/parked')).body.items as Array<{ reason: string; attempts: number; event: { position: number; data: { applicationId: string } } }>;
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ reason: expect.stringContaining(`still failing at delivery ${MAX_DELIVERIES} of ${MAX_DELIVERIES}`), event: { data: { applicationId: poisoned.applicationId } } });
    const lines = [...a.lines, ...b.lines];
    const poisonLines = lines.filter((l) => l.includes(`${VERSION} at ${parked[0]!.event.position}:`));
    expect(poisonLines.some((l) => l.includes(`parked — still failing at delivery ${MAX_DELIVERIES} of ${MAX_DELIVERIES}`))).toBe(true);
    // At least one earlier delivery failed and was nacked for a retry (A's death may have used up one delivery).
    expect(poisonLines.some((l) => /failed on delivery [12] of 3 .*EventStoreDB delivers it again$/.test(l))).toBe(true);

    // Every other application is distributed by the acknowledgements; the poisoned one waits.
    const states = await Promise.all(ids.map(async (id) => [id, await h.state(id)] as const));
    expect(states.filter(([, state]) => state !== 'distributed')).toEqual([[poisoned.applicationId, 'masterDataRegistered']]);

    // Every version on disk once, complete, equal to the registered one (competing consumers give no order).
    for (const code of ['132012', '132021']) {
      const versions = (await registered(code)).filter((v) => v.applicationId !== poisoned.applicationId);
      expect(readdirSync(join(outputDir, code)).filter((n) => statSync(join(outputDir, code, n)).isFile()).sort()).toEqual(versions.flatMap((v) => [`v${v.version}.csv`, `v${v.version}.json`]).sort());
      for (const version of versions) {
        const json = JSON.parse(readFileSync(join(outputDir, code, `v${version.version}.json`), 'utf8'));
        expect(json).toMatchObject({ organizationCode: code, version: version.version, contentHash: version.contentHash, applicationId: version.applicationId });
        expect(readFileSync(join(outputDir, code, `v${version.version}.csv`), 'utf8')).toBe(masterDataCsv(json));
      }
    }
    // Handled once across both instances: no version was written twice, and both instances wrote some.
    const writes = lines.filter((l) => written.test(l)).map((l) => written.exec(l)!.slice(1, 3).join('/'));
    expect(new Set(writes).size).toBe(writes.length);
    expect(a.lines.some((l) => written.test(l)) && b.lines.some((l) => written.test(l))).toBe(true);
    // What A had written but not acknowledged when it died went to B, which found it on disk already.
    expect(a.lines.filter((l) => written.test(l))).toHaveLength(1);
    expect(b.lines.some((l) => l.includes(`(position ${killedAfter},`) && l.endsWith(': unchanged'))).toBe(true);

    expect(await b.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('an instance whose token the API stops taking mid-run (it expired) leaves the group with exit 77: the event in hand is not parked, and an instance with a good token handles it', async () => {
    const parkedBefore = (await h.driver.as('auditor', 'GET', '/distribution/if-system/parked')).body.items.length as number;
    // Expired 20 s ago: taken at start within the API's 30 s of clock tolerance (a start under load has
    // 10 s), refused once the tolerance has passed too.
    const minted = Date.now();
    const expiring = await mintToken({ sub: 'dist-1', org: 'MIC', role: 'distributor' }, h.server.config.jwt, { now: new Date(minted - 3_600_000), expiresIn: '3580s' });
    const refusedFrom = minted - 20_000 + 30_000 + 1_000;
    const env = { API_URL: h.server.url, DISTRIBUTOR_TOKEN: expiring, CONSUMER: 'if-system', OUTPUT_DIR: outputDir, SOURCE: 'esdb-persistent', EVENTSTORE_CONNECTION_STRING: standIn.connectionString, BATCH_SIZE: '2' };
    const c = DistributorProcess.start({ mode: 'source', env });
    processes.push(c);
    await c.printed(/joining as one of its competing consumers/);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, refusedFrom - Date.now())));
    const id = await h.approved('hachioji');
    expect(await c.exit()).toEqual({ code: 77, signal: null });
    expect(c.lines.join('\n')).toMatch(/Token refused/);
    expect((await h.driver.as('auditor', 'GET', '/distribution/if-system/parked')).body.items).toHaveLength(parkedBefore);
    // The group hands the event to an instance that can take it.
    const d = DistributorProcess.start({ mode: 'source', env: { ...env, DISTRIBUTOR_TOKEN: await h.distributorToken() } });
    processes.push(d);
    await until('the version to be distributed by the other instance', async () => (await h.state(id)) === 'distributed');
    expect(await d.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 120_000);
});
