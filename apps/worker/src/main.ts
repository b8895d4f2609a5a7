import { ConfigurationError, exitUnlessStarting, loadRuntimeConfig } from '@nws/runtime';
import { WORKER_USAGE } from '../../api/src/usage';
import { describeEventStore } from '@nws/event-store/create-event-store';
import { DataDirectoryInUseError } from '@nws/event-store/sqlite';
import { EventStoreUnavailableError } from '@nws/event-store';
import { createApp, stopOnSignals } from '../../api/src/create-app';

/**
 * The worker of a scaled deployment: the reactor (master-data registration), the projections and
 * distribution (the distribution ledger lives in one process: consumers connect here). Over HTTP it
 * serves /health, /metrics and /distribution/*; API replicas run with PROCESS_ROLE=api.
 */
async function main(): Promise<void> {
  exitUnlessStarting(process.argv.slice(2), WORKER_USAGE);
  const config = loadRuntimeConfig({ PORT: '3100', ...process.env, PROCESS_ROLE: 'worker' });
  const app = await createApp(config);
  stopOnSignals(app);
  await app.listen(config.port, config.host);
  process.stdout.write(`worker: reactor, projections and distribution on ${describeEventStore(config)}; health on :${config.port}/health, distribution on :${config.port}/distribution\n`);
}

main().catch((error: unknown) => {
  // 78 EX_CONFIG; 75 EX_TEMPFAIL: another process serves DATA_DIR now; 69 EX_UNAVAILABLE:
  // EventStoreDB did not answer (as the API's main.ts).
  const [label, code] =
    error instanceof ConfigurationError
      ? ['Configuration error', 78]
      : error instanceof DataDirectoryInUseError
        ? ['Not started', 75]
        : error instanceof EventStoreUnavailableError
          ? ['Not started: the event store is unavailable', 69]
          : ['Failed to start', 1];
  process.stderr.write(`${label}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(code);
});
