import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor, JsonObject } from '@nws/engine';
import { READ_MODELS_FILE } from '@nws/event-store/create-event-store';
import { Driver, actors, filedByCode } from '../../apps/api/src/testing/drive';
import { ApiProcess } from '../support/api-process';
import { CommandLedger, ledgerChecker, reactionProblems } from './support/command-ledger';
import { chainProblems, orderProblems, type StoredEventRow } from './support/data-dir';
import { FigureSheet } from './support/figures';
import { eventually, quietCopy } from './support/live-check';
import { LoadClient, emptyStats, type Examples } from './support/load-client';
import { metricValue as metric } from './support/prometheus-text';
import { MODE, SCALE, TEST_TIMEOUT_MS, seedFor } from './support/scale';
import { SeededRandom } from './support/seeded-random';

/** Runs of a projection on an event before it is parked, and the first retry delay (doubled per attempt). */
const MAX_ATTEMPTS = 4;
const RETRY_DELAY_MS = 150;

/** Bodies (Tokyo municipalities) whose applications the faults hit; the load clients work for 132012. */
const TARGET_CODES = ['132021', '132039', '132047', '132055', '132063', '132071', '132080', '132098', '132101', '132110', '132128', '132136', '132144', '132152', '132187', '132195'];
const operator: Actor = { sub: 'ops-1', org: 'MIC', role: 'operator' };

/**
 * - `applications`: the applications projection throws on one event of an application (the
 *   event at a seeded revision), every time: retried, parked; the application's later events held.
 * - `master-data`: the master-data projection throws on a body's first version, every time:
 *   parked; the body's second version (another application's approval) held behind it.
 * - `transient`: the applications projection throws on one event until the test has seen the
 *   first failure reported, then no more: retried, applied, not parked.
 */
type FaultKind = 'applications' | 'master-data' | 'transient';

interface Fault {
  readonly n: number;
  readonly kind: FaultKind;
  readonly code: string;
  readonly actor: Actor;
  /** applications / transient: the revision whose event throws (1 … the second approval). */
  readonly revision: number;
  readonly marker: string;
  readonly applicationIds: string[];
  /** The parked event (permanent faults), once parked. */
  parked?: { readonly projection: string; readonly position: number; readonly streamId: string };
}

interface ParkedItem {
  projection: string;
  position: number;
  streamId: string;
  type: string;
  reason: 'failed' | 'held';
  error: string | null;
  attempts: number;
}

/**
 * Issue #9, projection faults: the API in a child process under a steady load of transitions;
 * the real projections made to throw on chosen events (seeded) by a trigger in the read-model
 * database, exactly as a bug in a handler would (no test hook in the API). Each event is retried,
 * then parked and reported (GET /projections, /projections/parked, /health degraded,
 * nws_projection_parked_events); later events of the same stream are held, not skipped; other
 * streams keep flowing; the parked state survives a SIGKILL. Once the fault is gone an operator
 * replays the parked events and the read models equal a rebuild from zero.
 */
