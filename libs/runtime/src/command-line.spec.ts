import { EXIT_USAGE, serverCommandLine } from './command-line';

describe('serverCommandLine: servers configured by environment variables', () => {
  it('given no arguments, then the server starts', () => {
    expect(serverCommandLine([], 'usage\n')).toBeUndefined();
  });

  it('given --help or -h, then the usage on stdout and exit 0', () => {
    for (const help of ['--help', '-h']) expect(serverCommandLine([help], 'usage\n')).toEqual({ exitCode: 0, stdout: 'usage\n' });
  });

  it('given anything else, then it is refused naming what was given (EX_USAGE), not ignored', () => {
    const outcome = serverCommandLine(['--port', '4000'], 'usage\n');
    expect(outcome?.exitCode).toBe(EXIT_USAGE);
    expect(outcome?.stderr).toMatch(/^Not started: --port 4000: this program takes no arguments; it is configured by environment variables\.\n\nusage\n$/);
    expect(outcome?.stdout).toBeUndefined();
  });
});
