import { commandIdForIdempotencyKey } from '@nws/engine';
import { actors, type ActorName, type Driver } from '../../../apps/api/src/testing/drive';
import type { TestResponse } from '../../../apps/api/src/testing/http-client';
import type { CommandLedger, LedgerEntry } from './command-ledger';
import type { SeededRandom } from './seeded-random';

export interface Examples {
  readonly create: Record<string, unknown>;
  readonly forms: ReadonlyArray<{ readonly code: string; readonly example: unknown }>;
  /** Applications made before the load (the organ's 登録), through commands no ledger issued. */
  readonly setUp?: readonly string[];
}

interface Command {
  readonly actor: ActorName;
  readonly method: 'POST' | 'PUT';
  readonly path: string;
  readonly body: unknown;
  readonly action: string;
  readonly formCode?: string;
  readonly ifMatch?: number;
  /** A deliberately stale If-Match: the answer must be 412. */
  readonly expectStatus?: number;
  readonly entry: LedgerEntry;
}

interface ClientApplication {
  id: string;
  state: string;
  revision: number;
  readonly saved: Set<string>;
}

export interface LoadClientStats {
  sent: number;
  acked: number;
  refusedAsExpected: number;
  /** A 4xx nobody planned: the client's view of the application was wrong, or the API refused a valid command. */
  unexpectedRefusals: string[];
  serverErrors: string[];
  /** Connection failures while the process was supposed to be up (the API died on its own). */
  unexpectedConnectionFailures: string[];
  retriedAfterRestart: number;
  retriedFoundStored: number;
  retriedExecutedNow: number;
  /** 503 STORAGE_UNAVAILABLE (only with `storageTrouble`): the disk refused the write. */
  storageRefusals: number;
  /** … of which the API said the outcome is unknown (the disk failed while making the write durable): may be stored, never twice. */
  storageOutcomeUnknown: number;
  /** … by the problem the answer named (`full`, `read-only`, …). */
  storageRefusalsByProblem: Record<string, number>;
  /** 503 STORAGE_UNAVAILABLE answers without Retry-After, without a Japanese and an English message, or not saying what was recorded. */
  malformedStorageRefusals: string[];
  /** Commands sent again with the same key after a storage refusal. */
  retriedAfterStorageRefusal: number;
}

/** One answer to a command, for scenarios that judge answers by when they came (disk trouble). */
export interface LoadAnswer {
  readonly client: string;
  readonly action: string;
  readonly key: string;
  readonly status: number;
  readonly code: string | undefined;
  readonly sentAt: number;
  readonly answeredAt: number;
  /** The answer's body, for 5xx answers only. */
  readonly body?: unknown;
}

export interface LoadClientOptions {
  /**
   * The disk may refuse writes (the disk-trouble scenario): a 503 STORAGE_UNAVAILABLE is then not
   * a server error but a refusal: the command counts as refused (it must not be in the store) —
   * or, when the answer says its outcome is unknown (the disk failed while making it durable), as
   * unknown (stored at most once) — and is sent again with the same key after `retryMs` until the
   * disk takes it. Without this option any 5xx is a server error, as in the crash scenario.
   */
  readonly storageTrouble?: { readonly retryMs: number };
  /** Called with every answer a command gets. */
  readonly onAnswer?: (answer: LoadAnswer) => void;
}

const DONE_STATES = new Set(['approved', 'masterDataRegistered', 'distributed', 'withdrawn']);
const REJECTION = '様02-02の通常連絡先を直通番号にしてください。';

/**
 * One client of the crash load: works through its own applications (create, save the required
 * forms, submit, first and second review with some rejections and revisions, the odd withdrawal),
 * every command with an Idempotency-Key, some with If-Match, a few with a stale If-Match.
 * When the connection breaks (the process was killed) the command is unknown; the client keeps it
 * and, once the API is back, retries it with the same key before doing anything else.
 */
export class LoadClient {
  private app: ClientApplication | undefined;
  private pending: Command | undefined;
  /** Why the pending command waits: its connection broke (unknown), or the disk refused it (refused, nothing recorded). */
  private pendingAfter: 'connection' | 'storage' = 'connection';
  /**
   * Commands an earlier attempt may have recorded (its connection broke, or the disk failed while
   * making it durable): a later "nothing was recorded" speaks for that attempt only, so they stay
   * unknown until a definite answer.
   */
  private readonly uncertain = new Set<LedgerEntry>();
  private counter = 0;

  constructor(
    private readonly name: string,
    private readonly driver: Driver,
    private readonly ledger: CommandLedger,
    private readonly random: SeededRandom,
    private readonly examples: Examples,
    private readonly stats: LoadClientStats,
    private readonly options: LoadClientOptions = {},
  ) {
    ledger.setUp(examples.setUp ?? []);
  }

