import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Driver } from '../../apps/api/src/testing/drive';
import { ApiProcess } from '../support/api-process';
import { CommandLedger, ledgerChecker, reactionProblems } from './support/command-ledger';
import {
  backupLiveDataDir,
  chainProblems,
  compareProjectionsWithRebuild,
  copyDeadDataDir,
  orderProblems,
  readEventRows,
  readProjectionCheckpoints,
} from './support/data-dir';
import { FigureSheet } from './support/figures';
import { LoadClient, emptyStats } from './support/load-client';
import { MODE, SCALE, TEST_TIMEOUT_MS, seedFor } from './support/scale';
import { SeededRandom } from './support/seeded-random';
import { settle, sleep } from './support/settle';

/**
 * Issue #9, crash: the API in a child process under a steady load of transitions from several
 * clients, killed with SIGKILL at random moments (seeded), restarted on the same data directory.
 * After every kill, on a copy of the dead process's files: every acknowledged transition is in
 * the store exactly once, refused ones not at all, commands in flight at the kill at most once,
 * nothing a client did not send, order and revisions without gaps, every hash chain, seal and the
 * witness verify. After every restart: the read models caught up from their checkpoint equal a
 * rebuild from zero, and every cut-off master-data registration was completed.
 */
describe(`crash: SIGKILL under load (${MODE})`, () => {
  const seed = seedFor('crash');
  const random = new SeededRandom(seed);
  const sheet = new FigureSheet('crash', 'Crash: SIGKILL at random moments under load', seed, __filename);
  sheet.measures('killsSurvived', 'transitionsChecked', 'serverErrors', 'lost', 'duplicates');
  const root = mkdtempSync(join(tmpdir(), 'nws-crash-'));
  const dataDir = join(root, 'data');
  const deadCopy = join(root, 'dead-copy');
  const liveCopy = join(root, 'live-copy');
  let api: ApiProcess | undefined;

  afterAll(async () => {
    await api?.kill();
    sheet.write();
    rmSync(root, { recursive: true, force: true });
  });

  const expectClean = ledgerChecker(sheet);

  it(
    `keeps every acknowledged transition exactly once across ${SCALE.crash.kills} SIGKILLs, and the read models equal a rebuild`,
    async () => {
      api = await ApiProcess.start({ dataDir, mode: 'source', readyTimeoutMs: 120_000 });
      const driver = new Driver(api);
      const examples = await driver.examplesForLoad();
      const ledger = new CommandLedger();
      const stats = emptyStats();
      const clients = Array.from({ length: SCALE.crash.clients }, (_, i) => new LoadClient(`crash-${seed}-c${i}`, driver, ledger, random.fork(), examples, stats));
      let checks = 0;
      let inFlight = 0;
      let inFlightStored = 0;
      let projectionsBehind = 0;
      let eventsResumed = 0;
      let registrationsCutOff = 0;

      /** With the process running and quiet: read models vs a rebuild, reactions complete, the ledger. */
      const liveCheck = async (when: string) => {
        for (let attempt = 1; ; attempt++) {
          await settle(api!);
          await backupLiveDataDir(dataDir, liveCopy);
          const rows = readEventRows(liveCopy);
          const comparison = await compareProjectionsWithRebuild(liveCopy);
          // Something committed between the read-model and the event backups: look again.
          if (Object.values(comparison.checkpoints).some((p) => p !== rows.length) && attempt < 5) continue;
          expect({ when, checkpoints: comparison.checkpoints }).toEqual({ when, checkpoints: { applications: rows.length, 'master-data': rows.length } });
          expect({ when, readModelsEqualRebuild: comparison.equal, difference: comparison.difference }).toEqual({ when, readModelsEqualRebuild: true, difference: undefined });
          expect({ when, reactions: reactionProblems(rows, { settled: true }).problems }).toEqual({ when, reactions: [] });
          expect({ when, order: orderProblems(rows) }).toEqual({ when, order: [] });
          const report = ledger.check(rows);
          expectClean(report, when);
          // Nothing parked, stalled or refused after a crash: the API reports itself healthy.
          const health = await api!.request('GET', '/health');
          expect({ when, status: health.body.status }).toEqual({ when, status: 'ok' });
          return report;
        }
      };

      for (let kill = 1; kill <= SCALE.crash.kills; kill++) {
        const when = `kill ${kill} (seed ${seed})`;
        let stopping = false;
        const runs = clients.map((client) => client.run(() => stopping));
        await sleep(random.int(SCALE.crash.minLoadMs, SCALE.crash.maxLoadMs));
        stopping = true;
        await api.kill('SIGKILL');
        await Promise.all(runs);
        sheet.setTotal('serverErrors', stats.serverErrors.length);
        expect({ when, connectionFailures: stats.unexpectedConnectionFailures, serverErrors: stats.serverErrors }).toEqual({ when, connectionFailures: [], serverErrors: [] });

        // The crash state, exactly as the dead process left its files.
        copyDeadDataDir(dataDir, deadCopy);
        const rows = readEventRows(deadCopy);
        const before = ledger.count('unknown');
        const report = ledger.check(rows, { markUnknown: true });
        expectClean(report, `${when}, dead`);
        inFlight += before;
        inFlightStored += report.unknownStored;
        expect({ when, order: orderProblems(rows) }).toEqual({ when, order: [] });
        expect({ when, chainProblems: await chainProblems(deadCopy) }).toEqual({ when, chainProblems: [] });
        const reactions = reactionProblems(rows, { settled: false });
        expect({ when, reactions: reactions.problems }).toEqual({ when, reactions: [] });
        registrationsCutOff += reactions.incomplete;
        // A read model is never ahead of the store; when behind, the restart resumes it from its checkpoint.
        const checkpoints = Object.values(readProjectionCheckpoints(deadCopy));
        expect(checkpoints.every((p) => p <= rows.length)).toBe(true);
        const lowest = Math.min(...checkpoints);
        if (lowest < rows.length) {
          projectionsBehind += 1;
          eventsResumed += rows.length - lowest;
        }
        checks += report.ackedVerified;

        await api.restart();
        sheet.add('killsSurvived');
        await liveCheck(`${when}, after restart`);
      }

      // Let every client retry what was in flight at the last kill, then check everything once more.
      await Promise.all(clients.map((client) => client.run(() => !client.hasPending)));
      const final = await liveCheck('final');
      expect({ chainProblems: await chainProblems(liveCopy) }).toEqual({ chainProblems: [] });
      expect({ unknownLeft: ledger.count('unknown'), unexpectedRefusals: stats.unexpectedRefusals, serverErrors: stats.serverErrors }).toEqual({
        unknownLeft: 0,
        unexpectedRefusals: [],
        serverErrors: [],
      });
      const rows = readEventRows(liveCopy);
      expect(final.ackedVerified).toBe(ledger.count('acked'));
      expect(final.ackedVerified).toBeGreaterThan(0);

      sheet.add('transitionsChecked', final.ackedVerified);
      sheet.set('load clients', SCALE.crash.clients);
      sheet.set('requests sent', stats.sent);
      sheet.set('acknowledged transitions', final.ackedVerified);
      sheet.set('acknowledged transitions checked after kills (sum)', checks);
      sheet.set('commands in flight at a kill (summed over kills)', inFlight);
      sheet.set('… of which stored (once)', inFlightStored);
      sheet.set('retried with the same key after restart', stats.retriedAfterRestart);
      sheet.set('refused (stale If-Match) and absent', stats.refusedAsExpected);
      sheet.set('kills with read models behind the store', projectionsBehind);
      sheet.set('events read models resumed after kills', eventsResumed);
      sheet.set('master-data registrations cut off, completed after restart', registrationsCutOff);
      sheet.set('applications', new Set(rows.filter((r) => r.type === 'ApplicationCreated').map((r) => r.streamId)).size);
      sheet.set('events in store', rows.length);
    },
    TEST_TIMEOUT_MS,
  );
});
