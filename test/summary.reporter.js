/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, so any CI can read the
 * outcome without parsing Jest's own summary. Skipped tests (e.g. EventStoreDB cases without
 * EVENTSTORE_CONNECTION_STRING) are reported as skipped, never as passed.
 *
 * It also ends a run that would not end. On two cores Jest runs every file in its own process (in
 * band), so a server, child process or socket a suite leaves open (a failed test whose `afterAll` timed
 * out) keeps `npm test` alive after the results are printed, until CI's own timeout. Once the run
 * is over, a timer that does not itself hold the process waits JEST_EXIT_GRACE_MS (10 s) and then
 * names what is still open and exits with 1: a hang becomes a failure with its cause.
 */
class SummaryReporter {
  constructor(globalConfig) {
    this.watching = Boolean(globalConfig.watch || globalConfig.watchAll);
  }

  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
    if (this.watching) return;
    const graceMs = Number(process.env.JEST_EXIT_GRACE_MS ?? 10_000);
    setTimeout(() => {
      const open = process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap');
      process.stderr.write(
        `\nThe test run ended ${graceMs} ms ago and the process is still held open (${open.join(', ') || 'nothing Node can name'}): ` +
          `a suite left a server, child process or socket behind${failed > 0 ? ', most likely the failed one above' : ''}. Exiting with 1.\n`,
      );
      process.exit(1);
    }, graceMs).unref();
  }
}
module.exports = SummaryReporter;
