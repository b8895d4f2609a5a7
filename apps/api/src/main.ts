import { join } from 'node:path';
import { DEV_SECRET_FILE, exitUnlessStarting, loadRuntimeConfig } from '@nws/runtime';
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
  const lines = [
    '',
    `  情報提供ネットワークシステム 接続申請ワークフロー API: ${url}`,
    `  OpenAPI (Swagger UI):   ${url}/docs`,
    `  Event store:            ${describeEventStore(config)}`,
    `  Mint a token:           npm run -s token -- --sub yamada --org 132012 --role applicant --name "山田 花子"`,
    `  Try it:                 curl -H "Authorization: Bearer $(npm run -s token -- --sub a --org MIC --role auditor)" ${url}/workflows/connection-application`,
    '',
  ];
  if (config.jwt.mode === 'development') {
    lines.push(
      '  DEVELOPMENT MODE: JWT_SECRET is not set. Tokens are signed with a generated secret kept in',
      `  ${join(config.dataDir, DEV_SECRET_FILE)}. Set JWT_SECRET (and NODE_ENV=production) for real use.`,
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

main().catch((error: unknown) => {
  const { line, exitCode } = startFailure(error);
  process.stderr.write(`${line}\n`);
  process.exit(exitCode);
});
