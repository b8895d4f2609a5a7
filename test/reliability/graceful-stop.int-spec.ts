import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DRAIN_LIMIT_MS } from '../../apps/api/src/create-app';
import { Driver } from '../../apps/api/src/testing/drive';
import { SseClient } from '../../apps/api/src/distribution/testing/sse-client';
import { ApiProcess } from '../support/api-process';
import { CommandLedger, ledgerChecker, reactionProblems } from './support/command-ledger';
import { chainProblems, orderProblems, readEventRows } from './support/data-dir';
import { FigureSheet } from './support/figures';
import { quietCopy } from './support/live-check';
import { LoadClient, emptyStats } from './support/load-client';
import { MODE, SCALE, TEST_TIMEOUT_MS, seedFor } from './support/scale';
import { SeededRandom } from './support/seeded-random';
import { sleep } from './support/settle';

/** The longest a long poll may wait: one still open when it runs out was not ended by the stop. */
const LONG_POLL_WAIT_MS = 60_000;

/**
 * A rolling deploy: SIGTERM while several clients drive applications, reviewers read them (each
 * answer to a reviewer is written to the access log before it leaves), a distributor long-polls
 * and another streams. What is in flight when the signal comes is answered as usual — never a
 * 5xx — the long poll and the stream end at once rather than holding the stop for their wait,
 * and the process exits on its own. Then, on its files: every acknowledged transition is stored
 * exactly once; after a restart the clients carry on and the read models equal a rebuild.
 */
