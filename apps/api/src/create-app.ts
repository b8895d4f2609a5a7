import 'reflect-metadata';
import type { Server } from 'node:http';
import { constants } from 'node:os';
import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from '@fastify/helmet';
import { ConfigurationError, assertUsableDataPaths, isUnusablePathError, type RuntimeConfig } from '@nws/runtime';
import { AppModule } from './app.module';
import type { EventStore } from '@nws/event-store';
import { createEventStore } from '@nws/event-store/create-event-store';
import { DataDirectoryLock, storeHoldingLock } from '@nws/event-store/sqlite';
import { clientError } from './http/client-error';
import { frameworkError } from './http/domain-exception.filter';
import { BODY_LIMIT_BYTES, useJsonBody } from './http/json-body';
import { authenticateBeforeBodies } from './auth/authenticated-bodies';
import { drainUnreadBodies, refuseOversizedBeforeContinue } from './http/refused-body';
import { strictValidationPipe } from './http/validation.pipe';
import { CLOCK, HTTP_DRAIN, TOKEN_VERIFIER, type Clock } from './infrastructure/tokens';
import { discloseResponses } from './personal-data/response-disclosure.hook';
import { ACCESS_LOG, PERSONAL_DATA_STORE } from './personal-data/personal-data.tokens';
import { assertTransportsFor, loadDistributionConfig, type DistributionConfig } from '@nws/distribution';
import { documentAccessHeaders } from './http/openapi-access-headers';
import { documentErrorResponses } from './http/openapi-errors';
import { rateLimitWindows } from './http/rate-limit';

/**
 * Warnings and errors, as text (coloured only for a person at a terminal: in a file the escape
 * codes are noise) or, with LOG_FORMAT=json, one JSON object a line for a log collector.
 */
function consoleLogger(config: RuntimeConfig): ConsoleLogger {
  const logLevels: LogLevel[] = ['error', 'warn'];
  return config.logFormat === 'json' ? new ConsoleLogger({ logLevels, json: true }) : new ConsoleLogger({ logLevels, colors: Boolean(process.stdout.isTTY && process.stderr.isTTY) });
}

/**
 * Builds the configured Nest application (used by main.ts and by the e2e tests on a real port).
 * Fastify, not Express: the HTTP line of the benchmark is bound by the API's one main thread, and
 * the framework's own share of a request (routing, body parsing, headers, serialisation) was its
 * largest item; measured on the same VM, a 404 ran 2.8× as fast and a durable save 17 % faster
 * (docs/benchmarks.md).
 */
export async function createApp(config: RuntimeConfig, options: { logger?: false } = {}): Promise<NestFastifyApplication> {
  // Settings the modules read when Nest builds them are checked before anything is opened: a
  // ConfigurationError here is one line and exit 78 in main, not a stack Nest logs mid-build.
  rateLimitWindows(config.rateLimit);
  const distribution = loadDistributionConfig(process.env);
  assertTransportsFor(distribution, config.eventStore);
  assertUsableDataPaths(config, { writes: true, keyStore: true });
  return unusablePathSaid(config, async () => {
    // Before anything in DATA_DIR is opened: a second API or worker, or a CLI rebuild, on the same
    // directory is refused here (DataDirectoryInUseError) instead of sharing the read models.
    const lock = DataDirectoryLock.acquire(config.dataDir, `API (PROCESS_ROLE=${config.role})`);
    // Closed last on shutdown (ProjectionsHost, after the read models), it lets DATA_DIR go; a
    // process that exits drops the lock with it anyway.
    const store = await storeHoldingLock(lock, () => createEventStore(config));
    try {
      return await buildApp(config, store, distribution, options);
    } catch (error) {
      await store.close();
      throw error;
    }
  });
}

/**
 * What the start-time check cannot see (an ACL, a file changed meanwhile) shows only when a file
 * is opened, as SQLite's bare "unable to open database file": said as the settings it comes from.
 */
async function unusablePathSaid<T>(config: RuntimeConfig, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    if (!isUnusablePathError(error)) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new ConfigurationError(
      `DATA_DIR ${config.dataDir} または PERSONAL_DATA_KEY_FILE ${config.personalData.keyStoreFile} を開けません（${why}） / ` +
        `DATA_DIR ${config.dataDir} or PERSONAL_DATA_KEY_FILE ${config.personalData.keyStoreFile} cannot be opened (${why})`,
      { cause: error },
    );
  }
}

