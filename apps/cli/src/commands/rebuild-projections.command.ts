import { join } from 'node:path';
import type { Command } from 'commander';
import type { EventStore, ReadAllOptions, RecordedEvent } from '@nws/event-store';
import { READ_MODELS_FILE } from '@nws/event-store/create-event-store';
import { ALL_PROJECTIONS, ProjectionRunner, type ParkedProjectionEvent } from '@nws/read-models';
import { openCliContext } from '../cli-context';
import { ProgressBar, showProgress } from './progress-bar';

/** The store as the runner sees it, counting what the rebuild reads (the runner has no progress hook). */
function reportingReads(store: EventStore, onEvent: (position: number) => void): EventStore {
  return Object.assign(Object.create(store) as EventStore, {
    readAll: (options?: ReadAllOptions) =>
      (async function* (): AsyncIterable<RecordedEvent> {
        for await (const event of store.readAll(options)) {
          onEvent(event.position);
          yield event;
        }
      })(),
  });
}

export function registerRebuildProjectionsCommand(program: Command): void {
  program
    .command('rebuild-projections')
    .description('Drop the read models and rebuild them from position zero (refused, exit 75, while an API or worker serves DATA_DIR)')
    .option('--progress', 'show a progress bar on stderr even when it is not a terminal')
    .option('--no-progress', 'never show a progress bar')
    .action(async (flags: { progress?: boolean }) => {
      const ctx = await openCliContext(process.env, { exclusive: 'rebuild-projections' });
      const head = await ctx.store.headPosition();
      const bar = new ProgressBar('rebuild', showProgress(flags.progress));
      const runner = new ProjectionRunner(
        reportingReads(ctx.store, (position) => bar.update(position, head)),
        ALL_PROJECTIONS,
        { filename: join(ctx.config.dataDir, READ_MODELS_FILE) },
      );
      try {
        const result = await runner.rebuild();
        bar.finish();
        process.stdout.write(`rebuilt read models from ${result.events} events in ${result.seconds.toFixed(2)} s\n`);
        // Parked rows go with the tables and come back for events that still fail: say both.
        if (result.parkedBefore.length > 0 || result.parkedAfter.length > 0) {
          process.stdout.write(`parked before: ${describeParked(result.parkedBefore)}\nparked after: ${describeParked(result.parkedAfter)}\n`);
        }
      } finally {
        runner.close();
        await ctx.close();
      }
    });
}

function describeParked(parked: readonly ParkedProjectionEvent[]): string {
  if (parked.length === 0) return 'none';
  return parked.map((p) => `${p.projection}@${p.position} (${p.type}, ${p.reason})`).join(', ');
}
