import { Observable, Subject } from 'rxjs';
import { matchesFilter, type RecordedEvent, type SubscribeOptions } from '../event-store.port';
import { toRecorded, type EventRow } from './sqlite-event-rows';

export interface LiveFeedOptions {
  /** Up to `pageSize` rows strictly after a position, in position order. */
  readonly readPage: (after: number) => EventRow[];
  readonly pageSize: number;
  /** How often every subscriber looks for commits of other processes (the CLI, a second API). */
  readonly pollIntervalMs: number;
  /** The highest position reads can see now (for wake(): has anything new been committed?). */
  readonly head: () => number;
}

/**
 * The embedded store's live subscriptions: catch up page by page, then follow this process's
 * commits at once and other processes' commits when their doorbell rings (wake()) or at the next
 * poll, in position order, without gaps or duplicates.
 *
 * After a commit every subscriber asks for the same page (the API has five: read models, reactor,
 * sealer, distribution, erasure watcher), and one query answers them all. Rows are arrays of
 * strings, never changed; each subscriber parses its own events. A shared page holds until the
 * event loop turns or this process commits again. Only the last page is kept: a subscriber catching
 * up reads the whole store page by page (one page per turn of the event loop), and keeping every
 * page would hold the store in memory (the first version did; the API ran out of heap on a
 * 1,000,000-event store).
 */
export class SqliteLiveFeed {
  private readonly committed$ = new Subject<void>();
  private lastPage: { readonly after: number; readonly rows: EventRow[] } | undefined;
  /** The highest position any page held: a doorbell rung for what subscribers have read already is ignored. */
  private highestRead = 0;
  private stopped = false;

  constructor(private readonly options: LiveFeedOptions) {}

  /** Rows held for sharing: at most one page, whatever the subscribers read. */
  get heldRows(): number {
    return this.lastPage?.rows.length ?? 0;
  }

  subscribe(options: SubscribeOptions = {}): Observable<RecordedEvent> {
    return new Observable<RecordedEvent>((subscriber) => {
      let after = options.after ?? 0;
      let pumping = false;
      let again = false;
      // Re-entrant calls (a commit while we emit, or while a catch-up waits for its next turn) only
      // ask for one more pass: events stay in order.
      const pump = () => {
        if (pumping) {
          again = true;
          return;
        }
        pumping = true;
        run();
      };
      const run = () => {
        try {
          do {
            again = false;
            for (;;) {
              if (subscriber.closed || this.stopped) break;
              const rows = this.page(after);
              for (const row of rows) {
                after = row[0];
                if (matchesFilter({ type: row[4], streamId: row[2] }, options.filter)) subscriber.next(toRecorded(row));
                if (subscriber.closed) break;
              }
              if (rows.length < this.options.pageSize || subscriber.closed) break;
              // A full page: more may follow, as when a subscriber catches up on the store. The
              // rest comes after the event loop has turned, so a start on millions of events
              // answers HTTP, timers and signals meanwhile (in one turn it held them for minutes).
              // What one commit adds is less than a page and still comes at once.
              setImmediate(run);
              return;
            }
          } while (again && !subscriber.closed && !this.stopped);
          pumping = false;
        } catch (error) {
          pumping = false;
          subscriber.error(error);
        }
      };
      const commits = this.committed$.subscribe(() => pump());
      const timer = setInterval(pump, this.options.pollIntervalMs);
      timer.unref();
      pump();
      return () => {
        commits.unsubscribe();
        clearInterval(timer);
      };
    });
  }

  /** A commit (this process's, or another's that rang): pages read before do not hold it; subscribers read on. */
  committed(): void {
    this.lastPage = undefined;
    this.committed$.next();
  }

  /**
   * Some process rang the commit doorbell. This process's own rings come back too; they, and rings
   * for commits not visible yet (a batch of ours still in flight), cost one head lookup, no page.
   */
  wake(): void {
    if (this.stopped || !this.committed$.observed || this.options.head() <= this.highestRead) return;
    this.committed();
  }

  /** The store is closing: subscribers read nothing more. */
  stop(): void {
    this.stopped = true;
    this.committed$.complete();
  }

  private page(after: number): EventRow[] {
    if (this.lastPage?.after === after) return this.lastPage.rows;
    const rows = this.options.readPage(after);
    const last = rows.at(-1);
    if (last !== undefined && last[0] > this.highestRead) this.highestRead = last[0];
    if (this.lastPage === undefined) setImmediate(() => (this.lastPage = undefined));
    this.lastPage = { after, rows };
    return rows;
  }
}
