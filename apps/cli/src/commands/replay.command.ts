import { InvalidArgumentError, type Command } from 'commander';
import { historyPrefix, type Actor } from '@nws/engine';
import { existingApplicationId } from '../application-ref';
import { openCliContext } from '../cli-context';
import { instantWithOffset } from '../time-arguments';
import { disclosedApplicationEvents, requirePurpose, withPurpose, type PurposeFlags } from '../cli-disclosure';

/** Replays are shown as an auditor sees them: everything readable, no actions offered. */
const AUDITOR: Actor = { sub: 'cli', org: 'MIC', role: 'auditor' };

/** Digits only: Number() also took '' (0), '1e1' and '0x5'. */
export const nonNegativeInt = (value: string): number => {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError(`${JSON.stringify(value)}: 0 以上の整数で指定してください / must be a whole number, 0 or more`);
  return Number(value);
};

export function registerReplayCommand(program: Command): void {
  withPurpose(program.command('replay <application>'))
    .description('Fold the events of an application (its id or 申請番号; optionally up to a revision or time) and print its state, personal data decrypted (needs --purpose)')
    .option('--as-of-revision <n>', 'fold events up to this revision', nonNegativeInt)
    .option('--as-of <iso>', 'fold events that occurred at or before this time (with its offset: 2026-11-20T09:00:00+09:00)', instantWithOffset)
    .action(async (ref: string, options: PurposeFlags & { asOfRevision?: number; asOf?: string }) => {
      requirePurpose(options, 'the replayed application');
      const ctx = await openCliContext(process.env, { readsOnly: true });
      try {
        const id = await existingApplicationId(ctx.store, ref);
        const prefix = {
          ...(options.asOfRevision !== undefined ? { toRevision: options.asOfRevision } : {}),
          ...(options.asOf !== undefined ? { asOf: options.asOf } : {}),
        };
        // Read once as stored: the part folded is the part logged, then decrypted and folded.
        const events = await disclosedApplicationEvents(ctx, 'nws replay', options, id, (stored) => historyPrefix(stored, prefix));
        const folded = ctx.engine.fold(id, events);
        process.stdout.write(`${JSON.stringify(await ctx.engine.view(folded, AUDITOR), null, 2)}\n`);
      } finally {
        await ctx.close();
      }
    });
}
