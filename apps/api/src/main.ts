import { join, resolve } from 'node:path';
import { DEV_SECRET_FILE, exitUnlessStarting, loadRuntimeConfig, type RuntimeConfig } from '@nws/runtime';
import { API_USAGE } from './usage';
import { createApp, stopOnSignals } from './create-app';
import { describeEventStore } from '@nws/event-store/create-event-store';
import { listenOrExplain, startFailure } from './start-failure';

async function main(): Promise<void> {
  exitUnlessStarting(process.argv.slice(2), API_USAGE);
  const config = loadRuntimeConfig();
  const app = await createApp(config);
  stopOnSignals(app);
  await listenOrExplain(app, config.port, config.host);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://localhost:${address.port}`;
  const lines = ['', `  情報提供ネットワークシステム 接続申請ワークフロー API: ${url}`, `  OpenAPI (Swagger UI):   ${url}/docs`, `  Event store:            ${describeEventStore(config)}`, ...tokenLines(config, url), ''];
  if (config.jwt.mode === 'development') {
    lines.push(
      '  DEVELOPMENT MODE: JWT_SECRET is not set. Tokens are signed with a generated secret kept in',
      `  ${join(config.dataDir, DEV_SECRET_FILE)}. Set JWT_SECRET (and NODE_ENV=production) for real use.`,
      '',
    );
  }
  if (config.role === 'worker') {
    lines.push(
      '  WARNING: PROCESS_ROLE=worker on the API\'s entry point: only /health, /metrics, /projections, /distribution and /master-data are served',
      '  (no applications, no workflows). The worker is `npm run worker` (PORT 3100 by default); see README, "Running on EventStoreDB".',
      '',
    );
  }
  if (config.role === 'api' && config.eventStore === 'sqlite') {
    // No other process can serve this DATA_DIR beside it (the lock), so no worker ever will.
    lines.push(
      '  WARNING: PROCESS_ROLE=api on the embedded store: this process registers no master data and seals nothing,',
      '  and no worker can share its DATA_DIR. Use PROCESS_ROLE=all, or EventStoreDB with a worker (README, "Running on EventStoreDB").',
      '',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * How to get a token for this process, as the user must type it: the token command signs with the
 * development secret of the same DATA_DIR (another directory's secret gives tokens this API refuses
 * with 401), or with JWT_SECRET from the environment; with an identity provider it mints none.
 */
function tokenLines(config: RuntimeConfig, url: string): string[] {
  if (config.jwt.mode === 'public-key' || config.jwt.mode === 'jwks') {
    return ['  Tokens:                 from your identity provider (JWT_PUBLIC_KEY / JWT_JWKS_URL); `npm run -s token` mints none here'];
  }
  const dataDir = config.jwt.mode === 'development' && config.dataDir !== resolve('./data') ? `DATA_DIR=${shellWord(config.dataDir)} ` : '';
  const token = (args: string) => `${dataDir}npm run -s token -- ${args}`;
  const tryIt = config.role === 'worker' ? `${url}/health` : `${url}/workflows/connection-application`;
  const lines = [
    `  Mint a token:           ${token('--sub yamada --org 132012 --role applicant --name "山田 花子"')}`,
    `  Try it:                 curl -H "Authorization: Bearer $(${token('--sub a --org MIC --role auditor')})" ${tryIt}`,
  ];
  // The command signs with the settings of its own environment: without the same ones, a token this API refuses (401).
  if (config.jwt.mode === 'configured') {
    const settings = ['JWT_SECRET', ...['JWT_ISSUER', 'JWT_AUDIENCE'].filter((name) => process.env[name])];
    lines.push(`                          (in an environment with the same ${settings.join(', ')} as this API)`);
  }
  return lines;
}

const shellWord = (value: string): string => (/^[\w./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

main().catch((error: unknown) => {
  const { line, exitCode } = startFailure(error);
  process.stderr.write(`${line}\n`);
  process.exit(exitCode);
});
