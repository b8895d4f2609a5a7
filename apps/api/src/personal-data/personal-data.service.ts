import { Inject, Injectable, Logger, NotFoundException, type OnModuleDestroy } from '@nestjs/common';
import { ForbiddenError, ValidationFailedError, type Actor, type WorkflowEngine } from '@nws/engine';
import type { ProjectionRunner } from '@nws/read-models';
import { authorizePersonalDataRequest, type PersonalDataRequest } from '@nws/workflows/connection-application/connection-application.policy';
import {
  LEGAL_BASES_FOR,
  PERSONAL_DATA_EVENTS,
  SubjectNotFoundError,
  discloseSubject,
  eraseSubject,
  setSubjectSuspension,
  type AccessLogQuery,
  type EncryptingEventStore,
  type ErasureResult,
  type LegalBasis,
  type SqliteAccessLog,
  type SubjectRecord,
} from '@nws/personal-data';
import { organOf, organOfCodeViolation, organOrDefault } from '@nws/workflows/shared/organizations';
import { CLOCK, PROJECTION_RUNNER, WORKFLOW_ENGINE, type Clock } from '../infrastructure/tokens';
import { ACCESS_LOG, PERSONAL_DATA_STORE } from './personal-data.tokens';

export interface SubjectRequestBody {
  readonly legalBasis: string;
  readonly reference?: string;
}

/**
 * 開示・消去・利用停止 of one data subject, and the aftercare an erasure needs in this process:
 * folds cached before it hold the person's data in clear, and read models copied it in clear, so
 * the engine forgets its folds and the read models are rebuilt from the (now unreadable) events
 * with secure_delete on and the WAL truncated, leaving no old page behind.
 */
@Injectable()
export class PersonalDataService implements OnModuleDestroy {
  private readonly logger = new Logger('PersonalData');
  private aftercare: Promise<void> = Promise.resolve();

  constructor(
    @Inject(PERSONAL_DATA_STORE) readonly store: EncryptingEventStore,
    @Inject(ACCESS_LOG) readonly accessLog: SqliteAccessLog,
    @Inject(WORKFLOW_ENGINE) private readonly engine: WorkflowEngine,
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    runner.db.pragma('secure_delete = ON');
    runner.db.exec('CREATE TABLE IF NOT EXISTS personal_data_aftercare (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
  }

  async onModuleDestroy(): Promise<void> {
    await this.aftercare.catch(() => undefined);
    this.accessLog.close();
  }

  /** A body's subjects: an organ's, the caller's own organ of its own code unless it names one. */
  async subjects(actor: Actor, organizationCode: string, organ: string | undefined): Promise<{ organizationCode: string; organizationKind: string; subjects: SubjectRecord[] }> {
    const organizationKind = bodyOrgan(actor, organizationCode, organ);
    this.authorize('list-subjects', { code: organizationCode, organ: organizationKind }, actor);
    return { organizationCode, organizationKind, subjects: await this.store.keys.subjects({ organizationCode, organizationKind, includeErased: true }) };
  }

  async subject(actor: Actor, subjectId: string, request: PersonalDataRequest): Promise<SubjectRecord> {
    const subject = await this.store.keys.subject(subjectId);
    if (!subject) throw notFound(subjectId);
    this.authorize(request, { code: subject.organizationCode, organ: subject.organizationKind }, actor);
    return subject;
  }

  async disclose(actor: Actor, subjectId: string) {
    await this.subject(actor, subjectId, 'disclose');
    return discloseSubject(this.store, this.accessLog, subjectId, this.clock());
  }

  async erase(actor: Actor, subjectId: string, body: SubjectRequestBody): Promise<ErasureResult> {
    await this.subject(actor, subjectId, 'erase');
    const result = await this.run(() =>
      eraseSubject(this.store, this.store.keys, { subjectId, requestedBy: requester(actor), legalBasis: basis(body, 'erasure'), reference: body.reference ?? null, at: this.clock() }),
    );
    if (!result.alreadyErased) await this.afterErasure(result.position ?? 0);
    return result;
  }

  async setSuspension(actor: Actor, subjectId: string, body: SubjectRequestBody, suspended: boolean): Promise<SubjectRecord> {
    await this.subject(actor, subjectId, suspended ? 'suspend' : 'resume');
    const legalBasis = basis(body, suspended ? 'suspension' : 'resumption');
    return this.run(() => setSubjectSuspension(this.store, this.store.keys, { subjectId, requestedBy: requester(actor), legalBasis, reference: body.reference ?? null, at: this.clock() }, suspended));
  }

  readAccessLog(actor: Actor, query: AccessLogQuery) {
    // Applicants see who read their own organ's staff's data; auditors see everything.
    if (actor.role === 'auditor') {
      if (query.organizationKind !== undefined && query.organizationCode === undefined) throw organWithoutCode();
      if (query.organizationKind !== undefined && query.organizationCode !== undefined) assertOrganOf(query.organizationCode, query.organizationKind);
      this.authorize('read-access-log', { code: query.organizationCode ?? '', organ: query.organizationKind ?? '' }, actor);
      return this.accessLogPage(query);
    }
    const organizationCode = query.organizationCode ?? actor.org;
    const organizationKind = bodyOrgan(actor, organizationCode, query.organizationKind);
    this.authorize('read-access-log', { code: organizationCode, organ: organizationKind }, actor);
    return this.accessLogPage({ ...query, organizationCode, organizationKind });
  }

  /** One page and how many match in all: a page of the 100 oldest alone did not say there were newer ones. */
  private accessLogPage(query: AccessLogQuery) {
    return { entries: this.accessLog.query(query), total: this.accessLog.count(query), limit: query.limit ?? 100, offset: query.offset ?? 0, order: query.order ?? 'oldest' };
  }

  /**
   * Makes this process forget what it knew in clear: cached folds, the read-model rows that hold people (the master data's). Serialised;
   * positions already handled (by this process, or in its read models before a restart) are skipped.
   */
  afterErasure(position: number): Promise<void> {
    this.aftercare = this.aftercare.then(async () => {
      if (position !== 0 && position <= this.handledPosition()) return;
      this.engine.forgetCachedFolds();
      // Only the read models that hold people in clear: rebuilding the application lists too had them
      // answer from half-filled tables for as long as the rebuild took.
      await this.runner.rebuild(this.runner.personalDataProjections);
      this.runner.db.pragma('wal_checkpoint(TRUNCATE)');
      this.runner.db.prepare(`INSERT INTO personal_data_aftercare (name, position) VALUES ('erasure', ?) ON CONFLICT (name) DO UPDATE SET position = MAX(position, excluded.position)`).run(position);
      this.logger.log(`read models rebuilt after the erasure at position ${position}`);
    });
    return this.aftercare;
  }

  handledPosition(): number {
    const row = this.runner.db.prepare(`SELECT position FROM personal_data_aftercare WHERE name = 'erasure'`).get() as { position: number } | undefined;
    return row?.position ?? 0;
  }

  /**
   * Whether an erasure the read models have passed is not yet followed by their rebuild: until it
   * is, the master data's rows still hold the person in clear, and the key store no longer knows
   * their name to withhold it (an erased person's lookup goes with their key). The erasure's
   * notice goes out before the rebuild (and, in another process, before that process's watcher
   * gets to it): a distributor fetching on it was served the person and kept them in its files.
   */
  erasurePending(): boolean {
    const seen = this.runner.lastSeen(PERSONAL_DATA_EVENTS.erased);
    if (seen <= this.handledUpTo) return false;
    this.handledUpTo = this.handledPosition();
    return seen > this.handledUpTo;
  }

  /** The newest erasure position known handled (read again only while one may be pending). */
  private handledUpTo = 0;

  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof SubjectNotFoundError) throw notFound(error.subjectId);
      throw error;
    }
  }

  private authorize(request: PersonalDataRequest, subject: { code: string; organ: string }, actor: Actor): void {
    const decision = authorizePersonalDataRequest(request, subject, actor);
    if (!decision.allowed) throw new ForbiddenError(decision.reason);
  }
}

