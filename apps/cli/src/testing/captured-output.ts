/**
 * What the CLI writes, captured per test, and the process it changes (environment, exit code)
 * put back after each: the commands run in the test's own process.
 */
export function capturedCliOutput(): { readonly out: string[]; readonly err: string[] } {
  const captured = { out: [] as string[], err: [] as string[] };
  const saved = { ...process.env };
  beforeEach(() => {
    process.exitCode = undefined;
    captured.out.length = 0;
    captured.err.length = 0;
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => (captured.out.push(String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (captured.err.push(String(s)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    process.exitCode = undefined;
  });
  return captured;
}
