import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainedEventStore, type RecordedEvent } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { WorkflowEngine, WorkflowRegistry, type Actor, type CommandMetadata, type WorkflowDefinition } from '@nws/engine';
import { ALL_PROJECTIONS, ProjectionRunner } from '@nws/read-models';
import type { RuntimeConfig } from '@nws/runtime';
import { connectionApplicationV1 } from '@nws/workflows/connection-application';
import { driveApplication } from '@nws/workflows/connection-application/testing/engine-driver';
import { micReviewer } from '@nws/workflows/connection-application/testing/fixtures';
import { EngineMetrics } from '../metrics/metrics.registry';
import { ProjectionsHost } from './projections.host';

let clock = 0;
const meta = (actor: Actor, commandId: string): CommandMetadata => ({ actor, commandId, correlationId: 'c', now: new Date(Date.UTC(2026, 10, 20) + ++clock * 1000).toISOString() });

describe('the reactor in the API process (ProjectionsHost)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given a master-data registration that always fails, then the reactor tries it 5 times, counts each failure and its giving up in /metrics, and moves its checkpoint on', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nws-reactor-'));
    let runs = 0;
    const failing: WorkflowDefinition = {
      ...connectionApplicationV1,
      reactions: [
        {
          ...connectionApplicationV1.reactions![0]!,
          handle: async () => {
            runs += 1;
            throw new Error('could not register master data of 132012 (市町村長部局): too much contention');
          },
        },
      ],
    };
    const metrics = new EngineMetrics();
    const store = new ChainedEventStore(new SqliteEventStore({ filename: join(dir, 'events.sqlite') }));
    const engine = new WorkflowEngine(store, new WorkflowRegistry([failing]), {
      onReactionError: (_error, event) => metrics.reactionFailures.inc({ event_type: event.type, outcome: 'failed-attempt' }),
    });
    const runner = new ProjectionRunner(store, ALL_PROJECTIONS, { filename: join(dir, 'read-models.sqlite') });
    const host = new ProjectionsHost(runner, store, engine, { role: 'all', dataDir: dir } as RuntimeConfig, metrics);
    host.onApplicationBootstrap();

    const id = await driveApplication(engine, meta);
    // The command's own run fails; the approval is recorded all the same.
    expect((await engine.execute(id, 'approve', {}, meta(micReviewer, 'second'))).state).toBe('approved');
    let approval: RecordedEvent | undefined;
    for await (const event of store.readStream(`application-${id}`)) if (event.type === 'SecondReviewApproved') approval = event;

    const readModels = new Database(join(dir, 'read-models.sqlite'), { readonly: true });
    const checkpoint = () => (readModels.prepare("SELECT position FROM reactor_checkpoints WHERE name = 'reactor'").get() as { position: number } | undefined)?.position ?? 0;
    const deadline = Date.now() + 15_000;
    while (checkpoint() < approval!.position && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    expect(checkpoint()).toBe(approval!.position);
    // 1 inline run + 5 by the reactor (0.2 + 0.4 + 0.8 + 1.6 s apart).
    expect(runs).toBe(6);
    const exported = await metrics.registry.getSingleMetricAsString('nws_reaction_failures_total');
    expect(exported).toMatch(/^nws_reaction_failures_total\{event_type="SecondReviewApproved",outcome="failed-attempt"\} 6$/m);
    expect(exported).toMatch(/^nws_reaction_failures_total\{event_type="SecondReviewApproved",outcome="gave-up"\} 1$/m);
    readModels.close();
    await host.onApplicationShutdown();
  }, 30_000);
});
