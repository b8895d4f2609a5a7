import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandIdForIdempotencyKey } from '@nws/engine';
import { Driver, actors, type ActorName } from '../../apps/api/src/testing/drive';
import { ApiProcess } from '../support/api-process';
import { backupLiveDataDir, copyDeadDataDir, readEventRows } from './support/data-dir';
import { FigureSheet } from './support/figures';
import { MODE, SCALE, TEST_TIMEOUT_MS, seedFor } from './support/scale';
import { SeededRandom } from './support/seeded-random';
import { settle, sleep } from './support/settle';

const REJECTION = '様02-02の通常連絡先を直通番号にしてください。';

interface Step {
  readonly actor: ActorName;
  readonly method: 'POST' | 'PUT';
  readonly path: string;
  readonly body: unknown;
  readonly label: string;
}

/** An Idempotency-Key counts per target: the collection for a create, the application for the rest. */
const CREATE_SCOPE = 'applications/connection-application';
const scopeOf = (step: Step, id: string | undefined): string => (step.label === 'create' ? CREATE_SCOPE : id!);

interface Answer {
  readonly status: number;
  readonly body: any;
  readonly etag: string | null;
}

/**
 * Issue #9, retries: a client that gives up waiting (a timeout) or loses the process (SIGKILL)
 * and retries with the same Idempotency-Key gets the original result, and the store holds the
 * command once — also across a restart, also after the application has moved on.
 */
