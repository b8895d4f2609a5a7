import { ConfigurationError, loadRuntimeConfig } from '@nws/runtime';
import { describeEventStore } from '@nws/event-store/create-event-store';
import { createApp } from '../../api/src/create-app';

/**
 * The worker of a scaled deployment: the reactor (master-data registration), the projections and
 * distribution (the distribution ledger lives in one process: consumers connect here). Over HTTP it
 * serves /health, /metrics and /distribution/*; API replicas run with PROCESS_ROLE=api.
 */
async function main(): Promise<void> {
  const config = loadRuntimeConfig({ PORT: '3100', ...process.env, PROCESS_ROLE: 'worker' });
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  process.stdout.write(`worker: reactor, projections and distribution on ${describeEventStore(config)}; health on :${config.port}/health, distribution on :${config.port}/distribution\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigurationError ? 'Configuration error' : 'Failed to start'}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigurationError ? 78 : 1);
});
