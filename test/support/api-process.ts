import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { mintToken } from '@nws/auth';
import type { Actor } from '@nws/engine';
import { httpRequest, type ApiClient, type RequestOptions, type TestResponse } from '../../apps/api/src/testing/http-client';

/**
 * How users run the API (`npm start`, the Dockerfile's NODE_OPTIONS): a heap cap, without which
 * V8 grows the heap with the garbage of a large catch-up instead of collecting it. Tests and the
 * benchmark run it the same way; test/docker-compose.spec.ts keeps the three in step.
 */
export const API_NODE_ARGS: readonly string[] = ['--max-old-space-size=256'];

export const PROCESS_SECRET = 'child-process-secret-'.padEnd(48, 'x');
const SETTINGS = { secret: new TextEncoder().encode(PROCESS_SECRET), issuer: 'nws-connection-workflow', audience: 'nws-connection-workflow' };
const ROOT = resolve(__dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

export interface ApiProcessOptions {
  readonly dataDir: string;
  /**
   * `source` runs apps/api/src/main.ts through test/support/register-ts.js (tests: no build step);
   * `dist` runs the compiled entry next to this file's compiled copy (the bench, as users run it).
   */
  readonly mode: 'source' | 'dist';
  /** Keep the same port across restarts so clients keep one URL. Default: a free port. */
  readonly port?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly readyTimeoutMs?: number;
  /** Extra node flags for the child (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  readonly nodeArgs?: readonly string[];
  /** Where the child's stderr goes; stdout is dropped (it only prints the banner). */
  readonly stderr?: 'inherit' | 'ignore';
}

/** The API in its own OS process, so it can be measured apart from its client or killed with SIGKILL. */
export class ApiProcess implements ApiClient {
  private constructor(
    private child: ChildProcess,
    readonly url: string,
    readonly port: number,
    private readonly options: ApiProcessOptions,
  ) {}

  static async start(options: ApiProcessOptions): Promise<ApiProcess> {
    const port = options.port ?? (await freePort());
    const api = new ApiProcess(ApiProcess.spawn(options, port), `http://127.0.0.1:${port}`, port, options);
    await api.ready(options.readyTimeoutMs ?? 600_000);
    return api;
  }

  private static spawn(options: ApiProcessOptions, port: number): ChildProcess {
    const entry =
      options.mode === 'source'
        ? ['-r', join(ROOT, 'test/support/register-ts.js'), join(ROOT, 'apps/api/src/main.ts')]
        : [resolve(__dirname, '../../apps/api/src/main.js')];
    const args = [...API_NODE_ARGS, ...(options.nodeArgs ?? []), ...entry];
    return spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: options.dataDir,
        JWT_SECRET: PROCESS_SECRET,
        NODE_ENV: 'production',
        RATE_LIMIT: 'off',
        ...options.env,
      },
      stdio: ['ignore', 'ignore', options.stderr ?? 'inherit'],
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Listening and projections caught up with the store. */
  private async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`API exited with ${this.child.exitCode ?? this.child.signalCode}`);
      try {
        // Bounded: something else on the port may accept and never answer, and the exit must still be seen.
        const health = (await (await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2_000) })).json()) as { projections?: { lagEvents?: number } };
        if (health.projections?.lagEvents === 0) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('API did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  token(actor: Actor): Promise<string> {
    return mintToken(actor, SETTINGS);
  }

  request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse<T>> {
    return httpRequest<T>(this.url, method, path, options);
  }

  /** Resident set size now and at its peak (kB → MB), from /proc. */
  memory(): { rssMb: number; peakMb: number } {
    const status = readFileSync(join('/proc', String(this.child.pid), 'status'), 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  }

  /**
   * CPU time the process has used so far, user and system (ms): all its threads, and its main
   * thread (the event loop) alone. Undefined where there is no /proc (not Linux).
   */
  cpuTime(): { allMs: number; mainMs: number } | undefined {
    const dir = join('/proc', String(this.child.pid));
    try {
      return { allMs: cpuTicks(readFileSync(join(dir, 'stat'), 'utf8')) * MS_PER_TICK, mainMs: cpuTicks(readFileSync(join(dir, 'task', String(this.child.pid), 'stat'), 'utf8')) * MS_PER_TICK };
    } catch {
      return undefined;
    }
  }

  /**
   * Sends a signal and waits for the process to be gone (SIGKILL: no shutdown hook runs); answers
   * how it ended, or undefined when it had already.
   */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    if (!this.running) return undefined;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => this.child.once('exit', (code, sig) => r({ code, signal: sig })));
    this.child.kill(signal);
    return exited;
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  /** Starts a new process on the same port and data directory once the old one is gone. */
  async restart(): Promise<void> {
    await this.kill('SIGKILL');
    this.child = ApiProcess.spawn(this.options, this.port);
    await this.ready(this.options.readyTimeoutMs ?? 600_000);
  }
}

/** /proc reports CPU time in USER_HZ ticks, 100 a second on every Linux (its ABI, whatever the kernel's HZ). */
const MS_PER_TICK = 10;

/** utime + stime of a /proc/<pid>/stat line (fields 14 and 15; the command name may contain spaces). */
function cpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
