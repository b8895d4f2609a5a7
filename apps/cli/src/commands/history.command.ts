import type { Command } from 'commander';
import { existingApplicationId } from '../application-ref';
import { openCliContext } from '../cli-context';
import { disclosedApplicationEvents, requirePurpose, withPurpose, type PurposeFlags } from '../cli-disclosure';

export function registerHistoryCommand(program: Command): void {
  withPurpose(program.command('history <application>'))
    .description('Print every event of an application (its id or 申請番号) as JSON Lines, personal data decrypted (needs --purpose)')
    .action(async (ref: string, flags: PurposeFlags) => {
      requirePurpose(flags, 'the history');
      const ctx = await openCliContext(process.env, { readsOnly: true });
      try {
        const id = await existingApplicationId(ctx.store, ref);
        for (const event of await disclosedApplicationEvents(ctx, 'nws history', flags, id)) process.stdout.write(`${JSON.stringify(event)}\n`);
      } finally {
        await ctx.close();
      }
    });
}
