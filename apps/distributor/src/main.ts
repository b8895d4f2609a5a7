import { ConfigurationError, exitUnlessStarting } from '@nws/runtime';
import { DISTRIBUTOR_USAGE } from './usage';
import { distributorOptionsFromEnv } from './distributor.options';
import { runDistributor } from './distributor.loop';
import { TokenRefusedError } from './distribution-api.client';

/** sysexits EX_NOPERM: the API does not accept the token; fix its setting, a restart alone will not. */
const EXIT_TOKEN_REFUSED = 77;
let tokenSetting = 'DISTRIBUTOR_TOKEN';

/** The reference downstream consumer: `node dist/apps/distributor/src/main.js` (see README "Distribution"). */
async function main(): Promise<void> {
  exitUnlessStarting(process.argv.slice(2), DISTRIBUTOR_USAGE);
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  const settings = distributorOptionsFromEnv();
  tokenSetting = settings.tokenSetting;
  const options = { ...settings, signal: stop.signal, log: (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`) };
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
  if (error instanceof TokenRefusedError) {
    process.stderr.write(
      `Token refused: API がトークンを受け付けませんでした（401）。${tokenSetting} を確認してください（DISTRIBUTOR_TOKEN は API が検証できる配信者のトークン、JWT_SECRET は API と同じもの、DATA_DIR は API のもの） / ` +
        `the API did not accept the token (401): check ${tokenSetting} (DISTRIBUTOR_TOKEN a distributor's token the API verifies, JWT_SECRET the API's own, DATA_DIR the API's) — ${error.message}\n`,
    );
    process.exit(EXIT_TOKEN_REFUSED);
  }
  process.stderr.write(`distributor failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
