import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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
  override readonly name: string = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The API refused the token even freshly minted (401): signed with another secret, or a
 * DISTRIBUTOR_TOKEN it does not verify. No retry can help; main.ts names the setting.
 */
export class TokenRefusedError extends ApiError {
  override readonly name = 'TokenRefusedError';
}

/**
 * The distribution endpoints of the API, for one consumer, as a distributor.
 *
 * Over node:http(s) with keep-alive agents rather than fetch: a pull is on the path from an
 * approval to the file, and fetch cost 0.3 ms more CPU per request than node:http on the same
 * answer (measured on the 2-core VM of docs/benchmarks.md), twice per version (pull and ack).
 */
export class DistributionApiClient {
  /** Idle kept-alive sockets are unref'd by the agents: they never hold the process open. */
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  constructor(
    private readonly apiUrl: string,
    private readonly consumer: string,
    private readonly token: (renew: boolean) => Promise<string>,
    private readonly signal?: AbortSignal,
  ) {}

  /** The consumer's server-side checkpoint: everything after it is still owed. */
  async checkpoint(): Promise<number> {
    const status = await this.call<{ checkpoint: number }>('GET', this.consumerPath(''), undefined, false, true);
    return status.checkpoint;
  }

  /** With `waitMs`, the API holds an empty answer until an event comes (long polling). */
  pull(after: number, limit: number, waitMs = 0): Promise<PullPage> {
    return this.call<PullPage>('GET', this.consumerPath(`/events?after=${after}&limit=${limit}${waitMs > 0 ? `&waitMs=${waitMs}` : ''}`), undefined, false, true);
  }

  /** The consumer as registered: transport, event types, group, deliveries before parking. */
  status(): Promise<ConsumerSettings> {
    return this.call<ConsumerSettings>('GET', this.consumerPath(''), undefined, false, true);
  }

  /** esdb-persistent: the published view of the event EventStoreDB handed over, recording the delivery. */
  deliverAt(position: number, eventId: string): Promise<{ event: PublishedEvent; status: 'delivered' | 'acked' }> {
    return this.call('GET', this.consumerPath(`/events/${position}?eventId=${encodeURIComponent(eventId)}`));
  }

  async ack(eventIds: readonly string[]): Promise<void> {
    await this.call('POST', this.consumerPath('/acks'), { eventIds });
  }

  async nack(eventIds: readonly string[], reason: string): Promise<void> {
    await this.call('POST', this.consumerPath('/nacks'), { eventIds, reason });
  }

  /**
   * One master-data version as published now: after a 消去 or 利用停止 its people are withheld
   * (publishedContentHash), after the lifting of a 利用停止 shown again.
   */
  masterDataVersion(code: string, organ: string, version: number): Promise<Record<string, unknown>> {
    return this.call('GET', `/master-data/organizations/${encodeURIComponent(code)}/versions/${version}?organ=${encodeURIComponent(organ)}`, undefined, false, true);
  }

  private consumerPath(path: string): string {
    return `/distribution/${encodeURIComponent(this.consumer)}${path}`;
  }

  /** Only reads are cut short by the abort signal: an ack of what is on disk still goes out on the way down. */
  private async call<T>(method: string, path: string, body?: unknown, renewed = false, abortable = false): Promise<T> {
    const url = `${this.apiUrl.replace(/\/$/, '')}${path}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: `Bearer ${await this.token(renewed)}` };
    if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
    let response: { status: number; text: string };
    try {
      response = await this.send(url, { method, headers, ...(this.signal && abortable ? { signal: this.signal } : {}) }, payload);
    } catch (error) {
      if (abortable && this.signal?.aborted) throw new TransientApiError('aborted');
      throw new TransientApiError(`${method} ${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const { status, text } = response;
    // An expired minted token: mint a new one once.
    if (status === 401 && !renewed) return this.call<T>(method, path, body, true, abortable);
    if (status === 401) throw new TokenRefusedError(status, `${method} ${url}: ${status} ${text.slice(0, 500)}`);
    if (status >= 500 || status === 429) throw new TransientApiError(`${method} ${url}: ${status} ${text.slice(0, 200)}`);
    if (status < 200 || status >= 300) throw new ApiError(status, `${method} ${url}: ${status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** One request; resolves with the status and the whole body as text (UTF-8). */
  private send(url: string, options: RequestOptions, payload: string | undefined): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const secure = url.startsWith('https:');
      const answer = (incoming: IncomingMessage) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text }));
        incoming.on('error', reject);
      };
      const request: ClientRequest = secure ? httpsRequest(url, { ...options, agent: this.agents.https }, answer) : httpRequest(url, { ...options, agent: this.agents.http }, answer);
      request.on('error', reject);
      request.end(payload);
    });
  }
}
