export interface SseMessage {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  /** Comment lines (`: …`), e.g. heartbeats. */
  readonly comments: string[];
}

/** A minimal Server-Sent Events reader over fetch, for tests: collects messages, waits for one. */
export class SseClient {
  readonly messages: SseMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private ended = false;

  private constructor(
    readonly status: number,
    readonly headers: Headers,
    private readonly abort: AbortController,
  ) {}

  static async connect(url: string, token: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const client = new SseClient(response.status, response.headers, abort);
    if (response.ok && response.body) void client.pump(response.body);
    else client.ended = true;
    return client;
  }

  /** The server ended the stream (or close() was called). */
  get done(): boolean {
    return this.ended;
  }

  /** Data messages, parsed as JSON. */
  get events(): Array<{ id?: string; event?: string; data: any }> {
    return this.messages.filter((m) => m.data !== undefined).map((m) => ({ ...(m.id ? { id: m.id } : {}), ...(m.event ? { event: m.event } : {}), data: JSON.parse(m.data!) }));
  }

  async waitFor(predicate: (client: SseClient) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (this.ended) throw new Error(`stream ended; got ${JSON.stringify(this.messages)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.abort.abort();
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.messages.push(parse(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
        }
        this.notify();
      }
    } catch {
      // aborted by close()
    } finally {
      this.ended = true;
      this.notify();
    }
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }
}

function parse(block: string): SseMessage {
  const message: { id?: string; event?: string; data?: string; comments: string[] } = { comments: [] };
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) message.comments.push(line.slice(1).trim());
    else if (line.startsWith('id: ')) message.id = line.slice(4);
    else if (line.startsWith('event: ')) message.event = line.slice(7);
    else if (line.startsWith('data: ')) message.data = message.data === undefined ? line.slice(6) : `${message.data}\n${line.slice(6)}`;
  }
  return message;
}
