import autocannon from 'autocannon';
import { connectionApplicationForms } from '@nws/workflows/connection-application';
import { freshDir, type BenchOptions } from './bench-context';
import type { RawOnePerTx } from './raw-sqlite.bench';
import { ApiProcess } from '../../test/support/api-process';

const applicant = { sub: 'bench', org: '132012', role: 'applicant' as const };

/**
 * Durable transitions per second through HTTP at a fixed concurrency: autocannon saves forms on
 * many drafts (one event, one group-committed fsync, per 200 response), after a warm-up of the
 * same load (1 s quick, 2 s full). The raw baseline is measured just before and just after the
 * load (its mean is the line's baseline): autocannon's connections start up over a second or two
 * under saturation, so short alternating rounds would measure start-ups rather than throughput.
 */
export async function httpTransitions(options: BenchOptions, raw: RawOnePerTx, connections = 64) {
  const api = await ApiProcess.start({ dataDir: freshDir(options, 'http'), mode: 'dist' });
  try {
    const token = await api.token(applicant);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const ids: string[] = [];
    for (let i = 0; i < connections * 2; i++) {
      const response = await fetch(`${api.url}/applications`, { method: 'POST', headers, body: JSON.stringify({ workflow: 'connection-application', organizationCode: '132012', category: '登録' }) });
      ids.push(((await response.json()) as { id: string }).id);
    }
    const body = JSON.stringify(connectionApplicationForms.get('02-06')!.example);
    let next = 0;
    const load = (duration: number) =>
      autocannon({
        url: api.url,
        connections,
        duration,
        requests: [{ method: 'PUT', headers, body, setupRequest: (request) => ({ ...request, path: `/applications/${ids[next++ % ids.length]}/forms/02-06` }) }],
      });
    // Same load, not counted: the API's JIT and caches reach their steady state first.
    await load(options.quick ? 1 : 2);
    const rawBefore = await raw.measure(options.quick ? 1 : 2);
    const apiBefore = api.cpuTime();
    const clientBefore = process.cpuUsage();
    const result = await load(options.quick ? 3 : 10);
    const client = process.cpuUsage(clientBefore);
    const apiAfter = api.cpuTime();
    const rawAfter = await raw.measure(options.quick ? 1 : 2);
    const ok = result['2xx'];
    // What one save cost in CPU, so the line says whether the machine's cores could reach the raw
    // rate at all: at R saves/s, N cores give N / R seconds of CPU per save, to the API and the
    // load generator together.
    const cpuPerSaveMs =
      apiBefore && apiAfter && ok > 0
        ? { apiMain: (apiAfter.mainMs - apiBefore.mainMs) / ok, apiAll: (apiAfter.allMs - apiBefore.allMs) / ok, client: (client.user + client.system) / 1000 / ok }
        : undefined;
    return { perSecond: ok / (result.duration || 1), non2xx: result.non2xx, p99Ms: result.latency.p99, raw: (rawBefore + rawAfter) / 2, rawBefore, rawAfter, cpuPerSaveMs };
  } finally {
    await api.stop();
  }
}
