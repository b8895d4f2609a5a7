import { ConfigurationError, exitUnlessStarting } from '@nws/runtime';
import { DISTRIBUTOR_USAGE } from './usage';
import { distributorOptionsFromEnv } from './distributor.options';
import { runDistributor } from './distributor.loop';

/** The reference downstream consumer: `node dist/apps/distributor/src/main.js` (see README "Distribution"). */
async function main(): Promise<void> {
  exitUnlessStarting(process.argv.slice(2), DISTRIBUTOR_USAGE);
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  const options = { ...distributorOptionsFromEnv(), signal: stop.signal, log: (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`) };
  if (options.esdb) {
    // Loaded only when chosen: the default never loads the gRPC client.
    const { runEsdbDistributor } = await import('./distributor-esdb.loop');
    await runEsdbDistributor(options, options.esdb);
  } else await runDistributor(options);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    // sysexits EX_CONFIG, as the API and the worker.
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`distributor failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
