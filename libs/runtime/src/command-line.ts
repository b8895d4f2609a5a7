/** sysexits EX_USAGE. */
export const EXIT_USAGE = 64;

export interface CommandLineOutcome {
  readonly exitCode: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

/**
 * The servers (API, worker, reference distributor) take no arguments: environment variables
 * configure them. `--help` says which; anything else is refused rather than ignored, since
 * `npm start -- --port 4000` would otherwise start on the default port as if it had been heard.
 * Undefined: no arguments, start.
 */
export function serverCommandLine(argv: readonly string[], usage: string): CommandLineOutcome | undefined {
  if (argv.length === 0) return undefined;
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) return { exitCode: 0, stdout: usage };
  return {
    exitCode: EXIT_USAGE,
    stderr: `Not started: ${argv.join(' ')}: this program takes no arguments; it is configured by environment variables.\n\n${usage}`,
  };
}

/** Writes the outcome and ends the process when the command line says not to start. */
export function exitUnlessStarting(argv: readonly string[], usage: string): void {
  const outcome = serverCommandLine(argv, usage);
  if (outcome === undefined) return;
  if (outcome.stdout) process.stdout.write(outcome.stdout);
  if (outcome.stderr) process.stderr.write(outcome.stderr);
  process.exit(outcome.exitCode);
}
