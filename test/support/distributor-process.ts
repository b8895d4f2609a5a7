import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export interface DistributorProcessOptions {
  /**
   * `source` runs apps/distributor/src/main.ts through test/support/register-ts.js (tests: no
   * build step); `dist` runs the compiled entry next to this file's compiled copy (the bench).
   */
  readonly mode: 'source' | 'dist';
  /** API_URL, DISTRIBUTOR_TOKEN, CONSUMER, OUTPUT_DIR, … (see apps/distributor/src/distributor.options.ts). */
  readonly env: NodeJS.ProcessEnv;
  /** Each line the distributor prints (stdout and stderr), as it prints it. */
  readonly onLine?: (line: string) => void;
}

export interface DistributorExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * The reference distributor (apps/distributor) in its own OS process, as operators run it, so a
 * test can kill it with SIGKILL at any moment — no shutdown hook, no flush, nothing in memory
 * survives — and start it again on the same output directory.
 */
export class DistributorProcess {
  private child: ChildProcess;
  private exited: Promise<DistributorExit>;
  /** Every line printed by every run so far, in order. */
  readonly lines: string[] = [];
  /** The lines of the current run only. */
  private runLines: string[] = [];
  starts = 0;

  private constructor(private readonly options: DistributorProcessOptions) {
    [this.child, this.exited] = this.spawn();
  }

  static start(options: DistributorProcessOptions): DistributorProcess {
    return new DistributorProcess(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the current run has printed a line matching `pattern` (e.g. its start-up line). */
  async printed(pattern: RegExp): Promise<void> {
    while (!this.runLines.some((line) => pattern.test(line))) {
      if (!this.running) throw new Error(`the distributor ended (${this.child.exitCode ?? this.child.signalCode}) before printing ${pattern}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Resolves when the current run has ended, with how it ended. */
  exit(): Promise<DistributorExit> {
    return this.exited;
  }

  /** Sends a signal to the current run and waits for it to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<DistributorExit> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  /** A new run on the same environment (output directory, consumer), with `env` on top for this run only; the previous run must have ended. */
  restart(env: NodeJS.ProcessEnv = {}): void {
    if (this.running) throw new Error('the distributor is still running');
    [this.child, this.exited] = this.spawn(env);
  }

  private spawn(env: NodeJS.ProcessEnv = {}): [ChildProcess, Promise<DistributorExit>] {
    this.starts += 1;
    const runLines: string[] = [];
    this.runLines = runLines;
    const args =
      this.options.mode === 'source'
        ? ['-r', join(ROOT, 'test/support/register-ts.js'), join(ROOT, 'apps/distributor/src/main.ts')]
        : [resolve(__dirname, '../../apps/distributor/src/main.js')];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production', ...this.options.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<DistributorExit>((resolveExit) => child.once('close', (code, signal) => resolveExit({ code, signal })));
    for (const stream of [child.stdout!, child.stderr!]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) {
          this.lines.push(line);
          runLines.push(line);
          this.options.onLine?.(line);
        }
      });
    }
    return [child, exited];
  }
}
