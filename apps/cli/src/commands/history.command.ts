import type { Command } from 'commander';
import { openCliContext } from '../cli-context';
import { disclosedApplicationEvents, requirePurpose, withPurpose, type PurposeFlags } from '../cli-disclosure';

export function registerHistoryCommand(program: Command): void {
  withPurpose(program.command('history <applicationId>'))
    .description('Print every event of an application as JSON Lines, personal data decrypted (needs --purpose)')
    .action(async (id: string, flags: PurposeFlags) => {
      requirePurpose(flags, 'the history');
      const ctx = await openCliContext();
      try {
        for (const event of await disclosedApplicationEvents(ctx, 'nws history', flags, id)) process.stdout.write(`${JSON.stringify(event)}\n`);
      } finally {
        await ctx.close();
      }
    });
}
