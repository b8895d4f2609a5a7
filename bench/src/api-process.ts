import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { mintToken } from '@nws/auth';
import type { Actor } from '@nws/engine';

export const BENCH_SECRET = 'bench-secret-'.padEnd(48, 'x');
const SETTINGS = { secret: new TextEncoder().encode(BENCH_SECRET), issuer: 'nws-connection-workflow', audience: 'nws-connection-workflow' };

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

/** The API as users run it (compiled, its own process), so load and memory are measured apart from the bench. */
export class ApiProcess {
  private constructor(readonly child: ChildProcess, readonly url: string) {}

  static async start(dataDir: string, readyTimeoutMs = 600_000): Promise<ApiProcess> {
    const port = await freePort();
    const entry = resolve(__dirname, '../../apps/api/src/main.js');
    const child = spawn(process.execPath, [entry], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: BENCH_SECRET, NODE_ENV: 'production', RATE_LIMIT: 'off' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const api = new ApiProcess(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}`);
      try {
        const health = (await (await fetch(`${api.url}/health`)).json()) as { projections: { lagEvents: number } };
        if (health.projections.lagEvents === 0) return api;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('API did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  token(actor: Actor): Promise<string> {
    return mintToken(actor, SETTINGS);
  }

  /** Resident set size now and at its peak (kB → MB), from /proc. */
  memory(): { rssMb: number; peakMb: number } {
    const status = readFileSync(join('/proc', String(this.child.pid), 'status'), 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
