import type { PublishedEvent } from '@nws/distribution';

export interface PullPage {
  readonly checkpoint: number;
  readonly nextAfter: number;
  readonly events: PublishedEvent[];
}

export interface ConsumerSettings {
  readonly checkpoint: number;
  readonly transport: 'http' | 'esdb-persistent';
  readonly group: string | null;
  readonly eventTypes: string[];
  readonly maxDeliveries: number;
}

/** A failure worth retrying: the API is down, restarting, or briefly unavailable. */
export class TransientApiError extends Error {
  override readonly name = 'TransientApiError';
}

/** Anything else (wrong consumer, wrong role, bad request): retrying will not help. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The distribution endpoints of the API, for one consumer, as a distributor. */
export class DistributionApiClient {
  constructor(
    private readonly apiUrl: string,
    private readonly consumer: string,
    private readonly token: (renew: boolean) => Promise<string>,
    private readonly signal?: AbortSignal,
  ) {}

  /** The consumer's server-side checkpoint: everything after it is still owed. */
  async checkpoint(): Promise<number> {
    const status = await this.call<{ checkpoint: number }>('GET', '', undefined, false, true);
    return status.checkpoint;
  }

  /** With `waitMs`, the API holds an empty answer until an event comes (long polling). */
  pull(after: number, limit: number, waitMs = 0): Promise<PullPage> {
    return this.call<PullPage>('GET', `/events?after=${after}&limit=${limit}${waitMs > 0 ? `&waitMs=${waitMs}` : ''}`, undefined, false, true);
  }

  /** The consumer as registered: transport, event types, group, deliveries before parking. */
  status(): Promise<ConsumerSettings> {
    return this.call<ConsumerSettings>('GET', '', undefined, false, true);
  }

  /** esdb-persistent: the published view of the event EventStoreDB handed over, recording the delivery. */
  deliverAt(position: number, eventId: string): Promise<{ event: PublishedEvent; status: 'delivered' | 'acked' }> {
    return this.call('GET', `/events/${position}?eventId=${encodeURIComponent(eventId)}`);
  }

  async ack(eventIds: readonly string[]): Promise<void> {
    await this.call('POST', '/acks', { eventIds });
  }

  async nack(eventIds: readonly string[], reason: string): Promise<void> {
    await this.call('POST', '/nacks', { eventIds, reason });
  }

  /** Only reads are cut short by the abort signal: an ack of what is on disk still goes out on the way down. */
  private async call<T>(method: string, path: string, body?: unknown, renewed = false, abortable = false): Promise<T> {
    const url = `${this.apiUrl.replace(/\/$/, '')}/distribution/${encodeURIComponent(this.consumer)}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${await this.token(renewed)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(this.signal && abortable ? { signal: this.signal } : {}),
      });
    } catch (error) {
      if (abortable && this.signal?.aborted) throw new TransientApiError('aborted');
      throw new TransientApiError(`${method} ${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const text = await response.text();
    // An expired minted token: mint a new one once.
    if (response.status === 401 && !renewed) return this.call<T>(method, path, body, true, abortable);
    if (response.status >= 500 || response.status === 429) throw new TransientApiError(`${method} ${url}: ${response.status} ${text.slice(0, 200)}`);
    if (!response.ok) throw new ApiError(response.status, `${method} ${url}: ${response.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