  /** Runs until `stopping()` (checked before each request) or until the connection breaks. */
  async run(stopping: () => boolean): Promise<void> {
    while (!stopping()) {
      const command = this.pending ?? this.plan();
      const retry = this.pending !== undefined;
      const retryAfterStorage = retry && this.pendingAfter === 'storage';
      this.pending = command;
      this.pendingAfter = 'connection';
      command.entry.attempts += 1;
      this.stats.sent += 1;
      let response: TestResponse;
      const sentAt = Date.now();
      try {
        response = await this.send(command);
      } catch (error) {
        // No answer: the command stays unknown and is retried after the restart.
        this.uncertain.add(command.entry);
        if (!stopping()) this.stats.unexpectedConnectionFailures.push(`${this.name} ${command.action} ${command.entry.key}: ${String(error)}`);
        return;
      }
      this.pending = undefined;
      const { entry } = command;
      entry.status = response.status;
      this.options.onAnswer?.({
        client: this.name,
        action: command.action,
        key: entry.key,
        status: response.status,
        code: response.body?.code,
        sentAt,
        answeredAt: Date.now(),
        ...(response.status >= 500 ? { body: response.body } : {}),
      });
      if (retryAfterStorage) this.stats.retriedAfterStorageRefusal += 1;
      else if (retry) {
        this.stats.retriedAfterRestart += 1;
        if (entry.foundWhileUnknown === true) this.stats.retriedFoundStored += 1;
        if (entry.foundWhileUnknown === false) this.stats.retriedExecutedNow += 1;
      }
      const storageTrouble = this.options.storageTrouble;
      if (storageTrouble && response.status === 503 && response.body?.code === 'STORAGE_UNAVAILABLE') {
        // The disk refused the write: nothing recorded (refused until sent again), or maybe recorded (unknown).
        const unknown = response.body.outcome === 'unknown';
        if (unknown) this.uncertain.add(entry);
        entry.outcome = this.uncertain.has(entry) ? 'unknown' : 'refused';
        this.stats.storageRefusals += 1;
        if (unknown) this.stats.storageOutcomeUnknown += 1;
        const problem = String(response.body.storage);
        this.stats.storageRefusalsByProblem[problem] = (this.stats.storageRefusalsByProblem[problem] ?? 0) + 1;
        const malformed = storageRefusalProblems(response);
        if (malformed.length > 0) this.stats.malformedStorageRefusals.push(`${command.action} ${entry.key}: ${malformed.join(', ')} — ${JSON.stringify(response.body)}`);
        this.pending = command;
        this.pendingAfter = 'storage';
        await new Promise((resolve) => setTimeout(resolve, storageTrouble.retryMs));
        continue;
      }
      this.uncertain.delete(entry);
      if (response.status >= 500) {
        // Not an answer the client can act on: it may or may not have been recorded.
        entry.outcome = 'unknown';
        this.stats.serverErrors.push(`${command.action} ${entry.key}: ${response.status} ${JSON.stringify(response.body)}`);
        await this.resync();
        continue;
      }
      if (response.status >= 400) {
        entry.outcome = 'refused';
        if (command.expectStatus === response.status) this.stats.refusedAsExpected += 1;
        else {
          this.stats.unexpectedRefusals.push(`${this.name} ${command.action} ${entry.key} on ${this.app?.id} (${this.app?.state}@${this.app?.revision}): ${response.status} ${JSON.stringify(response.body)}`);
          await this.resync();
        }
        continue;
      }
      if (command.expectStatus !== undefined) {
        this.stats.unexpectedRefusals.push(`${command.action} ${entry.key} with a stale If-Match was accepted (${response.status})`);
      }
      entry.outcome = 'acked';
      entry.ackRevision = Number(response.body.revision);
      this.stats.acked += 1;
      if (command.action === 'create') {
        this.ledger.assignApplication(entry, String(response.body.id));
        this.app = { id: String(response.body.id), state: String(response.body.state), revision: Number(response.body.revision), saved: new Set() };
      } else if (this.app && this.app.id === response.body.id) {
        this.app.state = String(response.body.state);
        this.app.revision = Number(response.body.revision);
        if (command.formCode) this.app.saved.add(command.formCode);
      }
    }
  }

  /** Whether a command is waiting to be retried (its outcome is unknown). */
  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  private async send(command: Command): Promise<TestResponse> {
    const headers: Record<string, string> = { 'Idempotency-Key': command.entry.key };
    if (command.ifMatch !== undefined) headers['If-Match'] = `"${command.ifMatch}"`;
    return this.driver.as(command.actor, command.method, command.path, command.body, headers);
  }

  private async resync(): Promise<void> {
    if (!this.app) return;
    const current = await this.driver.as('auditor', 'GET', `/applications/${this.app.id}`).catch(() => undefined);
    if (current?.status === 200) {
      this.app.state = String(current.body.state);
      this.app.revision = Number(current.body.revision);
      for (const code of Object.keys((current.body.forms ?? {}) as object)) this.app.saved.add(code);
    }
  }