/** The organ asked about: the one named, else the caller's own for its own code, else the code's default organ. */
function bodyOrgan(actor: Actor, code: string, organ: string | undefined): string {
  if (organ !== undefined) {
    assertOrganOf(code, organ);
    return organ;
  }
  return organOrDefault(code, code === actor.org ? organOf(actor) : undefined);
}

/** An organ the code does not have is a mistake to name, not a body without people (an empty list). */
function assertOrganOf(code: string, organ: string): void {
  const violation = organOfCodeViolation('organ', code, organ);
  if (violation) throw new ValidationFailedError([violation]);
}

function organWithoutCode(): ValidationFailedError {
  return new ValidationFailedError([
    {
      field: 'organ',
      rule: 'withOrganizationCode',
      message: { ja: 'organ: 機関種類は organizationCode と共に指定してください。', en: 'organ: give the organ with its organizationCode' },
    },
  ]);
}

function requester(actor: Actor) {
  return { sub: actor.sub, org: actor.org, ...(actor.organ !== undefined ? { organ: actor.organ } : {}), role: actor.role };
}

function basis(body: SubjectRequestBody, kind: keyof typeof LEGAL_BASES_FOR): LegalBasis {
  const allowed: readonly string[] = LEGAL_BASES_FOR[kind];
  if (!allowed.includes(body.legalBasis)) {
    throw new ValidationFailedError([
      {
        field: 'legalBasis',
        rule: 'legalBasisFor',
        message: { ja: `legalBasis: この請求の根拠は ${allowed.join(', ')} のいずれかです。`, en: `legalBasis: must be one of ${allowed.join(', ')} for this request` },
      },
    ]);
  }
  return body.legalBasis as LegalBasis;
}

function notFound(subjectId: string): NotFoundException {
  return new NotFoundException({ ja: `本人 ${subjectId} の個人情報は保有していません。`, en: `no personal data is held about subject ${subjectId}` });
}
