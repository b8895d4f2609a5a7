import { LruMap } from './lru-map';
import type { FoldedApplication } from './workflow-definition';

export interface CachedFold {
  readonly folded: FoldedApplication;
  /**
   * commandId → revision of the last event it recorded, for idempotent replays. Shared by the
   * successive folds of one application and only ever added to, with commands that are stored:
   * copying it per command would cost O(stream length). An older fold seeing a newer command
   * here only sends that command to `replayCommand`, which reads what is stored.
   */
  readonly commands: Map<string, number>;
}

/**
 * Folded applications kept between commands, bounded (least recently used out). A stream only
 * grows and its events never change, so a cached fold of revisions 0..r stays true: the engine
 * reads only the events after r. Nothing here is persisted; the events remain the only truth.
 */
export class FoldCache {
  private readonly entries: LruMap<string, CachedFold>;

  constructor(limit = 2000) {
    this.entries = new LruMap(limit);
  }

  get(applicationId: string): CachedFold | undefined {
    return this.entries.get(applicationId);
  }

  set(applicationId: string, entry: CachedFold): void {
    const current = this.entries.peek(applicationId);
    // Concurrent requests may finish out of order: never replace a longer fold with a shorter one.
    if (current && current.folded.revision > entry.folded.revision) return;
    this.entries.set(applicationId, entry);
  }

  /**
   * Drops one application's fold and gives back `because` (the refusal that made it doubtful). Events
   * never change, but what they read as does: a person erased by another replica, whose notice this
   * process has not read yet, is still in clear here. A refusal decided on a cached fold is checked
   * again on a fresh read, and an append refused for another reason than a conflict leaves no fold.
   */
  forget<E>(applicationId: string, because: E): E {
    this.entries.delete(applicationId);
    return because;
  }

  get size(): number {
    return this.entries.size;
  }
}
