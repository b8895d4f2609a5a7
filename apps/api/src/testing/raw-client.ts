import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * A client on a bare socket, so the test decides when it reads: HTTP libraries differ in whether
 * they read an early answer while still writing, and the ones that do not are the ones a reset hurts.
 */
export class RawClient {
  private received = Buffer.alloc(0);
  private ended = false;
  private failed: Error | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (error) => {
      this.failed = error;
      this.wake();
    });
    // A socket can close with neither (destroyed on this side): closed() must not wait for Jest's timeout then.
    socket.on('close', () => this.wake());
  }

  static open(url: string): Promise<RawClient> {
    const { port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** The socket's error (a reset, EPIPE), if it had one. */
  get failure(): Error | undefined {
    return this.failed;
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (error) => (error ? reject(error) : resolve())));
  }

  /** The next whole answer (status line, headers, a body of its Content-Length). */
  async answer(): Promise<RawAnswer> {
    for (;;) {
      const parsed = this.parseOne();
      if (parsed) return parsed;
      if (this.failed) throw this.failed;
      if (this.ended || this.socket.destroyed) throw new Error(`connection ended before a whole answer (${this.received.length} bytes received)`);
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  /** Resolves when the server has closed the connection (its end, or a reset). */
  async closed(): Promise<void> {
    while (!this.ended && !this.failed && !this.socket.destroyed) await new Promise<void>((resolve) => this.waiters.add(resolve));
  }

  private parseOne(): RawAnswer | undefined {
    const headEnd = this.received.indexOf('\r\n\r\n');
    if (headEnd < 0) return undefined;
    const [statusLine = '', ...lines] = this.received.subarray(0, headEnd).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (this.received.length < headEnd + 4 + length) return undefined;
    const body = this.received.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
    this.received = this.received.subarray(headEnd + 4 + length);
    return { status: Number(statusLine.split(' ')[1]), headers, body };
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }
}
