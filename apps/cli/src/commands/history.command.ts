import type { Command } from 'commander';
import { applicationStream } from '@nws/engine';
import { storedEventStoreOf } from '@nws/personal-data';
import { openCliContext } from '../cli-context';
import { logDisclosure, requirePurpose, withPurpose, type PurposeFlags } from '../cli-disclosure';

export function registerHistoryCommand(program: Command): void {
  withPurpose(program.command('history <applicationId>'))
    .description('Print every event of an application as JSON Lines, personal data decrypted (needs --purpose)')
    .action(async (id: string, flags: PurposeFlags) => {
      requirePurpose(flags, 'the history');
      const ctx = await openCliContext();
      try {
        const { events } = await ctx.engine.load(id);
        const last = events.at(-1)!.revision;
        await logDisclosure(ctx, 'nws history', flags, storedEventStoreOf(ctx.store).readStream(applicationStream(id), { toRevision: last }));
        for (const event of events) process.stdout.write(`${JSON.stringify(event)}\n`);
      } finally {
        await ctx.close();
      }
    });
}
