import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { guardedWrite } from '@nws/event-store';
import { publishOwedNotices, type EncryptingEventStore, type OwedNoticesReport } from '@nws/personal-data';
import type { ProjectionRunner } from '@nws/read-models';
import type { RuntimeConfig } from '@nws/runtime';
import { PROJECTION_RUNNER, RUNTIME_CONFIG } from '../infrastructure/tokens';
import { PERSONAL_DATA_STORE } from './personal-data.tokens';

const CHECKPOINT = 'published-notices';
const RETRY_MS = 5000;

/**
 * Requests recorded by a release that published the requests themselves (before
 * PublishedPersonalDataChanged) owe their notice: consumers take only the notice now, and the
 * erasure watcher starts after the erasures its read models handled, past them. At start, in the
 * process that runs reactions and serves distribution (PROCESS_ROLE all or worker), every request
 * after the last catch-up with no notice gets one (publishOwedNotices: idempotent by id, so a
 * replica or a second start doing it too appends nothing). In the background, as the read models
 * catch up: a large store is served meanwhile. Tried again while the store is away.
 */
@Injectable()
export class PublishedNoticesCatchUp implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('PersonalData');
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  /** Settles once the catch-up of this start is done (undefined: not run in this role, or stopped first). */
  done: Promise<OwedNoticesReport | undefined> = Promise.resolve(undefined);

  constructor(
    @Inject(PERSONAL_DATA_STORE) private readonly store: EncryptingEventStore,
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.runner.db.exec('CREATE TABLE IF NOT EXISTS personal_data_aftercare (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
    this.done = this.run();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private async run(): Promise<OwedNoticesReport | undefined> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        return await this.catchUp();
      } catch (error) {
        if (this.stopped) return undefined;
        if (attempt === 1) this.logger.error(`catch-up of owed distribution notices interrupted, trying again every ${RETRY_MS} ms: ${String(error)}`);
        await new Promise<void>((resolve) => {
          this.retry = setTimeout(resolve, RETRY_MS);
          this.retry.unref();
        });
      }
    }
    return undefined;
  }

  private async catchUp(): Promise<OwedNoticesReport | undefined> {
    const db = this.runner.db;
    const row = db.prepare('SELECT position FROM personal_data_aftercare WHERE name = ?').get(CHECKPOINT) as { position: number } | undefined;
    const after = row?.position ?? 0;
    const upTo = await this.store.headPosition();
    if (upTo <= after) return undefined;
    const report = await publishOwedNotices(this.store, this.store.keys, { after, upTo });
    if (this.stopped) return undefined;
    guardedWrite(db, 'published-notices checkpoint', this.config.dataDir, () =>
      db.prepare('INSERT INTO personal_data_aftercare (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position').run(CHECKPOINT, report.resumeAfter),
    );
    if (report.owed > 0) {
      this.logger.warn(
        `distribution notices owed by ${report.owed} personal-data request(s) recorded without one (an older release): ${report.published} published now` +
          (report.notHeld > 0 ? `, ${report.notHeld} left for their own retry (the key store does not hold them)` : '') +
          (report.unknownSubjects > 0 ? `, ${report.unknownSubjects} of subjects this key store does not know (PERSONAL_DATA_KEY_FILE)` : ''),
      );
    }
    return report;
  }
}
