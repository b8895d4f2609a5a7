import type { ApiClient } from '../../../apps/api/src/testing/http-client';
import { reactionProblems } from './command-ledger';
import { backupLiveDataDir, compareProjectionsWithRebuild, readEventRows, type ProjectionComparison, type StoredEventRow } from './data-dir';
import { settle } from './settle';

export interface QuietCopy {
  readonly head: number;
  readonly rows: StoredEventRow[];
  readonly comparison: ProjectionComparison;
}

/**
 * With the process running and quiet: a consistent copy of its data directory, its events, and
 * its read models against a rebuild from zero. When something committed between the read-model
 * and the event backups (a reaction catching up), the copy is taken again.
 *
 * `reactionsWithinMs`: the reactor, after the store refused a reaction (a full or read-only
 * disk), pauses before it reads again from its checkpoint, and /health does not show that pause —
 * so a quiet store may still owe a master-data registration. With this option the copy is taken
 * again until every second approval has its registration, or the time is up (then the caller's
 * check reports what is missing).
 */
export async function quietCopy(api: ApiClient, dataDir: string, into: string, options: { reactionsWithinMs?: number } = {}): Promise<QuietCopy> {
  const reactionsBy = Date.now() + (options.reactionsWithinMs ?? 0);
  for (let attempt = 1; ; attempt++) {
    const head = await settle(api);
    await backupLiveDataDir(dataDir, into);
    const rows = readEventRows(into);
    if (reactionProblems(rows, { settled: false }).incomplete > 0 && Date.now() < reactionsBy) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    const comparison = await compareProjectionsWithRebuild(into);
    if (Object.values(comparison.checkpoints).some((p) => p !== rows.length) && attempt < 5) continue;
    return { head, rows, comparison };
  }
}

/** Polls until `done` (a liveness bound, not a speed check); throws with the last value. */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
