/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, so any CI can read the
 * outcome without parsing Jest's own summary. Skipped tests (e.g. EventStoreDB cases without
 * EVENTSTORE_CONNECTION_STRING) are reported as skipped, never as passed.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
