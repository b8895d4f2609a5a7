import type { ServerResponse } from 'node:http';
import { filter, type Observable, type Subscription } from 'rxjs';
import type { DistributionLedger } from '@nws/distribution';

export interface StreamOptions {
  readonly heartbeatMs: number;
  /** How often to look for leases that expired (nothing announces those). */
  readonly pollMs: number;
  readonly batchSize: number;
  /**
   * Applied to every event before it is written. The stream bypasses the hook that redacts answers, so the
   * personal-data redaction of published views (suspended people) is applied here explicitly.
   */
  readonly redact?: (event: unknown) => Promise<unknown>;
}

/**
 * One Server-Sent Events connection of a consumer. Events are fetched through the ledger like a
 * pull (so they are leased and redelivered the same way) starting after `after`. `id:` is the
 * global position and only ever grows, so a reconnect's Last-Event-ID resumes after the newest
 * event seen; a redelivered older event comes without `id:` (its position is in the data).
 */
export class DistributionStreamSession {
  private closed = false;
  private dirty = true;
  private wake: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private changes: Subscription | undefined;

  constructor(
    private readonly response: ServerResponse,
    private readonly ledger: DistributionLedger,
    private readonly consumer: string,
    private cursor: number,
    private readonly changes$: Observable<string>,
    private readonly options: StreamOptions,
  ) {}

  async run(): Promise<void> {
    // Ended before it began (the API is stopping): the response is already closed.
    if (this.closed) return;
    const res = this.response;
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.on('close', () => this.close());
    this.write(`retry: 1000\n: consumer ${this.consumer}, after ${this.cursor}\n\n`);
    this.heartbeat = setInterval(() => this.write(`: heartbeat ${new Date().toISOString()}\n\n`), this.options.heartbeatMs);
    this.changes = this.changes$.pipe(filter((name) => name === this.consumer)).subscribe(() => {
      this.dirty = true;
      this.wake?.();
    });
    try {
      while (!this.closed) {
        this.dirty = false;
        const { events } = await this.ledger.fetch(this.consumer, { after: this.cursor, limit: this.options.batchSize });
        for (const event of events) {
          if (this.closed) break;
          const id = event.position > this.cursor ? `id: ${event.position}\n` : '';
          this.cursor = Math.max(this.cursor, event.position);
          const published = this.options.redact ? await this.options.redact(event) : event;
          if (!this.write(`${id}event: ${event.type}\ndata: ${JSON.stringify(published)}\n\n`)) await this.drained();
        }
        if (events.length < this.options.batchSize) await this.idle();
      }
    } catch (error) {
      // The lease of anything fetched but unsent expires and is delivered again: nothing is lost.
      this.write(`event: error\ndata: ${JSON.stringify({ message: error instanceof Error ? error.message : String(error) })}\n\n`);
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.changes?.unsubscribe();
    this.wake?.();
    if (!this.response.writableEnded) this.response.end();
  }

  private write(chunk: string): boolean {
    if (this.closed || this.response.writableEnded) return true;
    return this.response.write(chunk);
  }

  private idle(): Promise<void> {
    if (this.dirty || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.response.off('drain', done);
        this.response.off('close', done);
        resolve();
      };
      this.response.once('drain', done);
      this.response.once('close', done);
    });
  }
}
