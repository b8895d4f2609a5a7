import { exitUnlessStarting, loadRuntimeConfig } from '@nws/runtime';
import { WORKER_USAGE } from '../../api/src/usage';
import { describeEventStore } from '@nws/event-store/create-event-store';
import { createApp, stopOnSignals } from '../../api/src/create-app';
import { listenOrExplain, startFailure } from '../../api/src/start-failure';

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
  await listenOrExplain(app, config.port, config.host);
  // The API's commands reach a worker through a shared store: an embedded one is this process's alone.
  const warning =
    config.eventStore === 'sqlite'
      ? 'worker: WARNING: on the embedded store no API can share this DATA_DIR, so no application reaches this worker; run the API with PROCESS_ROLE=all instead, or EventStoreDB\n'
      : '';
  process.stdout.write(`worker: reactor, projections and distribution on ${describeEventStore(config)}; health on :${config.port}/health, distribution on :${config.port}/distribution\n${warning}`);
}

main().catch((error: unknown) => {
  // As the API's main.ts: one line and a sysexits code.
  const { line, exitCode } = startFailure(error);
  process.stderr.write(`${line}\n`);
  process.exit(exitCode);
});
