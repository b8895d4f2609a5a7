import { join } from 'node:path';
import { ChainedEventStore } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { WorkflowEngine, WorkflowRegistry, type Actor, type CommandMetadata } from '@nws/engine';
import { ALL_WORKFLOWS } from '@nws/workflows';
import { connectionApplicationForms } from '@nws/workflows/connection-application';
import { freshDir, median, type BenchOptions } from './bench-context';
import type { RawOnePerTx } from './raw-sqlite.bench';

const applicant: Actor = { sub: 'bench', org: '132012', role: 'applicant' };
let n = 0;
// Each command has an id of its own, as the API gives a request without an Idempotency-Key.
const meta = (actor: Actor): CommandMetadata => ({ actor, now: new Date().toISOString(), commandId: `bench-${process.pid}-${n++}`, correlationId: 'bench', freshCommandId: true });

export function openEngine(dir: string) {
  const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
  return { store, engine: new WorkflowEngine(new ChainedEventStore(store), new WorkflowRegistry(ALL_WORKFLOWS)) };
}

/**
 * Durable transitions per second through the engine in-process: `inFlight` applications each
 * saving forms in a loop (one event per command, each acknowledged only after its fsync), after
 * a warm-up of the same load (1 s quick, 2 s full). Measured in rounds that alternate with the
 * raw baseline (3 × 0.5 s raw + 1 s engine quick, 5 × 1 s + 2 s full); each figure is the median
 * of its rounds, so both come from the same minutes of the machine. `dir` may hold a store
 * already (the 10× line runs on the memory line's store).
 */
export async function engineTransitions(options: BenchOptions, raw: RawOnePerTx, dir = freshDir(options, 'engine'), inFlight = 256) {
  const { store, engine } = openEngine(dir);
  const storedBefore = await store.headPosition();
  const ids: string[] = [];
  for (let i = 0; i < inFlight; i++) ids.push((await engine.create('connection-application', { organizationCode: '132012', category: '登録' }, meta(applicant))).id);
  // Each application is its own body's draft with its own filler's number, saved again and again
  // (the phone check remembers numbers it has looked up: one shared number would flatter it).
  const example = connectionApplicationForms.get('02-01')!.example as { filler: Record<string, unknown> };
  const forms = new Map(ids.map((id, i) => [id, { ...example, filler: { ...example.filler, phone: `042-626-${String(3000 + i).padStart(4, '0')}` } }]));
  const run = async (seconds: number) => {
    const deadline = Date.now() + seconds * 1000;
    let done = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      ids.map(async (id) => {
        while (Date.now() < deadline) {
          await engine.execute(id, 'save-form', { formCode: '02-01', form: forms.get(id)! }, meta(applicant), { internal: true });
          done += 1;
        }
      }),
    );
    return done / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  // Same load, not counted: the JIT and the caches reach their steady state first.
  await run(options.quick ? 1 : 2);
  const before = store.groupCommitStats;
  const rounds = { engine: [] as number[], raw: [] as number[] };
  for (let round = 0; round < (options.quick ? 3 : 5); round++) {
    rounds.raw.push(await raw.measure(options.quick ? 0.5 : 1));
    rounds.engine.push(await run(options.quick ? 1 : 2));
  }
  const after = store.groupCommitStats;
  const storedAfter = await store.headPosition();
  await store.close();
  return {
    perSecond: median(rounds.engine),
    raw: median(rounds.raw),
    rounds,
    averageBatch: (after.appends - before.appends) / Math.max(1, after.commits - before.commits),
    storedBefore,
    storedAfter,
  };
}
