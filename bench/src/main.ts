import { rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { benchOptions, type BenchResult } from './bench-context';
import { engineTransitions } from './engine.bench';
import { rawSqliteBaselines } from './raw-sqlite.bench';
import { printTable } from './report';

async function main(): Promise<void> {
  const options = benchOptions(process.argv.slice(2));
  const results: BenchResult[] = [];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`bench (${options.quick ? 'quick' : 'full'}) in ${options.workDir} on ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

  log('raw SQLite baselines…');
  const raw = await rawSqliteBaselines(options);
  const baseline = { name: 'raw SQLite, 1 event/tx, synchronous=FULL', value: raw.onePerTx, unit: 'events/s' };
  results.push({ name: baseline.name, value: raw.onePerTx, unit: 'events/s', note: 'baseline' });
  results.push({ name: 'raw SQLite, 100 events/tx', value: raw.hundredPerTx, unit: 'events/s', note: 'upper bound' });

  log('engine in-process…');
  const engine = await engineTransitions(options);
  results.push({ name: 'engine durable transitions (256 in flight)', value: engine.perSecond, unit: 'transitions/s', baseline, target: '≥ 2×', pass: engine.perSecond >= 2 * raw.onePerTx, note: `${engine.averageBatch.toFixed(1)} appends per fsync` });

  printTable(results);
  rmSync(options.workDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
