import type { Command } from 'commander';
import { openCliContext } from '../cli-context';

export function registerHistoryCommand(program: Command): void {
  program
    .command('history <applicationId>')
    .description('Print every event of an application as JSON Lines')
    .action(async (id: string) => {
      const ctx = await openCliContext();
      try {
        const { events } = await ctx.engine.load(id);
        for (const event of events) process.stdout.write(`${JSON.stringify(event)}\n`);
      } finally {
        await ctx.close();
      }
    });
}
