import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { RuntimeConfig } from '@nws/runtime';
import { AppModule } from './app.module';
import { createEventStore } from '@nws/event-store/create-event-store';
import { strictValidationPipe } from './http/validation.pipe';

export const BODY_LIMIT = '256kb';

/** Builds the configured Nest application (used by main.ts and by the e2e tests on a real port). */
export async function createApp(config: RuntimeConfig, options: { logger?: false } = {}): Promise<NestExpressApplication> {
  const store = await createEventStore(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, store), {
    bodyParser: false,
    ...(options.logger === false ? { logger: false } : { logger: ['error', 'warn'] }),
  });
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.use(helmet({ contentSecurityPolicy: false }));
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
