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

export const BENCH_USAGE = `Usage: npm run bench [-- --quick]

Prints one table: every figure beside the raw limit it is compared with, measured in the same run
on the same disk (.bench/ in the project). The full run takes about 6 minutes and writes its
stores under .bench/, a 1,000,000-event one among them (removed at the end); --quick runs a small
version in under a minute.

  --quick     the small version
  -h, --help  this text
`;

/**
 * What the command line asks for. A typo (--quik) or --help started the full run, minutes long,
 * writing hundreds of MB: refused with the usage instead, as the servers refuse arguments.
 */
export function parseBenchArguments(argv: readonly string[]): { readonly quick: boolean } | { readonly help: true } | { readonly refused: string } {
  if (argv.some((arg) => arg === '--help' || arg === '-h')) return { help: true };
  const unknown = argv.filter((arg) => arg !== '--quick');
  if (unknown.length > 0) return { refused: `unknown argument${unknown.length > 1 ? 's' : ''}: ${unknown.join(' ')}` };
  return { quick: argv.includes('--quick') };
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

/**
 * Where the true p-th percentile lies, with ~95 % confidence (z = 1.96), from the samples alone:
 * the number of samples below it is Binomial(n, p), so it lies between the order statistics at
 * ranks n·p ∓ z·√(n·p·(1−p)) (normal approximation, widened to whole ranks). No assumption about
 * the latency's distribution, which has a long tail here. With 300 samples the p99's upper end is
 * the slowest sample; with 1,000 it is the 3rd slowest.
 */
export function percentileInterval(sorted: readonly number[], p: number, z = 1.96): { readonly low: number; readonly high: number } {
  const n = sorted.length;
  if (n === 0) return { low: Number.NaN, high: Number.NaN };
  const q = p / 100;
  const half = z * Math.sqrt(n * q * (1 - q));
  return {
    low: sorted[Math.max(0, Math.floor(n * q - half))]!,
    high: sorted[Math.min(n - 1, Math.ceil(n * q + half))]!,
  };
}
