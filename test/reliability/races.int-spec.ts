import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandIdForIdempotencyKey, type Actor } from '@nws/engine';
import { Driver, actors } from '../../apps/api/src/testing/drive';
import { ApiProcess } from '../support/api-process';
import { reactionProblems } from './support/command-ledger';
import { backupLiveDataDir, chainProblems, orderProblems, readEventRows, type StoredEventRow } from './support/data-dir';
import { FigureSheet } from './support/figures';
import { MODE, SCALE, TEST_TIMEOUT_MS, seedFor } from './support/scale';
import { SeededRandom } from './support/seeded-random';
import { settle } from './support/settle';

/** Decision makers of the same bodies, so that racers are different people as well as the same one. */
const colleagues = {
  prefectureReviewer2: { sub: 'tokyo-2', org: '130001', role: 'first-reviewer', name: '東京 次郎', department: 'デジタルサービス局' },
  micReviewer2: { sub: 'mic-2', org: 'MIC', role: 'second-reviewer', name: '総務 次郎', department: '住民制度課' },
} satisfies Record<string, Actor>;

const REJECTION = '様02-02の通常連絡先を直通番号にしてください。';

/**
 * Issue #9, races, against the API in a child process over real HTTP:
 * - many concurrent conflicting decisions on one application at the same revision: exactly one
 *   succeeds, every other one is refused with 409 or 412, exactly one event is appended;
 * - concurrent submits (and reviews) of many applications: every stream's revisions stay
 *   gapless, global positions gapless and in agreement with every stream's order.
 */
