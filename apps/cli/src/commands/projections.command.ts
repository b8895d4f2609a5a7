import { InvalidArgumentError, Option, type Command } from 'commander';
import { ALL_PROJECTIONS, ParkedEventNotFoundError } from '@nws/read-models';
import { openCliContext } from '../cli-context';
import { EXIT } from './exit-codes';

function position(raw: string): number {
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw new InvalidArgumentError('must be a positive integer (a global position)');
  return Number(raw);
}

const projectionOption = (description: string) => new Option('--projection <name>', description).choices(ALL_PROJECTIONS.map((p) => p.name));

/**
 * `parked-projections` lists the events a projection parked; `replay-parked <position>` applies
 * one again after the projection was fixed (with the events of its stream held behind it). The
 * same as GET /projections/parked and POST /projections/parked/{position}/replay; a running API
 * sees the change at its next batch.
 */
export function registerProjectionsCommands(program: Command): void {
  program
    .command('parked-projections')
    .description('List events a projection parked (JSON Lines): failed ones and those held behind them')
    // A misspelt name listed nothing and exited 0, as if nothing were parked.
    .addOption(projectionOption('only this projection'))
    .action(async (flags: { projection?: string }) => {
      const ctx = await openCliContext();
      try {
        for (const parked of ctx.projections().parked({ ...(flags.projection ? { projection: flags.projection } : {}), limit: Number.MAX_SAFE_INTEGER })) {
          process.stdout.write(`${JSON.stringify(parked)}\n`);
        }
      } finally {
        await ctx.close();
      }
    });

  program
    .command('replay-parked')
    .description('Apply a parked event again (after fixing the projection); exit 1 if it fails again, 3 if nothing is parked there')
    .argument('<position>', 'global position of the parked event', position)
    .addOption(projectionOption('only for this projection'))
    .action(async (at: number, flags: { projection?: string }) => {
      const ctx = await openCliContext();
      try {
        const results = await ctx.projections().replayParked(at, flags.projection ? { projection: flags.projection } : {});
        for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
        if (results.some((r) => r.failed)) process.exitCode = EXIT.failure;
      } catch (error) {
        if (!(error instanceof ParkedEventNotFoundError)) throw error;
        const projection = error.projection === undefined ? '' : `（プロジェクション ${error.projection}）`;
        process.stderr.write(`位置 ${error.position} に保留（parked）中のイベントはありません${projection} / ${error.message}\n`);
        process.exitCode = EXIT.notFound;
      } finally {
        await ctx.close();
      }
    });
}
