import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mintToken } from '@nws/auth';
import type { Actor } from '@nws/engine';
import { loadRuntimeConfig, type RuntimeConfig } from '@nws/runtime';
import { closeApp, createApp } from '../create-app';
import { httpRequest, type ApiClient, type RequestOptions, type TestResponse } from './http-client';

export type { ApiClient, RequestOptions, TestResponse } from './http-client';

/** A real Nest app on a real port (127.0.0.1, random), with its own data directory. */
export class TestServer implements ApiClient {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
    readonly config: RuntimeConfig,
    private readonly ownsDir: boolean,
    /** Every route the running app serves (method and pattern), as Fastify registered them. */
    readonly routes: ReadonlyArray<{ readonly method: string; readonly path: string }>,
  ) {}

  static async start(options: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TestServer> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'nws-e2e-'));
    // Rate limiting is exercised by its own test; elsewhere tests fire requests faster than a person.
    const config = loadRuntimeConfig({ DATA_DIR: dataDir, PORT: '0', RATE_LIMIT: 'off', ...options.env });
    const app = await createApp(config, { logger: false });
    const routes: Array<{ method: string; path: string }> = [];
    // Nest registers its routes when the app starts listening, after this hook.
    app.getHttpAdapter().getInstance().addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ method, path: route.url });
    });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    return new TestServer(app, `http://127.0.0.1:${port}`, config, options.dataDir === undefined, routes);
  }

  token(actor: Actor): Promise<string> {
    return mintToken(actor, this.config.jwt);
  }

  request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse<T>> {
    return httpRequest<T>(this.url, method, path, options);
  }

  /** Stops the app (closing the store); the data directory survives unless `remove`. */
  async stop(remove = this.ownsDir): Promise<void> {
    await closeApp(this.app);
    if (remove) rmSync(this.config.dataDir, { recursive: true, force: true });
  }
}
