import { Inject, Injectable, Optional } from '@nestjs/common';
import { probeDirectory, type DirectoryProbe, type EventStore, type StorageProblem } from '@nws/event-store';
import type { SqliteAccessLog } from '@nws/personal-data';
import type { ProjectionRunner } from '@nws/read-models';
import type { RuntimeConfig } from '@nws/runtime';
import { EVENT_STORE, PROJECTION_RUNNER, RUNTIME_CONFIG } from '../infrastructure/tokens';
import { ACCESS_LOG } from '../personal-data/personal-data.tokens';

export interface WriterProblem {
  readonly problem: StorageProblem;
  readonly since: string;
}

export interface StorageReport {
  /** `ok`, or the problem that refuses writes now (the data directory's, else the first writer's). */
  readonly state: 'ok' | StorageProblem;
  readonly writesAccepted: boolean;
  /** A file created and written in DATA_DIR just now (at most once a second). */
  readonly dataDir: DirectoryProbe;
  /** The embedded event store's latest commit (null: it succeeded, or the store is EventStoreDB). */
  readonly eventStore: WriterProblem | null;
  /** The read-model database: projections stalled on it, retried until it takes writes. */
  readonly readModels: WriterProblem | null;
  /** Personal-data access-log entries waiting in memory for the disk. */
  readonly accessLogBacklog: number;
  /** Access-log entries its indexer has not reached: queries by subject or application scan them. */
  readonly accessLogUnindexed: number;
  /**
   * Whether commits of other processes on the embedded store (the CLI) wake this one's
   * subscriptions at once through the commit doorbell (false: at the next poll, ~500 ms, e.g. on a
   * file system without change events); null on EventStoreDB.
   */
  readonly commitDoorbell: boolean | null;
}

interface StatusSource {
  readonly storageStatus?: { readonly problem: StorageProblem | null; readonly since: string | null };
  readonly hearsOtherProcesses?: boolean;
  readonly inner?: unknown;
}

const PROBE_CACHE_MS = 1000;

/**
 * Whether this process can write now: a probe of DATA_DIR (a real disk problem, seen before any
 * request fails) and what the writers last met (also a database at its own size limit).
 */
@Injectable()
export class StorageHealth {
  private probed: { at: number; result: DirectoryProbe } | undefined;

  constructor(
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Optional() @Inject(ACCESS_LOG) private readonly accessLog?: SqliteAccessLog,
  ) {}

  report(): StorageReport {
    const dataDir = this.probe();
    const eventStore = embeddedStatus(this.store);
    const runner = this.runner.status.storage;
    const readModels = runner ? { problem: runner.problem, since: runner.since } : null;
    const backlog = this.accessLog?.pending ?? { entries: 0, problem: null };
    const state = dataDir !== 'ok' ? dataDir : (eventStore?.problem ?? readModels?.problem ?? backlog.problem ?? 'ok');
    return {
      state,
      writesAccepted: state === 'ok',
      dataDir,
      eventStore,
      readModels,
      accessLogBacklog: backlog.entries,
      accessLogUnindexed: this.accessLog?.unindexed ?? 0,
      commitDoorbell: embedded(this.store)?.hearsOtherProcesses ?? null,
    };
  }

  /** A good result is reused for a second (health checks come in bursts); a bad one is checked again every time. */
  private probe(): DirectoryProbe {
    const now = Date.now();
    if (!this.probed || this.probed.result !== 'ok' || now - this.probed.at > PROBE_CACHE_MS) this.probed = { at: now, result: probeDirectory(this.config.dataDir) };
    return this.probed.result;
  }
}

/** The SQLite adapter's last commit outcome. */
function embeddedStatus(store: EventStore): WriterProblem | null {
  const status = embedded(store)?.storageStatus;
  return status?.problem && status.since ? { problem: status.problem, since: status.since } : null;
}

/** The SQLite adapter under the decorators (undefined on EventStoreDB). */
function embedded(store: EventStore): StatusSource | undefined {
  let current: unknown = store;
  for (let depth = 0; depth < 10 && current && typeof current === 'object'; depth++) {
    if ((current as StatusSource).storageStatus) return current as StatusSource;
    current = (current as StatusSource).inner;
  }
  return undefined;
}