describe(`projection faults under load (${MODE})`, () => {
  const seed = seedFor('projection-faults');
  const random = new SeededRandom(seed);
  const sheet = new FigureSheet('projection-faults', 'Projection faults: retried, parked, reported, held, replayed', seed, __filename);
  sheet.measures('killsSurvived', 'transitionsChecked', 'serverErrors', 'lost', 'duplicates');
  for (const label of ['events faulted (seeded, every attempt)', 'retries before parking', 'events parked (failed)', 'later events of their streams held', 'events replayed after the fix', 'events skipped', 'transient faults healed by a retry (not parked)', 'applications of other bodies current while events were parked']) {
    sheet.set(label, 0);
  }
  const root = mkdtempSync(join(tmpdir(), 'nws-projection-faults-'));
  const dataDir = join(root, 'data');
  let api: ApiProcess | undefined;
  let stopLoad: (() => Promise<void>) | undefined;

  afterAll(async () => {
    await stopLoad?.();
    await api?.kill();
    sheet.write();
    rmSync(root, { recursive: true, force: true });
  });

  /** DDL on the live read-model database, from outside the API (its statements are re-prepared on the schema change). */
  function readModels(sql: string): void {
    const db = new Database(join(dataDir, READ_MODELS_FILE), { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 10000');
      db.exec(sql);
    } finally {
      db.close();
    }
  }

  /** The fault as a trigger: the projection's own write fails on this event, with the fault's marker. */
  function inject(fault: Fault, target: { applicationId?: string; version?: number }): void {
    const raise = `SELECT RAISE(ABORT, '${fault.marker}')`;
    if (fault.kind === 'master-data') {
      readModels(`CREATE TRIGGER reliability_fault_${fault.n} BEFORE INSERT ON master_data_versions
                  WHEN NEW.organization_code = '${fault.code}' AND NEW.version = ${target.version} BEGIN ${raise}; END`);
    } else {
      readModels(`CREATE TRIGGER reliability_fault_${fault.n} BEFORE UPDATE ON applications
                  WHEN NEW.id = '${target.applicationId}' AND NEW.revision = ${fault.revision} BEGIN ${raise}; END`);
    }
  }

  function heal(fault: Fault): void {
    readModels(`DROP TRIGGER IF EXISTS reliability_fault_${fault.n}`);
  }

  const expectClean = ledgerChecker(sheet);

  it(
    `${SCALE.projectionFaults.faults} seeded projection faults under load: retried, parked and reported, later events held, other streams flowing; replayed, the read models equal a rebuild`,
    async () => {
      api = await ApiProcess.start({
        dataDir,
        mode: 'source',
        readyTimeoutMs: 120_000,
        env: { PROJECTION_MAX_ATTEMPTS: String(MAX_ATTEMPTS), PROJECTION_RETRY_DELAY_MS: String(RETRY_DELAY_MS) },
      });
      const live = api;
      const driver = new Driver(live);
      // The target bodies register (登録), then change (変更); the load changes the applicant's organ.
      const [examples, loadExamples]: [Examples, Examples] = [await driver.examples(), await driver.examplesForLoad()];
      const tokens = new Map<string, string>();
      const as = async (actor: Actor, method: string, path: string, body?: unknown) => {
        const key = `${actor.sub}@${actor.org}`;
        if (!tokens.has(key)) tokens.set(key, await live.token(actor));
        return live.request(method, path, { token: tokens.get(key), ...(body !== undefined ? { body } : {}) });
      };
      const asOperator = (method: string, path: string) => as(operator, method, path);

      // The plan, from the seed: which kind of fault, on which body, at which revision.
      const formCount = examples.forms.length;
      const secondApproval = formCount + 3;
      const kinds: FaultKind[] = Array.from({ length: SCALE.projectionFaults.faults }, (_, i) => (['applications', 'master-data', 'transient'] as const)[i % 3]!);
      for (let i = kinds.length - 1; i > 0; i--) {
        const j = random.int(0, i);
        [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
      }
      const plan: Fault[] = kinds.map((kind, n) => {
        const code = TARGET_CODES[n % TARGET_CODES.length]!;
        const revision = random.int(1, secondApproval);
        return {
          n,
          kind,
          code,
          actor: { sub: `fault-${code}`, org: code, role: 'applicant', name: '故障 試験', department: '情報政策課' },
          revision,
          marker: `reliability fault ${n} (${kind}, seed ${seed})`,
          applicationIds: [],
        };
      });
      sheet.set('plan', plan.map((f) => `${f.kind}${f.kind === 'master-data' ? `@${f.code} v1` : `@r${f.revision}`}`).join(', '));

      /** A target body's application from creation to its second approval, fault injected once its id is known. */
      const steps = (fault: Fault, id: string) => [
        ...examples.forms.map((form) => () => as(fault.actor, 'PUT', `/applications/${id}/forms/${form.code}`, filedByCode(form.code, form.example as JsonObject, fault.code))),
        () => as(fault.actor, 'POST', `/applications/${id}/actions/submit`, {}),
        () => as(actors.prefectureReviewer, 'POST', `/applications/${id}/actions/approve`, {}),
        () => as(actors.micReviewer, 'POST', `/applications/${id}/actions/approve`, {}),
      ];
      const create = async (fault: Fault, category = '登録'): Promise<string> => {
        const created = await as(fault.actor, 'POST', '/applications', { ...examples.create, organizationCode: fault.code, category });
        expect({ fault: fault.marker, status: created.status, body: created.body }).toMatchObject({ fault: fault.marker, status: 201 });
        fault.applicationIds.push(created.body.id);
        return created.body.id as string;
      };
      const registered = (id: string) =>
        eventually(
          () => driver.as('auditor', 'GET', `/applications/${id}`),
          (r) => r.body?.state === 'masterDataRegistered',
        );
      const drive = async (fault: Fault, id: string, afterStep?: (revision: number) => Promise<void>) => {
        let revision = 0;
        for (const send of steps(fault, id)) {
          const answer = await send();
          expect({ fault: fault.marker, status: answer.status, body: answer.body }).toMatchObject({ fault: fault.marker, status: 200 });
          revision = Number(answer.body.revision);
          await afterStep?.(revision);
        }
        await registered(id);
      };
      const parkedItems = async (): Promise<ParkedItem[]> => {
        const answer = await asOperator('GET', '/projections/parked?limit=1000');
        expect(answer.status).toBe(200);
        return answer.body.items as ParkedItem[];
      };

      // The load: other bodies' applications all along.
      const ledger = new CommandLedger();
      const stats = emptyStats();
      const clients = Array.from({ length: SCALE.projectionFaults.clients }, (_, i) => new LoadClient(`faults-${seed}-c${i}`, driver, ledger, random.fork(), loadExamples, stats));
      let stopping = false;
      let runs = clients.map((client) => client.run(() => stopping));
      stopLoad = async () => {
        stopping = true;
        await Promise.all(runs);
      };

      // Permanent faults, all at once: every attempt fails, so each is parked after MAX_ATTEMPTS runs.
      const permanent = plan.filter((f) => f.kind !== 'transient');
      await Promise.all(
        permanent.map(async (fault) => {
          const id = await create(fault);
          if (fault.kind === 'applications') {
            inject(fault, { applicationId: id });
            await drive(fault, id);
          } else {
            inject(fault, { version: 1 });
            await drive(fault, id);
            // A second version of the same body: its event waits behind the parked first one.
            await drive(fault, await create(fault, '変更'));
          }
        }),
      );
      sheet.count('events faulted (seeded, every attempt)', permanent.length);
      const failed = await eventually(
        async () => (await parkedItems()).filter((p) => p.reason === 'failed'),
        (items) => items.length >= permanent.length,
        60_000,
      );
      for (const fault of permanent) {
        const item = failed.find((p) => p.error?.includes(fault.marker));
        expect({ fault: fault.marker, parked: item }).toMatchObject({
          fault: fault.marker,
          parked: { projection: fault.kind, reason: 'failed', attempts: MAX_ATTEMPTS, type: fault.kind === 'master-data' ? 'MasterDataVersionRegistered' : expect.any(String) },
        });
        fault.parked = { projection: item!.projection, position: item!.position, streamId: item!.streamId };
        if (fault.kind === 'applications') expect(item!.streamId).toBe(`application-${fault.applicationIds[0]}`);
      }
      expect(failed).toHaveLength(permanent.length);
      sheet.count('events parked (failed)', failed.length);

      // Transient faults, one at a time: heal as soon as the first failure is reported; the retry applies it.
      for (const fault of plan.filter((f) => f.kind === 'transient')) {
        const id = await create(fault);
        inject(fault, { applicationId: id });
        let healed = false;
        await drive(fault, id, async (revision) => {
          // The answer's revision includes what the command caused (the second approval's registration).
          if (healed || revision < fault.revision) return;
          healed = true;
          const retrying = await eventually(
            () => asOperator('GET', '/projections'),
            (r) => typeof r.body?.lastError === 'string' && r.body.lastError.includes(fault.marker),
            30_000,
            10,
          );
          heal(fault);
          expect(retrying.body).toMatchObject({ state: 'retrying', nextAttemptAt: expect.any(String) });
        });
        sheet.count('transient faults healed by a retry (not parked)');
      }

      // Quiet now: look at everything while the permanent faults' events are parked.
      stopping = true;
      await Promise.all(runs);
      expect({ serverErrors: stats.serverErrors, connectionFailures: stats.unexpectedConnectionFailures, unexpectedRefusals: stats.unexpectedRefusals }).toEqual({ serverErrors: [], connectionFailures: [], unexpectedRefusals: [] });
      const whileParked = await quietCopy(live, dataDir, join(root, 'parked-copy'), { reactionsWithinMs: 30_000 });
      // The checkpoints moved past the parked events (they wait in their own list), so nothing else waits.
      expect(whileParked.comparison.checkpoints).toEqual({ applications: whileParked.rows.length, 'master-data': whileParked.rows.length });
      // The parked events are missing from the read models: they differ from a rebuild, as they must.
      expect(whileParked.comparison.equal).toBe(false);
      const parked = await parkedItems();
      expectHeldNotSkipped(permanent, parked, whileParked.rows);
      expect(parked.filter((p) => plan.some((f) => f.kind === 'transient' && p.streamId === `application-${f.applicationIds[0]}`))).toEqual([]);
      await expectReported(permanent, parked);
      await expectOthersFlowing(permanent, ledger);

      // A SIGKILL while events are parked: after the restart they are still parked, still held, still reported.
      await live.restart();
      sheet.add('killsSurvived');
      expect(await parkedItems()).toEqual(parked);
      expect((await live.request('GET', '/health')).body).toMatchObject({ status: 'degraded' });

      // The fix: the fault is gone; an operator replays each parked event with what is held behind it.
      for (const fault of permanent) heal(fault);
      for (const fault of permanent) {
        const replay = await asOperator('POST', `/projections/parked/${fault.parked!.position}/replay`);
        const held = parked.filter((p) => p.reason === 'held' && p.projection === fault.parked!.projection && p.streamId === fault.parked!.streamId).map((p) => p.position);
        expect({ fault: fault.marker, status: replay.status, body: replay.body }).toEqual({
          fault: fault.marker,
          status: 200,
          body: { position: fault.parked!.position, results: [{ projection: fault.parked!.projection, streamId: fault.parked!.streamId, applied: [fault.parked!.position, ...held], failed: null, stillParked: [] }] },
        });
        sheet.count('events replayed after the fix', 1 + held.length);
      }
      expect(await parkedItems()).toEqual([]);

      // The load again, then the end state: read models equal a rebuild; everything acknowledged is there once.
      stopping = false;
      runs = clients.map((client) => client.run(() => stopping));
      await new Promise((resolve) => setTimeout(resolve, random.int(200, 600)));
      stopping = true;
      await Promise.all(runs);
      await Promise.all(clients.map((client) => client.run(() => !client.hasPending)));
      const final = await quietCopy(live, dataDir, join(root, 'final-copy'), { reactionsWithinMs: 30_000 });
      expect(final.comparison.checkpoints).toEqual({ applications: final.rows.length, 'master-data': final.rows.length });
      expect({ readModelsEqualRebuild: final.comparison.equal, difference: final.comparison.difference }).toEqual({ readModelsEqualRebuild: true, difference: undefined });
      expect(reactionProblems(final.rows, { settled: true }).problems).toEqual([]);
      expect(orderProblems(final.rows)).toEqual([]);
      expect({ chainProblems: await chainProblems(join(root, 'final-copy')) }).toEqual({ chainProblems: [] });
      // The load clients' commands against the store; the fault targets' applications are the test's own.
      const targetStreams = new Set(plan.flatMap((f) => f.applicationIds.map((id) => `application-${id}`)));
      const report = ledger.check(final.rows.filter((r) => !targetStreams.has(r.streamId)));
      expectClean(report, 'final');
      expect(report.ackedVerified).toBe(ledger.count('acked'));
      expect(report.ackedVerified).toBeGreaterThan(0);
      const health = await live.request('GET', '/health');
      expect(health.body).toMatchObject({ status: 'ok', projections: { lagEvents: 0, state: 'running' } });
      const metrics = (await live.request('GET', '/metrics')).body as string;
      expect(metric(metrics, 'nws_projection_parked_events', '{projection="applications",reason="failed"}')).toBe(0);
      expect(metric(metrics, 'nws_projection_parked_events', '{projection="master-data",reason="failed"}')).toBe(0);
      expect(stats.serverErrors).toEqual([]);

      sheet.setTotal('serverErrors', stats.serverErrors.length);
      sheet.add('transitionsChecked', report.ackedVerified);
      sheet.set('load clients', SCALE.projectionFaults.clients);
      sheet.set('requests sent by the load clients', stats.sent);
      sheet.set('acknowledged transitions', report.ackedVerified);
      sheet.set('events in store', final.rows.length);
      sheet.set('read-model rows compared with a rebuild', final.comparison.rows);

      /** Every later event of a parked event's stream is held for that projection: none applied, none skipped. */
      function expectHeldNotSkipped(faults: readonly Fault[], items: readonly ParkedItem[], rows: readonly StoredEventRow[]): void {
        let held = 0;
        let skipped = 0;
        for (const fault of faults) {
          const { projection, position, streamId } = fault.parked!;
          const later = rows.filter((r) => r.streamId === streamId && r.position > position).map((r) => r.position);
          const heldHere = items.filter((p) => p.reason === 'held' && p.projection === projection && p.streamId === streamId).map((p) => p.position);
          held += heldHere.length;
          skipped += later.filter((p) => !heldHere.includes(p)).length;
          expect({ fault: fault.marker, held: heldHere }).toEqual({ fault: fault.marker, held: later });
          expect(later.length).toBeGreaterThan(0);
        }
        sheet.count('later events of their streams held', held);
        sheet.count('events skipped', skipped);
      }

      /** GET /projections, /health and /metrics tell the operator what is parked and how often it was tried. */
      async function expectReported(faults: readonly Fault[], items: readonly ParkedItem[]): Promise<void> {
        const count = (projection: string, reason: 'failed' | 'held') => items.filter((p) => p.projection === projection && p.reason === reason).length;
        const parkedCounts = {
          applications: { failed: count('applications', 'failed'), held: count('applications', 'held') },
          'master-data': { failed: count('master-data', 'failed'), held: count('master-data', 'held') },
        };
        const status = await asOperator('GET', '/projections');
        expect(status.body).toMatchObject({ state: 'running', lagEvents: 0, parked: parkedCounts });
        const health = await live.request('GET', '/health');
        expect(health.body).toMatchObject({ status: 'degraded', projections: { lagEvents: 0, parked: parkedCounts }, storage: { state: 'ok' } });
        const metrics = (await live.request('GET', '/metrics')).body as string;
        for (const projection of ['applications', 'master-data'] as const) {
          const expected = faults.filter((f) => f.kind === projection).length;
          expect({ projection, parked: metric(metrics, 'nws_projection_parked_events', `{projection="${projection}",reason="failed"}`) }).toEqual({ projection, parked: expected });
          expect({ projection, held: metric(metrics, 'nws_projection_parked_events', `{projection="${projection}",reason="held"}`) }).toEqual({ projection, held: parkedCounts[projection].held });
          expect({ projection, parkedFaults: metric(metrics, 'nws_projection_faults_total', `{projection="${projection}",outcome="parked"}`) ?? 0 }).toEqual({ projection, parkedFaults: expected });
        }
        // Every permanent fault was run MAX_ATTEMPTS times; every transient one at least twice (failed, then applied).
        // (a counter never incremented is not exported)
        const retries = (metric(metrics, 'nws_projection_faults_total', '{projection="applications",outcome="retry"}') ?? 0) + (metric(metrics, 'nws_projection_faults_total', '{projection="master-data",outcome="retry"}') ?? 0);
        const transient = plan.filter((f) => f.kind === 'transient').length;
        expect(retries).toBeGreaterThanOrEqual(faults.length * (MAX_ATTEMPTS - 1) + transient);
        expect(retries).toBeLessThanOrEqual(faults.length * (MAX_ATTEMPTS - 1) + transient * (MAX_ATTEMPTS - 2));
        sheet.count('retries before parking', retries);
      }

      /** The faulted streams stop at the event before the fault; every other application's row is current. */
      async function expectOthersFlowing(faults: readonly Fault[], load: CommandLedger): Promise<void> {
        const list = await driver.listAll('auditor');
        const row = (id: string) => list.find((a) => a.id === id);
        for (const fault of faults.filter((f) => f.kind === 'applications')) {
          expect({ fault: fault.marker, revision: row(fault.applicationIds[0]!)?.revision }).toEqual({ fault: fault.marker, revision: fault.revision - 1 });
        }
        for (const fault of faults.filter((f) => f.kind === 'master-data')) {
          // Version 1 parked, version 2 held: the organ's versions are not answered at all (503 naming the parked event), rather than none or version 2 without 1.
          const versions = await driver.as('auditor', 'GET', `/master-data/organizations/${fault.code}/versions`);
          expect({ fault: fault.marker, versions: versions.status, retryAfter: versions.headers.get('retry-after') }).toEqual({ fault: fault.marker, versions: 503, retryAfter: '60' });
        }
        const faulted = new Set(faults.filter((f) => f.kind === 'applications').flatMap((f) => f.applicationIds));
        const others = [...new Set([...load.all().flatMap((e) => (e.applicationId && e.outcome === 'acked' ? [e.applicationId] : [])), ...plan.filter((f) => f.kind !== 'applications').flatMap((f) => f.applicationIds)])].filter((id) => !faulted.has(id));
        const stale: string[] = [];
        for (const id of others) {
          const now = (await driver.as('auditor', 'GET', `/applications/${id}`)).body as { state: string; revision: number };
          if (row(id)?.state !== now.state || row(id)?.revision !== now.revision) stale.push(`${id}: read model ${row(id)?.state}@${row(id)?.revision}, store ${now.state}@${now.revision}`);
        }
        expect(stale).toEqual([]);
        expect(others.length).toBeGreaterThan(0);
        sheet.count('applications of other bodies current while events were parked', others.length);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
