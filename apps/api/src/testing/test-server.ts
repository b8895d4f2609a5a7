import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mintToken } from '@nws/auth';
import type { Actor } from '@nws/engine';
import { loadRuntimeConfig, type RuntimeConfig } from '@nws/runtime';
import { createApp } from '../create-app';

export interface TestResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string | undefined;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A real Nest app on a real port (127.0.0.1, random), with its own data directory. */
export class TestServer {
  private constructor(
    readonly app: NestExpressApplication,
    readonly url: string,
    readonly config: RuntimeConfig,
    private readonly ownsDir: boolean,
  ) {}

  static async start(options: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TestServer> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'nws-e2e-'));
    // Rate limiting is exercised by its own test; elsewhere tests fire requests faster than a person.
    const config = loadRuntimeConfig({ DATA_DIR: dataDir, PORT: '0', RATE_LIMIT: 'off', ...options.env });
    const app = await createApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    return new TestServer(app, `http://127.0.0.1:${port}`, config, options.dataDir === undefined);
  }

  token(actor: Actor): Promise<string> {
    return mintToken(actor, this.config.jwt);
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    } else if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${this.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (e.g. the OpenAPI HTML page)
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  /** Stops the app (closing the store); the data directory survives unless `remove`. */
  async stop(remove = this.ownsDir): Promise<void> {
    await this.app.close();
    if (remove) rmSync(this.config.dataDir, { recursive: true, force: true });
  }
}
