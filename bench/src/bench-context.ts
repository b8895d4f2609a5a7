import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface BenchOptions {
  readonly quick: boolean;
  /** Every store lives here, on the disk the project is on (not a tmpfs), so fsync costs what it costs. */
  readonly workDir: string;
}

export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** Name of the raw baseline this line is compared with, and its value. */
  readonly baseline?: { readonly name: string; readonly value: number; readonly unit: string };
  /** The target as a ratio (≥) or an absolute bound. */
  readonly target?: string;
  readonly pass?: boolean;
  readonly note?: string;
}

export function benchOptions(argv: readonly string[]): BenchOptions {
  const root = resolve(__dirname, '../../..');
  const base = join(root, '.bench');
  mkdirSync(base, { recursive: true });
  return { quick: argv.includes('--quick'), workDir: mkdtempSync(join(base, 'run-')) };
}

export function freshDir(options: BenchOptions, name: string): string {
  const dir = join(options.workDir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs `fn` repeatedly for at least `seconds`, returns operations per second. */
export async function rate(seconds: number, fn: () => Promise<number> | number): Promise<number> {
  const started = process.hrtime.bigint();
  let operations = 0;
  let elapsed = 0;
  do {
    operations += await fn();
    elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  } while (elapsed < seconds);
  return operations / elapsed;
}

/** The middle value (upper middle for an even count). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