describe(`retries with the same Idempotency-Key (${MODE})`, () => {
  const seed = seedFor('retries');
  const random = new SeededRandom(seed);
  const sheet = new FigureSheet('retries', 'Retries: same Idempotency-Key after a timeout or a restart', seed, __filename);
  sheet.measures('killsSurvived', 'transitionsChecked', 'serverErrors', 'lost', 'duplicates');
  const root = mkdtempSync(join(tmpdir(), 'nws-retries-'));
  const dataDir = join(root, 'data');
  let api: ApiProcess;
  let driver: Driver;
  let examples: Awaited<ReturnType<Driver['examples']>>;
  /** Every command retried here, checked against the whole store at the end of each test. */
  const retried: Array<{ key: string; actor: ActorName; label: string; scope: string }> = [];

  beforeAll(async () => {
    api = await ApiProcess.start({ dataDir, mode: 'source', readyTimeoutMs: 120_000 });
    driver = new Driver(api);
    examples = await driver.examplesForLoad();
  }, 180_000);

  afterAll(async () => {
    await api?.kill();
    sheet.write();
    rmSync(root, { recursive: true, force: true });
  });

  async function send(step: Step, key: string, signal?: AbortSignal): Promise<Answer> {
    const response = await fetch(`${api.url}${step.path}`, {
      method: step.method,
      headers: { authorization: `Bearer ${await driver.token(step.actor)}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(step.body),
      ...(signal ? { signal } : {}),
    });
    const text = await response.text();
    const answer = { status: response.status, body: text ? JSON.parse(text) : undefined, etag: response.headers.get('etag') };
    if (answer.status >= 500) sheet.add('serverErrors');
    return answer;
  }

  /** The steps through one application's life, from whatever state it is in now (a single decided event each). */
  async function nextStep(id: string | undefined): Promise<Step> {
    if (!id) return { actor: 'applicant', method: 'POST', path: '/applications', body: examples.create, label: 'create' };
    const view = (await driver.as('auditor', 'GET', `/applications/${id}`)).body as { state: string; forms: Record<string, unknown> };
    const act = (actor: ActorName, action: string, body: unknown = {}): Step => ({ actor, method: 'POST', path: `/applications/${id}/actions/${action}`, body, label: action });
    switch (view.state) {
      case 'draft': {
        const missing = examples.forms.find((f) => !(f.code in (view.forms ?? {})));
        if (missing) return { actor: 'applicant', method: 'PUT', path: `/applications/${id}/forms/${missing.code}`, body: missing.example, label: `save ${missing.code}` };
        return act('applicant', 'submit');
      }
      case 'firstReview':
        return random.chance(0.7) ? act('prefectureReviewer', 'approve') : act('prefectureReviewer', 'reject', { comment: REJECTION });
      case 'secondReview':
        return act('micReviewer', 'approve');
      case 'rejected':
        return act('applicant', 'revise');
      default:
        return nextStep(undefined);
    }
  }

  const idOf = (answer: Answer, step: Step, current: string | undefined) => (step.label === 'create' ? (answer.body?.id as string | undefined) : current);

  /** The whole store: each retried command exactly once. */
  async function expectEachOnce(): Promise<void> {
    await settle(api);
    const copy = join(root, 'copy');
    await backupLiveDataDir(dataDir, copy);
    const counts = new Map<string, number>();
    for (const row of readEventRows(copy)) if (row.commandId && row.commandId === row.causationId) counts.set(row.commandId, (counts.get(row.commandId) ?? 0) + 1);
    const lost = retried.filter((r) => (counts.get(commandIdForIdempotencyKey(actors[r.actor], r.key, r.scope)) ?? 0) === 0);
    const duplicated = retried.filter((r) => (counts.get(commandIdForIdempotencyKey(actors[r.actor], r.key, r.scope)) ?? 0) > 1);
    sheet.setTotal('lost', lost.length);
    sheet.setTotal('duplicates', duplicated.length);
    sheet.setTotal('transitionsChecked', retried.length - lost.length - duplicated.length);
    expect({ lost, duplicated }).toEqual({ lost: [], duplicated: [] });
  }

  /** The command's event in its application's history: exactly one, at the answered revision or before what it caused. */
  async function expectOneEvent(id: string, key: string, step: Step, answer: Answer): Promise<void> {
    const commandId = commandIdForIdempotencyKey(actors[step.actor], key, scopeOf(step, id));
    const history = await driver.as('auditor', 'GET', `/applications/${id}/history`);
    const own = (history.body.events as Array<{ commandId: string; revision: number }>).filter((e) => e.commandId === commandId);
    expect(own).toHaveLength(1);
    expect(own[0]!.revision).toBeLessThanOrEqual(Number(answer.body.revision));
  }

  it(
    `after a client-side timeout the retry gets the original result and appends nothing (${SCALE.retries.timeouts} commands)`,
    async () => {
      for (const label of ['commands retried after a client timeout', '… of which the client gave up before the answer', '… retried again after the application moved on']) sheet.set(label, 0);
      let id: string | undefined;
      let aborted = 0;
      for (let i = 0; i < SCALE.retries.timeouts; i++) {
        const step = await nextStep(id);
        const key = `timeout-${seed}-${i}`;
        retried.push({ key, actor: step.actor, label: step.label, scope: scopeOf(step, id) });
        // Give up after 0–20 ms: sometimes before the answer, sometimes after.
        let original: Answer | undefined;
        try {
          original = await send(step, key, AbortSignal.timeout(random.int(0, 20)));
        } catch {
          aborted += 1;
        }
        const retry = await send(step, key);
        expect([200, 201]).toContain(retry.status);
        if (original) expect(retry).toEqual(original);
        const again = await send(step, key);
        expect(again).toEqual(retry);
        id = idOf(retry, step, id);
        await expectOneEvent(id!, key, step, retry);
        // The application moves on; the same key still answers with the state right after that command.
        if (step.label !== 'create' && random.chance(0.5)) {
          const next = await nextStep(id);
          const moved = await send(next, `timeout-${seed}-${i}-next`);
          retried.push({ key: `timeout-${seed}-${i}-next`, actor: next.actor, label: next.label, scope: scopeOf(next, id) });
          id = idOf(moved, next, id);
          if (next.label !== 'create') {
            expect(await send(step, key)).toEqual(retry);
            sheet.count('… retried again after the application moved on');
          }
        }
        sheet.count('commands retried after a client timeout');
      }
      sheet.count('… of which the client gave up before the answer', aborted);
      await expectEachOnce();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a retry after SIGKILL and restart gets the original result; a different request under the same key is refused',
    async () => {
      // The answer was read, then the process died.
      let id: string | undefined = (await send(await nextStep(undefined), `restart-${seed}-create`)).body.id;
      retried.push({ key: `restart-${seed}-create`, actor: 'applicant', label: 'create', scope: CREATE_SCOPE });
      const answered: Array<{ step: Step; key: string; answer: Answer; id: string }> = [];
      for (let i = 0; i < 4; i++) {
        const step = await nextStep(id);
        const key = `restart-${seed}-answered-${i}`;
        const answer = await send(step, key);
        expect([200, 201]).toContain(answer.status);
        id = idOf(answer, step, id)!;
        answered.push({ step, key, answer, id });
        retried.push({ key, actor: step.actor, label: step.label, scope: scopeOf(step, id) });
      }
      await api.kill('SIGKILL');
      await api.restart();
      sheet.add('killsSurvived');
      for (const { step, key, answer, id: app } of answered) {
        expect(await send(step, key)).toEqual(answer);
        await expectOneEvent(app, key, step, answer);
        sheet.count('retries of answered commands after a restart');
      }
      // The same key with another body, after the restart: 422, and nothing appended.
      const first = answered[0]!;
      const other = first.step.method === 'PUT' ? { ...(first.step.body as object), category: '変更' } : { comment: '別の内容' };
      const before = (await driver.as('auditor', 'GET', `/applications/${first.id}/history`)).body.events.length;
      const reused = await send({ ...first.step, body: other }, first.key);
      expect(reused.status).toBe(422);
      expect(reused.body).toMatchObject({ code: expect.any(String), messages: { ja: expect.any(String), en: expect.any(String) } });
      expect((await driver.as('auditor', 'GET', `/applications/${first.id}/history`)).body.events.length).toBe(before);

      // The process died while the command was in flight: the client never saw an answer.
      for (const label of ['commands in flight at SIGKILL, retried after restart', '… answered before the kill', '… unanswered, but stored before the kill', '… unanswered and not stored']) sheet.set(label, 0);
      for (let i = 0; i < SCALE.retries.killsBeforeResponse; i++) {
        const step = await nextStep(id);
        const key = `restart-${seed}-inflight-${i}`;
        retried.push({ key, actor: step.actor, label: step.label, scope: scopeOf(step, id) });
        const inFlight = send(step, key).then(
          (answer) => answer,
          () => undefined,
        );
        await sleep(random.int(0, 12));
        await api.kill('SIGKILL');
        const original = await inFlight;
        // What the dead process left: the command is there once, or not at all.
        const deadCopy = join(root, 'dead-copy');
        copyDeadDataDir(dataDir, deadCopy);
        const commandId = commandIdForIdempotencyKey(actors[step.actor], key, scopeOf(step, id));
        const stored = readEventRows(deadCopy).filter((r) => r.commandId === commandId && r.causationId === commandId).length;
        expect(stored).toBeLessThanOrEqual(1);
        if (original && original.status < 300) expect(stored).toBe(1);
        if (!original) sheet.count(stored === 1 ? '… unanswered, but stored before the kill' : '… unanswered and not stored');
        await api.restart();
        sheet.add('killsSurvived');
        const retry = await send(step, key);
        expect([200, 201]).toContain(retry.status);
        if (original) {
          sheet.count('… answered before the kill');
          expect(retry).toEqual(original);
        }
        expect(await send(step, key)).toEqual(retry);
        id = idOf(retry, step, id)!;
        await expectOneEvent(id, key, step, retry);
        sheet.count('commands in flight at SIGKILL, retried after restart');
      }
      await expectEachOnce();
    },
    TEST_TIMEOUT_MS,
  );
});
