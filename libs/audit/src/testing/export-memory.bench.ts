/**
 * Bench, not part of `npm test` (the name does not match the test pattern): exports N events
 * (default 100,000) from a sealed SQLite store to JSON Lines, verifies the file offline, and
 * samples the heap after forced collections all along; asserts it stays flat. Run with
 *
 *   BENCH_EVENTS=100000 npx jest --testRegex 'export-memory\.bench\.ts$' libs/audit
 *
 * The numbers go to stdout (and into the README section "Audit").
 */
import { createWriteStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { exportEvents } from '../export/event-exporter';
import { verifyExportFile } from '../export/export-file-verifier';
import { Sealer } from '../integrity/sealer';
import { WITNESS_FILE, WitnessFile } from '../integrity/witness-file';
import { seedStore, tempStore } from './seed-store';

const N = Number(process.env['BENCH_EVENTS'] ?? 100_000);
const MB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapSampler() {
  const samples: number[] = [];
  return {
    samples,
    sample() {
      gc();
      samples.push(process.memoryUsage().heapUsed);
    },
    /** Spread and growth after the first fifth (warm-up: code paths compiled, pages allocated). */
    stats() {
      const steady = samples.slice(Math.floor(samples.length / 5));
      return {
        count: samples.length,
        minMB: Math.min(...steady) / MB,
        maxMB: Math.max(...steady) / MB,
        growthMB: ((steady.at(-1) ?? 0) - (steady[0] ?? 0)) / MB,
      };
    },
  };
}

describe(`bench: export and offline verification of ${N.toLocaleString('en')} events in constant memory`, () => {
  it('keeps the heap flat', async () => {
    const temp = tempStore('nws-bench-export-');
    try {
      const store = temp.open();
      const witness = new WitnessFile(join(temp.dir, WITNESS_FILE));
      const sealer = new Sealer(store, { witness });
      await sealer.start();
      let started = Date.now();
      await seedStore(store, { events: N, payloadChars: 300 });
      await sealer.stop({ flush: true });
      const seedSeconds = (Date.now() - started) / 1000;

      const file = join(temp.dir, 'store.jsonl');
      const exporting = heapSampler();
      exporting.sample();
      const baseline = exporting.samples[0]!;
      started = Date.now();
      const out = createWriteStream(file);
      const summary = await exportEvents(store, out, {
        format: 'jsonl',
        witness,
        eventStoreKind: 'sqlite',
        onProgress: (done) => done % 5000 === 0 && exporting.sample(),
      });
      out.end();
      await finished(out);
      const exportSeconds = (Date.now() - started) / 1000;

      const verifying = heapSampler();
      let chunks = 0;
      started = Date.now();
      const report = await verifyExportFile(file, { witness, onProgress: () => ++chunks % 100 === 0 && verifying.sample() });
      const verifySeconds = (Date.now() - started) / 1000;
      await store.close();

      const size = statSync(file).size / MB;
      const e = exporting.stats();
      const v = verifying.stats();
      const rows = [
        ['events exported', summary.events.toLocaleString('en')],
        ['file size', `${size.toFixed(1)} MB`],
        ['seed (with sealer)', `${seedSeconds.toFixed(1)} s`],
        ['export', `${exportSeconds.toFixed(1)} s (${Math.round(summary.events / exportSeconds).toLocaleString('en')} events/s)`],
        ['verify --file', `${verifySeconds.toFixed(1)} s, ${report.sealsChecked} seals, valid=${report.valid}`],
        ['heap before export', `${(baseline / MB).toFixed(1)} MB`],
        ['heap during export', `${e.minMB.toFixed(1)}–${e.maxMB.toFixed(1)} MB over ${e.count} samples, growth ${e.growthMB.toFixed(2)} MB`],
        ['heap during verify', `${v.minMB.toFixed(1)}–${v.maxMB.toFixed(1)} MB over ${v.count} samples, growth ${v.growthMB.toFixed(2)} MB`],
        ['rss at end', `${(process.memoryUsage().rss / MB).toFixed(0)} MB`],
      ];
      process.stdout.write(`\n${rows.map(([k, val]) => `  ${k!.padEnd(20)} ${val}`).join('\n')}\n\n`);

      expect(report.valid).toBe(true);
      expect(summary.events).toBeGreaterThanOrEqual(N);
      // Flat: the file is over a hundred MB; the heap moves by a few MB at most and does not grow.
      for (const stats of [e, v]) {
        expect(stats.maxMB - stats.minMB).toBeLessThan(16);
        expect(Math.abs(stats.growthMB)).toBeLessThan(8);
      }
    } finally {
      temp.remove();
    }
  }, 600_000);
});