  private plan(): Command {
    const app = this.app;
    if (!app || DONE_STATES.has(app.state)) {
      return this.command('applicant', 'POST', '/applications', this.examples.create, 'create', null);
    }
    const act = (actor: ActorName, action: string, body: unknown = {}) => this.command(actor, 'POST', `/applications/${app.id}/actions/${action}`, body, action, app.id);
    let command: Command;
    switch (app.state) {
      case 'draft': {
        const missing = this.examples.forms.filter((f) => !app.saved.has(f.code));
        const resave = this.random.chance(0.08);
        if (missing.length > 0 || resave) {
          const form = missing.length > 0 ? this.random.pick(missing) : this.random.pick(this.examples.forms);
          command = { ...this.command('applicant', 'PUT', `/applications/${app.id}/forms/${form.code}`, form.example, 'save-form', app.id), formCode: form.code };
        } else if (this.random.chance(0.04)) command = act('applicant', 'withdraw', { comment: '申請を取り下げます。' });
        else command = act('applicant', 'submit');
        break;
      }
      case 'firstReview':
        command = this.random.chance(0.75) ? act('prefectureReviewer', 'approve') : act('prefectureReviewer', 'reject', { comment: REJECTION });
        break;
      case 'secondReview':
        command = this.random.chance(0.85) ? act('micReviewer', 'approve') : act('micReviewer', 'reject', { comment: REJECTION });
        break;
      case 'rejected':
        command = this.random.chance(0.1) ? act('applicant', 'withdraw') : act('applicant', 'revise');
        break;
      default:
        throw new Error(`load client: no plan for state ${app.state}`);
    }
    const roll = this.random.next();
    if (roll < 0.05 && app.revision >= 1) return { ...command, ifMatch: app.revision - 1, expectStatus: 412 };
    if (roll < 0.3) return { ...command, ifMatch: app.revision };
    return command;
  }

  private command(actor: ActorName, method: 'POST' | 'PUT', path: string, body: unknown, action: string, applicationId: string | null): Command {
    const key = `${this.name}-${++this.counter}`;
    const entry = this.ledger.issue(key, commandIdForIdempotencyKey(actors[actor], key, applicationId ?? 'applications/connection-application'), action, applicationId);
    return { actor, method, path, body, action, entry };
  }
}

export function emptyStats(): LoadClientStats {
  return {
    sent: 0,
    acked: 0,
    refusedAsExpected: 0,
    unexpectedRefusals: [],
    serverErrors: [],
    unexpectedConnectionFailures: [],
    retriedAfterRestart: 0,
    retriedFoundStored: 0,
    retriedExecutedNow: 0,
    storageRefusals: 0,
    storageOutcomeUnknown: 0,
    storageRefusalsByProblem: {},
    malformedStorageRefusals: [],
    retriedAfterStorageRefusal: 0,
  };
}

/** What each kind of 503 STORAGE_UNAVAILABLE must say, in Japanese and English. */
const STORAGE_SAYS = {
  'not-recorded': { ja: '操作は記録されていません', en: 'nothing was recorded' },
  unknown: { ja: '記録されたかどうかは不明', en: 'may or may not have been recorded' },
  read: { ja: '読み出せません', en: 'cannot be read now' },
} as const;

/**
 * What a 503 STORAGE_UNAVAILABLE must carry: Retry-After, the problem, and ja and en messages
 * saying what happened — for a write whether it was recorded (`outcome`), for a read that the
 * data cannot be read now. Returns what is missing.
 */
export function storageRefusalProblems(response: TestResponse, kind: 'write' | 'read' = 'write'): string[] {
  const problems: string[] = [];
  const retryAfter = Number(response.headers.get('retry-after'));
  if (!Number.isInteger(retryAfter) || retryAfter <= 0) problems.push(`Retry-After ${JSON.stringify(response.headers.get('retry-after'))}`);
  const body = response.body as { statusCode?: unknown; storage?: unknown; outcome?: unknown; messages?: { ja?: unknown; en?: unknown } } | undefined;
  if (body?.statusCode !== 503) problems.push('statusCode in the body');
  if (typeof body?.storage !== 'string') problems.push('no storage problem named');
  if (kind === 'write' && body?.outcome !== 'not-recorded' && body?.outcome !== 'unknown') problems.push(`outcome ${JSON.stringify(body?.outcome)}`);
  const says = STORAGE_SAYS[kind === 'read' ? 'read' : body?.outcome === 'unknown' ? 'unknown' : 'not-recorded'];
  if (typeof body?.messages?.ja !== 'string' || !body.messages.ja.includes(says.ja)) problems.push(`no Japanese message saying 「${says.ja}」`);
  if (typeof body?.messages?.en !== 'string' || !body.messages.en.includes(says.en)) problems.push(`no English message saying "${says.en}"`);
  return problems;
}
