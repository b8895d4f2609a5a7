import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from '@fastify/helmet';
import type { RuntimeConfig } from '@nws/runtime';
import { AppModule } from './app.module';
import type { EventStore } from '@nws/event-store';
import { createEventStore } from '@nws/event-store/create-event-store';
import { DataDirectoryLock, storeHoldingLock } from '@nws/event-store/sqlite';
import { clientError } from './http/client-error';
import { frameworkError } from './http/domain-exception.filter';
import { BODY_LIMIT_BYTES, useJsonBody } from './http/json-body';
import { drainUnreadBodies, refuseOversizedBeforeContinue } from './http/refused-body';
import { strictValidationPipe } from './http/validation.pipe';
import { CLOCK, type Clock } from './infrastructure/tokens';
import { discloseResponses } from './personal-data/response-disclosure.hook';
import { ACCESS_LOG, PERSONAL_DATA_STORE } from './personal-data/personal-data.tokens';

/**
 * Builds the configured Nest application (used by main.ts and by the e2e tests on a real port).
 * Fastify, not Express: the HTTP line of the benchmark is bound by the API's one main thread, and
 * the framework's own share of a request (routing, body parsing, headers, serialisation) was its
 * largest item; measured on the same VM, a 404 ran 2.8× as fast and a durable save 17 % faster
 * (docs/benchmarks.md).
 */
export async function createApp(config: RuntimeConfig, options: { logger?: false } = {}): Promise<NestFastifyApplication> {
  // Before anything in DATA_DIR is opened: a second API or worker, or a CLI rebuild, on the same
  // directory is refused here (DataDirectoryInUseError) instead of sharing the read models.
  const lock = DataDirectoryLock.acquire(config.dataDir, `API (PROCESS_ROLE=${config.role})`);
  // Closed last on shutdown (ProjectionsHost, after the read models), it lets DATA_DIR go; a
  // process that exits drops the lock with it anyway.
  const store = await storeHoldingLock(lock, () => createEventStore(config));
  try {
    return await buildApp(config, store, options);
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function buildApp(config: RuntimeConfig, store: EventStore, options: { logger?: false }): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // `/applications/` names the same collection as `/applications`.
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
    // Node's own default, which Fastify turns off: a client gets 5 minutes to send its request
    // (headers and body), then its socket is closed. Streams and long polls answer for longer.
    requestTimeout: 300_000,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, store), adapter, {
    // The adapter's parser would buffer and parse a second way; ours is json-body.ts.
    bodyParser: false,
    ...(options.logger === false ? { logger: false } : { logger: ['error', 'warn'] }),
  });
  useJsonBody(app.getHttpAdapter().getInstance());
  drainUnreadBodies(app.getHttpAdapter().getInstance());
  discloseResponses(app.getHttpAdapter().getInstance(), { store: app.get(PERSONAL_DATA_STORE), accessLog: app.get(ACCESS_LOG), clock: app.get<Clock>(CLOCK) });
  refuseOversizedBeforeContinue(app.getHttpServer());
  await app.register(helmet, { contentSecurityPolicy: false });
  app.useGlobalPipes(strictValidationPipe());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('情報提供ネットワークシステム 接続申請ワークフロー API')
      .setDescription('Event-sourced workflow engine for connection applications. Mint a token with `npm run -s token -- --sub <person> --org <body> --role <role>`.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
