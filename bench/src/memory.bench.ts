import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDir, type BenchOptions } from './bench-context';
import { ApiProcess } from '../../test/support/api-process';
import { generateStore } from './dataset';

/** The API's resident memory with a large store: startup catch-up of projections included. */
export async function apiMemoryWithStoredEvents(options: BenchOptions, total: number, existing?: string) {
  const dir = freshDir(options, 'memory');
  // A store generated for another line (closed, checkpointed) is copied rather than generated again.
  if (existing) copyFileSync(existing, join(dir, 'events.sqlite'));
  else await generateStore(dir, total);
  const started = Date.now();
  const api = await ApiProcess.start({ dataDir: dir, mode: 'dist' });
  const readySeconds = (Date.now() - started) / 1000;
  try {
    const auditor = await api.token({ sub: 'a', org: 'MIC', role: 'auditor' });
    const headers = { authorization: `Bearer ${auditor}` };
    for (let i = 0; i < 50; i++) {
      await (await fetch(`${api.url}/applications?limit=100&offset=${i * 100}`, { headers })).text();
      await (await fetch(`${api.url}/review-queue?stage=first`, { headers })).text();
    }
    return { ...api.memory(), readySeconds, dir };
  } finally {
    await api.stop();
  }
}
