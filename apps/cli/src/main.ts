import { Command, InvalidArgumentError } from 'commander';
import { ApplicationNotFoundError, type Actor } from '@nws/engine';
import { openCliContext } from './cli-context';

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failure: 1, usage: 2, notFound: 3 } as const;

const AUDITOR: Actor = { sub: 'cli', org: 'MIC', role: 'auditor' };
const int = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
};

export function buildCli(): Command {
  const program = new Command('nws')
    .description('Operate the connection-application workflow engine (uses DATA_DIR / EVENT_STORE like the API)')
    .exitOverride();

  program
    .command('rebuild-projections')
    .description('Drop the read models and rebuild them from position zero (stop the API first)')
    .action(async () => {
      const ctx = await openCliContext();
      try {
        const result = await ctx.projections().rebuild();
        process.stdout.write(`rebuilt read models from ${result.events} events in ${result.seconds.toFixed(2)} s\n`);
      } finally {
        await ctx.close();
      }
    });

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

  program
    .command('replay <applicationId>')
    .description('Fold the events of an application (optionally up to a revision or time) and print its state')
    .option('--as-of-revision <n>', 'fold events up to this revision', int)
    .option('--as-of <iso>', 'fold events that occurred at or before this time')
    .action(async (id: string, options: { asOfRevision?: number; asOf?: string }) => {
      if (options.asOf !== undefined && Number.isNaN(Date.parse(options.asOf))) throw new InvalidArgumentError('--as-of must be an ISO-8601 time');
      const ctx = await openCliContext();
      try {
        const { folded } = await ctx.engine.load(id, {
          ...(options.asOfRevision !== undefined ? { toRevision: options.asOfRevision } : {}),
          ...(options.asOf !== undefined ? { asOf: options.asOf } : {}),
        });
        process.stdout.write(`${JSON.stringify(ctx.engine.view(folded, AUDITOR), null, 2)}\n`);
      } finally {
        await ctx.close();
      }
    });

  program
    .command('token')
    .description('Mint a bearer token (same as npm run -s token)')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (_options: unknown, command: Command) => {
      const { runTokenCli } = await import('./token.cli');
      process.exitCode = await runTokenCli(command.args);
    });
  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    const exitCode = (error as { exitCode?: number }).exitCode;
    if (typeof exitCode === 'number') return exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof InvalidArgumentError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ApplicationNotFoundError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.notFound;
    }
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