describe(`races over HTTP (${MODE})`, () => {
  const seed = seedFor('races');
  const random = new SeededRandom(seed);
  const sheet = new FigureSheet('races', 'Races: conflicting decisions, concurrent submits', seed, __filename);
  sheet.measures('transitionsChecked', 'serverErrors', 'lost', 'duplicates');
  const root = mkdtempSync(join(tmpdir(), 'nws-races-'));
  const dataDir = join(root, 'data');
  let api: ApiProcess;
  let driver: Driver;
  let tokens: Record<keyof typeof colleagues, string>;

  beforeAll(async () => {
    api = await ApiProcess.start({ dataDir, mode: 'source', readyTimeoutMs: 120_000 });
    driver = new Driver(api);
    tokens = { prefectureReviewer2: await api.token(colleagues.prefectureReviewer2), micReviewer2: await api.token(colleagues.micReviewer2) };
  }, 180_000);

  afterAll(async () => {
    await api?.kill();
    sheet.write();
    rmSync(root, { recursive: true, force: true });
  });

  const storeRows = async (): Promise<StoredEventRow[]> => {
    await settle(api);
    const copy = join(root, 'copy');
    await backupLiveDataDir(dataDir, copy);
    return readEventRows(copy);
  };

  it(
    `${SCALE.races.racers} concurrent conflicting decisions at one revision: one succeeds, the rest 409/412, one event appended (${SCALE.races.decisionRounds} rounds)`,
    async () => {
      const statuses = new Map<number, number>();
      for (let round = 0; round < SCALE.races.decisionRounds; round++) {
        const id = await driver.draftWithForms();
        expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
        // Odd rounds race the second review (whose winner also triggers master-data registration).
        const second = round % 2 === 1;
        if (second) expect((await driver.act('prefectureReviewer', id, 'approve')).status).toBe(200);
        const before = await driver.as('auditor', 'GET', `/applications/${id}`);
        const revision = Number(before.body.revision);
        const deciders = second ? (['micReviewer', 'micReviewer2'] as const) : (['prefectureReviewer', 'prefectureReviewer2'] as const);
        const racers = Array.from({ length: SCALE.races.racers }, (_, i) => {
          const who = random.pick(deciders);
          const actor: Actor = who in colleagues ? colleagues[who as keyof typeof colleagues] : actors[who as keyof typeof actors];
          const key = `race-${seed}-${round}-${i}`;
          const action = random.chance(0.5) ? 'approve' : 'reject';
          // In the second review half state the revision they saw (If-Match → 412 when they lose)
          // and half do not (→ 409: no decision is offered after it). In the first review all do:
          // a first reviewer's decision without If-Match that is processed after the winner's meets
          // the second review, which is not theirs to decide: 403 by the policy, since without
          // If-Match the server cannot know the caller saw the first review (one that raced the
          // winner in flight is told CHANGED_MEANWHILE, 409; libs/engine changed-meanwhile spec).
          const ifMatch = !second || random.chance(0.5);
          return { who, actor, key, action, ifMatch, commandId: commandIdForIdempotencyKey(actor, key, id) };
        });
        const responses = await Promise.all(
          racers.map(async (r) =>
            api.request('POST', `/applications/${id}/actions/${r.action}`, {
              token: r.who in tokens ? tokens[r.who as keyof typeof tokens] : await driver.token(r.who as keyof typeof actors),
              body: r.action === 'reject' ? { comment: REJECTION } : {},
              headers: { 'Idempotency-Key': r.key, ...(r.ifMatch ? { 'If-Match': `"${revision}"` } : {}) },
            }),
          ),
        );
        for (const response of responses) statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const winners = responses.flatMap((response, i) => (response.status === 200 ? [racers[i]!] : []));
        const refused = responses.filter((response) => response.status === 409 || response.status === 412);
        sheet.setTotal('serverErrors', (statuses.get(500) ?? 0) + [...statuses].filter(([s]) => s > 500).reduce((n, [, c]) => n + c, 0));
        const other = responses.flatMap((response, i) => (response.status === 200 || response.status === 409 || response.status === 412 ? [] : [`${racers[i]!.who} ${racers[i]!.action}: ${response.status} ${JSON.stringify(response.body)}`]));
        expect({ round, winners: winners.length, refused: refused.length, other: other.slice(0, 5) }).toEqual({ round, winners: 1, refused: SCALE.races.racers - 1, other: [] });
        for (const response of refused) expect(response.body).toMatchObject({ statusCode: response.status, messages: { ja: expect.any(String), en: expect.any(String) } });

        // Exactly one decision event after the revision they all saw, and it is the winner's.
        const rows = (await storeRows()).filter((r) => r.streamId === `application-${id}`);
        const decisions = rows.filter((r) => r.revision > revision && r.commandId === r.causationId);
        const winner = winners[0]!;
        expect(decisions.map((r) => ({ revision: r.revision, commandId: r.commandId }))).toEqual([{ revision: revision + 1, commandId: winner.commandId }]);
        const expectedType = `${second ? 'Second' : 'First'}Review${winner.action === 'approve' ? 'Approved' : 'Rejected'}`;
        expect(decisions[0]!.type).toBe(expectedType);
        // Only the winner's reaction follows (master-data registration after a second approval).
        const followers = rows.filter((r) => r.revision > revision + 1);
        expect(followers.map((r) => r.type)).toEqual(expectedType === 'SecondReviewApproved' ? ['MasterDataRegistered'] : []);
        const history = await driver.as('auditor', 'GET', `/applications/${id}/history`);
        expect(history.body.events).toHaveLength(rows.length);
        sheet.add('transitionsChecked', 1);
        sheet.count('decision races');
        sheet.count('racing requests', SCALE.races.racers);
      }
      sheet.set('decision answers', [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(', '));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    `concurrent submits and reviews of ${SCALE.races.applications} applications keep every stream gapless and the global order consistent`,
    async () => {
      const n = SCALE.races.applications;
      // The organ registered first, so that every draft is a 変更: several 登録 of one organ approved
      // at once are refused after the first registers (firstRegistration), as they should be, and
      // how many depends on the scheduler.
      await driver.registerOrgan();
      const drafts = await Promise.all(Array.from({ length: n }, () => driver.draftWithForms()));
      const acked: Array<{ id: string; key: string; actor: Actor }> = [];
      const serverErrors: string[] = [];
      const wave = async (who: 'applicant' | 'prefectureReviewer' | 'micReviewer', action: string, ids: readonly string[]) => {
        const responses = await Promise.all(
          ids.map(async (id, i) => {
            const key = `wave-${seed}-${action}-${who}-${i}`;
            const response = await driver.act(who, id, action, {}, { 'Idempotency-Key': key });
            if (response.status >= 500) serverErrors.push(`${action} ${id}: ${response.status} ${JSON.stringify(response.body)}`);
            if (response.status === 200) acked.push({ id, key, actor: actors[who] });
            return response;
          }),
        );
        expect(responses.map((r) => r.status)).toEqual(ids.map(() => 200));
        sheet.setTotal('serverErrors', sheet.total('serverErrors') + serverErrors.length);
      };
      await wave('applicant', 'submit', drafts);
      // Half of them go on to the first review, and half of those to the second, all at once.
      const reviewed = drafts.filter((_, i) => i % 2 === 0);
      await wave('prefectureReviewer', 'approve', reviewed);
      await wave('micReviewer', 'approve', reviewed.filter((_, i) => i % 2 === 0));

      const rows = await storeRows();
      expect(orderProblems(rows)).toEqual([]);
      expect({ chainProblems: await chainProblems(join(root, 'copy')) }).toEqual({ chainProblems: [] });
      // Every acknowledged command exactly once, in its own stream.
      const byCommand = new Map<string, StoredEventRow[]>();
      for (const row of rows) if (row.commandId) byCommand.set(row.commandId, [...(byCommand.get(row.commandId) ?? []), row]);
      const lost = acked.filter((a) => (byCommand.get(commandIdForIdempotencyKey(a.actor, a.key, a.id)) ?? []).length === 0);
      const duplicated = acked.filter((a) => (byCommand.get(commandIdForIdempotencyKey(a.actor, a.key, a.id)) ?? []).length > 1);
      const misplaced = acked.filter((a) => byCommand.get(commandIdForIdempotencyKey(a.actor, a.key, a.id))?.some((r) => r.streamId !== `application-${a.id}`));
      sheet.setTotal('lost', sheet.total('lost') + lost.length);
      sheet.setTotal('duplicates', sheet.total('duplicates') + duplicated.length);
      expect({ lost, duplicated, misplaced }).toEqual({ lost: [], duplicated: [], misplaced: [] });
      // Master-data versions of the body: 1..k, one per second approval.
      expect(reactionProblems(rows, { settled: true }).problems).toEqual([]);
      const versions = rows.filter((r) => r.type === 'MasterDataVersionRegistered').map((r) => r.revision);
      expect(versions).toEqual(versions.map((_, i) => i));
      // What the API reports agrees with the store: each history in revision order with rising positions.
      for (const id of drafts) {
        const history = await driver.as('auditor', 'GET', `/applications/${id}/history`);
        const stored = rows.filter((r) => r.streamId === `application-${id}`);
        expect(history.body.events.map((e: { revision: number; position: number; eventId: string }) => [e.revision, e.position, e.eventId])).toEqual(
          stored.map((r) => [r.revision, r.position, r.eventId]),
        );
      }
      // The list (read model) shows every application at its stream's last revision.
      const listed = new Map<string, number>((await driver.listAll('auditor')).map((a) => [a.id, a.revision]));
      for (const id of drafts) expect(listed.get(id)).toBe(Math.max(...rows.filter((r) => r.streamId === `application-${id}`).map((r) => r.revision)));
      sheet.add('transitionsChecked', acked.length);
      sheet.set('applications submitted at once', n);
      sheet.set('concurrent transitions acknowledged', acked.length);
      sheet.set('master-data versions in the store (one per second approval)', versions.length);
      sheet.set('streams checked gapless', new Set(rows.map((r) => r.streamId)).size);
    },
    TEST_TIMEOUT_MS,
  );
});