async function buildApp(config: RuntimeConfig, store: EventStore, distribution: DistributionConfig, options: { logger?: false }): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // `/applications/` names the same collection as `/applications`.
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
    // Node's own default, which Fastify turns off: a client gets 5 minutes to send its request
    // (headers and body), then its socket is closed. Streams and long polls answer for longer.
    requestTimeout: 300_000,
    // A request that reaches the router while the server closes is answered as any other (with
    // `Connection: close`): the stores stay open until every request is answered (closeApp), so
    // Fastify's bare English 503 would refuse work that can be done.
    return503OnClosing: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, store, distribution), adapter, {
    // The adapter's parser would buffer and parse a second way; ours is json-body.ts.
    bodyParser: false,
    // A provider that cannot be built (a DISTRIBUTION_* setting it cannot use) rejects here, for
    // main to say why with its exit code, instead of Nest logging a stack and exiting 1.
    abortOnError: false,
    ...(options.logger === false ? { logger: false } : { logger: consoleLogger(config) }),
  });
  authenticateBeforeBodies(app.getHttpAdapter().getInstance(), config.jwt, app.get(TOKEN_VERIFIER));
  useJsonBody(app.getHttpAdapter().getInstance());
  drainUnreadBodies(app.getHttpAdapter().getInstance());
  discloseResponses(app.getHttpAdapter().getInstance(), { store: app.get(PERSONAL_DATA_STORE), accessLog: app.get(ACCESS_LOG), clock: app.get<Clock>(CLOCK) });
  refuseOversizedBeforeContinue(app.getHttpServer());
  sayCloseWhileStopping(app);
  await app.register(helmet, { contentSecurityPolicy: false });
  app.useGlobalPipes(strictValidationPipe());
  const document = documentErrorResponses(documentAccessHeaders(SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('情報提供ネットワークシステム 接続申請ワークフロー API')
      .setDescription('Event-sourced workflow engine for connection applications. Mint a token with `npm run -s token -- --sub <person> --org <body> --role <role>`.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
    )),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}

/**
 * How long a stop waits for requests in flight before it closes the connections left. With the
 * last seal's bound (SealerHost) a stop fits in `docker stop`'s default 10 s grace period: an image
 * run without the compose file (which gives 30 s) is not killed in the middle of closing its stores.
 */
export const DRAIN_LIMIT_MS = 5_000;

/**
 * Stops the API. Nest's own `app.close()` runs the modules' `onModuleDestroy` before it closes the
 * HTTP server, so requests still being answered found the access log and the distribution ledger
 * closed: a 500 for an approval that was recorded. This stops in an order where that cannot happen:
 * 1. no new connections, and long polls and event streams end (HTTP_DRAIN);
 * 2. requests in flight are answered, for up to `drainWithinMs` (DRAIN_LIMIT_MS; then the
 *    connections left are closed: a client that never finishes its body does not hold the stop);
 * 3. `app.close()`: the modules close their stores, logs and ledger as before (the HTTP server
 *    is already closed).
 * Call this, not `app.close()`, wherever the app may be serving (main.ts, the worker, tests).
 */
export async function closeApp(app: NestFastifyApplication, options: { drainWithinMs?: number } = {}): Promise<void> {
  let closing = closings.get(app);
  if (!closing) {
    closing = (async () => {
      app.get<AbortController>(HTTP_DRAIN).abort();
      const server = app.getHttpServer() as Server;
      const limit = setTimeout(() => server.closeAllConnections(), options.drainWithinMs ?? DRAIN_LIMIT_MS);
      // Connections whose last request was answered without `Connection: close` (an event stream
      // ended by the drain) would otherwise stay open for their keep-alive timeout.
      const idle = setInterval(() => server.closeIdleConnections(), 25);
      limit.unref();
      idle.unref();
      try {
        await app.getHttpAdapter().close();
      } finally {
        clearTimeout(limit);
        clearInterval(idle);
      }
      await app.close();
    })();
    closings.set(app, closing);
  }
  return closing;
}

const closings = new WeakMap<NestFastifyApplication, Promise<void>>();

/**
 * Once the API is stopping, every answer says `Connection: close`, so its client opens a new
 * connection for its next request (refused at once, or served by the next process) instead of
 * sending it on one the server is about to close under it.
 */
function sayCloseWhileStopping(app: NestFastifyApplication): void {
  const stopping = app.get<AbortController>(HTTP_DRAIN).signal;
  app.getHttpAdapter().getInstance().addHook('onSend', (_request, reply, payload, done) => {
    if (stopping.aborted) void reply.header('connection', 'close');
    done(null, payload);
  });
}

/**
 * SIGTERM (a deploy, `docker stop`) and SIGINT (Ctrl-C) stop the process through `closeApp`, then
 * it ends by the same signal, so its parent sees why. A second signal during the stop ends it at
 * once. Only these two: Nest's `enableShutdownHooks` also takes SIGUSR2, SIGHUP and the fault
 * signals, which tools and debuggers send for other reasons, and runs Nest's own order.
 */
export function stopOnSignals(app: NestFastifyApplication): void {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const stop = (signal: NodeJS.Signals) => {
    for (const each of signals) process.removeListener(each, stop);
    closeApp(app).then(
      () => {
        // As PID 1 (a container without an init) the kernel ignores a signal the process has no
        // handler for, this one included: then it ends with the shell's code for the signal.
        process.exitCode = 128 + constants.signals[signal];
        setTimeout(() => process.exit(), 1_000).unref();
        process.kill(process.pid, signal);
      },
      (error: unknown) => {
        process.stderr.write(`Stopping after ${signal} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, stop);
}
