import { filter, firstValueFrom } from 'rxjs';
import type { Actor } from '@nws/engine';
import { connectionApplicationForms } from '@nws/workflows/connection-application';
import { freshDir, percentile, type BenchOptions } from './bench-context';
import { openEngine } from './engine.bench';

/**
 * Second approval → the master-data version on a live subscription (what a distribution consumer
 * reads), in-process on the embedded store.
 */
export async function approvalToSubscriptionLatency(options: BenchOptions) {
  const { store, engine } = openEngine(freshDir(options, 'latency'));
  let n = 0;
  const meta = (actor: Actor) => ({ actor, now: new Date().toISOString(), commandId: `l-${n++}`, correlationId: 'l' });
  const applicant: Actor = { sub: 'a', org: '132012', role: 'applicant' };
  const samples: number[] = [];
  const count = options.quick ? 50 : 300;
  for (let i = 0; i < count; i++) {
    // The body's first application registers it (登録); each later one changes it (変更), with the same forms.
    const { id } = await engine.create('connection-application', { organizationCode: '132012', category: i === 0 ? '登録' : '変更' }, meta(applicant));
    for (const code of ['02-01', '02-02', '02-06']) {
      await engine.execute(id, 'save-form', { formCode: code, form: connectionApplicationForms.get(code)!.example }, meta(applicant), { internal: true });
    }
    await engine.execute(id, 'submit', {}, meta(applicant));
    await engine.execute(id, 'approve', {}, meta({ sub: 't', org: '130001', role: 'first-reviewer', name: '東京 太郎', department: 'デジタルサービス局' }));
    const head = await store.headPosition();
    const seen = firstValueFrom(store.subscribeToAll({ after: head }).pipe(filter((e) => e.type === 'MasterDataVersionRegistered' && e.data['applicationId'] === id)));
    const started = process.hrtime.bigint();
    const approving = engine.execute(id, 'approve', {}, meta({ sub: 'm', org: 'MIC', role: 'second-reviewer', name: '総務 花子', department: '住民制度課' }));
    await seen;
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    await approving;
  }
  await store.close();
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}
