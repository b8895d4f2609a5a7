import type { Command } from 'commander';
import { openCliContext } from '../cli-context';
import { logApplicationDisclosure, requirePurpose, withPurpose, type PurposeFlags } from '../cli-disclosure';

export function registerHistoryCommand(program: Command): void {
  withPurpose(program.command('history <applicationId>'))
    .description('Print every event of an application as JSON Lines, personal data decrypted (needs --purpose)')
    .action(async (id: string, flags: PurposeFlags) => {
      requirePurpose(flags, 'the history');
      const ctx = await openCliContext();
      try {
        const { events } = await ctx.engine.load(id);
        await logApplicationDisclosure(ctx, 'nws history', flags, id, events.at(-1)!.revision);
        for (const event of events) process.stdout.write(`${JSON.stringify(event)}\n`);
      } finally {
        await ctx.close();
      }
    });
}