describe(`graceful stop: SIGTERM under load (${MODE})`, () => {
  const seed = seedFor('graceful-stop');
  const random = new SeededRandom(seed);
  const sheet = new FigureSheet('graceful-stop', 'Graceful stop: SIGTERM under load', seed, __filename);
  sheet.measures('transitionsChecked', 'serverErrors', 'lost', 'duplicates');
  const root = mkdtempSync(join(tmpdir(), 'nws-graceful-stop-'));
  const dataDir = join(root, 'data');
  const liveCopy = join(root, 'live-copy');
  let api: ApiProcess | undefined;

  afterAll(async () => {
    await api?.kill();
    sheet.write();
    rmSync(root, { recursive: true, force: true });
  });

  const expectClean = ledgerChecker(sheet);

  it(
    `answers what is in flight and exits on its own at each of ${SCALE.stop.stops} SIGTERMs; nothing acknowledged is lost or doubled`,
    async () => {
      api = await ApiProcess.start({ dataDir, mode: 'source', readyTimeoutMs: 120_000 });
      const driver = new Driver(api);
      const examples = await driver.examplesForLoad();
      const ledger = new CommandLedger();
      const stats = emptyStats();
      let signalled = false;
      let answeredAfterSignal = 0;
      const onAnswer = () => {
        if (signalled) answeredAfterSignal += 1;
      };
      const clients = Array.from({ length: SCALE.stop.clients }, (_, i) => new LoadClient(`stop-${seed}-c${i}`, driver, ledger, random.fork(), examples, stats, { onAnswer }));
      // An application in first review: its reviewer's reads show contacts, so each is access-logged.
      const readable = await driver.draftWithForms();
      expect((await driver.act('applicant', readable, 'submit')).status).toBe(200);
      // The clients' ledger knows only their own commands.
      const notReadersOwn = (row: { streamId: string }) => row.streamId !== `application-${readable}`;
      const readerErrors: string[] = [];
      let reads = 0;
      let longPollsWoken = 0;
      let streamsEnded = 0;
      let cutOff = 0;
      let slowestStopMs = 0;
      let readsAfterSignal = 0;

      for (let stop = 1; stop <= SCALE.stop.stops; stop++) {
        const when = `SIGTERM ${stop} (seed ${seed})`;
        let stopping = false;
        const runs = clients.map((client) => client.run(() => stopping));
        const readers = Array.from({ length: 3 }, async () => {
          while (!stopping) {
            const answer = await driver.as('prefectureReviewer', 'GET', `/applications/${readable}`).catch(() => undefined);
            // No answer: the connection closed under the stop (a read is simply made again).
            if (answer === undefined) {
              cutOff += 1;
              continue;
            }
            reads += 1;
            if (signalled) readsAfterSignal += 1;
            if (answer.status !== 200) readerErrors.push(`${when}: read ${answer.status} ${JSON.stringify(answer.body)}`);
          }
        });
        const pollSent = Date.now();
        // A pull may find events owed (the load approves applications) and answer at once; the
        // stream stays open until the stop ends it: without that, the stop would never finish.
        const longPoll = driver.as('distributor', 'GET', `/distribution/reference-distributor/events?waitMs=${LONG_POLL_WAIT_MS}`);
        const stream = await SseClient.connect(`${api.url}/distribution/reference-distributor/stream`, await driver.token('distributor'));
        expect({ when, stream: stream.status }).toEqual({ when, stream: 200 });
        await sleep(random.int(SCALE.stop.minLoadMs, SCALE.stop.maxLoadMs));

        // From here the clients send nothing new; what they have in flight meets the stop.
        stopping = true;
        signalled = true;
        const signalledAt = Date.now();
        const exit = await api.kill('SIGTERM');
        const stopMs = Date.now() - signalledAt;
        slowestStopMs = Math.max(slowestStopMs, stopMs);
        await Promise.all([...runs, ...readers]);
        signalled = false;
        // Exited by the signal it was sent once the stop was done: not a crash, not a hang. Within
        // the drain's own bound, which only a connection held open reaches: before the stop closed
        // idle keep-alive connections itself, each stop waited out their 72 s timeout, longer than
        // `docker stop` waits before SIGKILL.
        expect({ when, exit, withinDrainLimit: stopMs < DRAIN_LIMIT_MS }).toEqual({ when, exit: { code: null, signal: 'SIGTERM' }, withinDrainLimit: true });
        const polled = await longPoll;
        // Answered by the time the process was gone, before its wait ran out.
        expect({ when, longPoll: polled.status, beforeItsWait: Date.now() - pollSent < LONG_POLL_WAIT_MS }).toEqual({ when, longPoll: 200, beforeItsWait: true });
        if (polled.body.events.length === 0) longPollsWoken += 1;
        expect({ when, streamEnded: stream.done }).toEqual({ when, streamEnded: true });
        streamsEnded += 1;
        stream.close();
        sheet.setTotal('serverErrors', stats.serverErrors.length + readerErrors.length);
        expect({ when, connectionFailures: stats.unexpectedConnectionFailures, serverErrors: stats.serverErrors, readerErrors }).toEqual({
          when,
          connectionFailures: [],
          serverErrors: [],
          readerErrors: [],
        });

        // The files as the stopped process left them: every acknowledged command stored once.
        const rows = readEventRows(dataDir);
        expectClean(ledger.check(rows.filter(notReadersOwn), { markUnknown: true }), `${when}, stopped`);
        expect({ when, order: orderProblems(rows) }).toEqual({ when, order: [] });
        await api.restart();
      }

      // Every client retries what it had in flight at the last stop, then everything is checked once more.
      await Promise.all(clients.map((client) => client.run(() => !client.hasPending)));
      const { rows, comparison } = await quietCopy(api, dataDir, liveCopy);
      const report = ledger.check(rows.filter(notReadersOwn));
      expectClean(report, 'final');
      expect({ checkpoints: comparison.checkpoints }).toEqual({ checkpoints: { applications: rows.length, 'master-data': rows.length } });
      expect({ readModelsEqualRebuild: comparison.equal, difference: comparison.difference }).toEqual({ readModelsEqualRebuild: true, difference: undefined });
      expect({ reactions: reactionProblems(rows, { settled: true }).problems }).toEqual({ reactions: [] });
      expect({ chainProblems: await chainProblems(liveCopy) }).toEqual({ chainProblems: [] });
      expect({ unknownLeft: ledger.count('unknown'), unexpectedRefusals: stats.unexpectedRefusals, serverErrors: stats.serverErrors }).toEqual({
        unknownLeft: 0,
        unexpectedRefusals: [],
        serverErrors: [],
      });
      expect(report.ackedVerified).toBe(ledger.count('acked'));
      expect(report.ackedVerified).toBeGreaterThan(0);
      expect(reads).toBeGreaterThan(0);

      sheet.add('transitionsChecked', report.ackedVerified);
      sheet.set('SIGTERMs under load', SCALE.stop.stops);
      sheet.set('load clients', SCALE.stop.clients);
      sheet.set('requests sent by the load clients', stats.sent);
      sheet.set('acknowledged transitions', report.ackedVerified);
      sheet.set('retried with the same key after restart', stats.retriedAfterRestart);
      sheet.set('commands answered after SIGTERM was sent', answeredAfterSignal);
      sheet.set('access-logged reads by reviewers', reads);
      sheet.set('… of which answered after SIGTERM was sent', readsAfterSignal);
      sheet.set('reads cut off by the closing connection', cutOff);
      sheet.set('slowest stop, SIGTERM to exit (ms)', slowestStopMs);
      sheet.set('long polls ended empty by the stop', longPollsWoken);
      sheet.set('event streams ended by the stop', streamsEnded);
      sheet.set('events in store', rows.length);
    },
    TEST_TIMEOUT_MS,
  );
});
