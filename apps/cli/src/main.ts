import { Command, InvalidArgumentError } from 'commander';
import { ApplicationNotFoundError, DomainError, NotYetCreatedError, RevisionNotFoundError } from '@nws/engine';
import { DataDirectoryInUseError } from '@nws/event-store/sqlite';
import { ConfigurationError } from '@nws/runtime';
import { NoEventStoreError } from './cli-context';
import { EXIT } from './commands/exit-codes';
import { registerExportCommand } from './commands/export.command';
import { registerHistoryCommand } from './commands/history.command';
import { registerRebuildProjectionsCommand } from './commands/rebuild-projections.command';
import { registerReplayCommand } from './commands/replay.command';
import { registerSnapshotCommand } from './commands/snapshot.command';
import { registerVerifyCommand } from './commands/verify.command';
import { registerPersonalDataCommands } from './commands/personal-data.command';
import { registerProjectionsCommands } from './commands/projections.command';

export { EXIT };

export function buildCli(): Command {
  const program = new Command('nws')
    .description('Operate the connection-application workflow engine (uses DATA_DIR / EVENT_STORE like the API)')
    .exitOverride();

  registerRebuildProjectionsCommand(program);
  registerHistoryCommand(program);
  registerReplayCommand(program);
  registerExportCommand(program);
  registerVerifyCommand(program);
  registerSnapshotCommand(program);
  registerPersonalDataCommands(program);
  registerProjectionsCommands(program);

  program
    .command('token')
    .description('Mint a bearer token (same as npm run -s token)')
    // Everything after `token` is the token command's own (its --help too): `nws token --sub x …` was "too many arguments".
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(async (_options: unknown, command: Command) => {
      const { runTokenCli } = await import('./token.cli');
      process.exitCode = await runTokenCli(command.args);
    });
  return program;
}

/**
 * Errors that are said as they are, with the exit code scripts rely on. A command's own usage
 * checks (a missing --purpose, a time that is not one) throw an InvalidArgumentError that
 * Commander has printed nothing for; it is a CommanderError too, so it is looked up before the
 * exit code Commander's errors carry, or it would exit 2 in silence.
 */
const EXIT_OF: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, number]> = [
  [InvalidArgumentError, EXIT.usage],
  [DataDirectoryInUseError, EXIT.dataDirectoryInUse],
  [NoEventStoreError, EXIT.notFound],
  [ApplicationNotFoundError, EXIT.notFound],
  [RevisionNotFoundError, EXIT.notFound],
  [NotYetCreatedError, EXIT.notFound],
  [ConfigurationError, EXIT.configuration],
];

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    const known = EXIT_OF.find(([type]) => error instanceof type);
    if (known) {
      process.stderr.write(`${said(error as Error)}\n`);
      return known[1];
    }
    // Commander's own parse errors: it printed them before throwing.
    const exitCode = (error as { exitCode?: number }).exitCode;
    if (typeof exitCode === 'number') return exitCode === 0 ? EXIT.ok : EXIT.usage;
    const file = fileProblem(error);
    if (file !== undefined) {
      process.stderr.write(`${file.message}\n`);
      return file.exitCode;
    }
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
}

/**
 * What a user reads of an error, in both languages where the error has both (the engine's carry
 * them; its message is the English alone). A moment or revision before or past an application's
 * history is named by the CLI's option, not the API's query parameter it was written for.
 */
function said(error: Error): string {
  if (error instanceof NotYetCreatedError) {
    return (
      `--as-of: 申請 ${error.applicationId} は ${error.asOf} にはまだ作成されていません（作成 ${error.createdAt}） / ` +
      `--as-of: application ${error.applicationId} did not exist yet at ${error.asOf} (created ${error.createdAt})`
    );
  }
  if (error instanceof RevisionNotFoundError) {
    return (
      `--as-of-revision: 申請 ${error.applicationId} に改訂番号 ${error.revision} はありません（最新は ${error.lastRevision}） / ` +
      `--as-of-revision: application ${error.applicationId} has no revision ${error.revision} (the last is ${error.lastRevision})`
    );
  }
  if (error instanceof ConfigurationError) return `Configuration error: ${error.message}`;
  if (error instanceof DomainError) return `${error.detail.ja.replace(/。$/, '')} / ${error.detail.en}`;
  return error.message;
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  // history, replay and a CSV export open the key store and write the access log: not on read-only media.
  EROFS: 'read-only file system (history, replay and a CSV export log what they show in clear beside the store: run them on a writable copy)',
};

/** A file named on the command line that cannot be used: the path and why, not Node's `ENOENT: …, stat '…'`. */
function fileProblem(error: unknown): { message: string; exitCode: number } | undefined {
  const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
  const why = code === undefined ? undefined : FILE_ERRORS[code];
  if (why === undefined || path === undefined) return undefined;
  return { message: `${path}: ${why}`, exitCode: code === 'ENOENT' ? EXIT.notFound : EXIT.failure };
}

if (require.main === module) {
  // A reader that stops early (`nws history … | head`) closes the pipe: what it did read was written,
  // and the rest is not wanted. Ended quietly, as a shell tool does, not with Node's EPIPE trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
  });
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
