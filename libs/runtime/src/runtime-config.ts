import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type EventStoreKind = 'sqlite' | 'esdb';
/**
 * What one process runs. `all` (default): API, projections and the reactor in one process.
 * At scale: several stateless `api` processes (API + their own read models, no reactor) and one
 * `worker` (reactor, projections, distribution; only /health and /metrics over HTTP).
 */
export type ProcessRole = 'all' | 'api' | 'worker';

export interface RuntimeConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly production: boolean;
  readonly eventStore: EventStoreKind;
  readonly eventStoreConnectionString: string | undefined;
  readonly role: ProcessRole;
  readonly jwt: {
    readonly secret: Uint8Array;
    /** 'development': a generated secret kept in the data directory; 'configured': JWT_SECRET. */
    readonly mode: 'development' | 'configured';
    readonly issuer: string;
    readonly audience: string;
  };
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export const DEV_SECRET_FILE = '.dev-jwt-secret';
const PLACEHOLDER_SECRETS = /^(secret|changeme|change-me|password|jwt[-_]?secret|test|dev|development)$/i;

/**
 * Reads PORT, HOST, DATA_DIR, JWT_SECRET, NODE_ENV, EVENT_STORE and EVENTSTORE_CONNECTION_STRING.
 * Without JWT_SECRET the service runs in development mode with a generated secret kept in the
 * data directory (so `npm run token` signs with the same one); in production it refuses.
 */
export function loadRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const production = env['NODE_ENV'] === 'production';
  const dataDir = resolve(env['DATA_DIR'] ?? './data');
  const port = parsePort(env['PORT']);
  const eventStore = parseStoreKind(env['EVENT_STORE']);
  const connection = env['EVENTSTORE_CONNECTION_STRING'];
  if (eventStore === 'esdb' && !connection) {
    throw new ConfigurationError('EVENT_STORE=esdb needs EVENTSTORE_CONNECTION_STRING (e.g. esdb://localhost:2113?tls=false)');
  }
  return {
    port,
    host: env['HOST'] ?? '0.0.0.0',
    dataDir,
    production,
    eventStore,
    eventStoreConnectionString: connection,
    role: parseRole(env['PROCESS_ROLE']),
    jwt: { ...jwtSecret(env['JWT_SECRET'], dataDir, production), issuer: env['JWT_ISSUER'] ?? 'nws-connection-workflow', audience: env['JWT_AUDIENCE'] ?? 'nws-connection-workflow' },
  };
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigurationError(`PORT must be an integer from 0 to 65535, got "${raw}"`);
  return port;
}

function parseRole(raw: string | undefined): ProcessRole {
  if (raw === undefined || raw === '') return 'all';
  if (raw === 'all' || raw === 'api' || raw === 'worker') return raw;
  throw new ConfigurationError(`PROCESS_ROLE must be "all" (default), "api" or "worker", got "${raw}"`);
}

function parseStoreKind(raw: string | undefined): EventStoreKind {
  if (raw === undefined || raw === '' || raw === 'sqlite') return 'sqlite';
  if (raw === 'esdb') return 'esdb';
  throw new ConfigurationError(`EVENT_STORE must be "sqlite" (default) or "esdb", got "${raw}"`);
}

function jwtSecret(configured: string | undefined, dataDir: string, production: boolean): { secret: Uint8Array; mode: 'development' | 'configured' } {
  if (configured !== undefined && configured !== '') {
    if (configured.length < 32 || PLACEHOLDER_SECRETS.test(configured)) {
      throw new ConfigurationError('JWT_SECRET must be a real secret of at least 32 characters (e.g. `openssl rand -hex 32`)');
    }
    return { secret: new TextEncoder().encode(configured), mode: 'configured' };
  }
  if (production) {
    throw new ConfigurationError('NODE_ENV=production: refusing to start without JWT_SECRET (at least 32 random characters)');
  }
  return { secret: new TextEncoder().encode(developmentSecret(dataDir)), mode: 'development' };
}

/** The development secret of a data directory, created on first use (file mode 0600). */
export function developmentSecret(dataDir: string): string {
  const file = join(dataDir, DEV_SECRET_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process (the API and `npm run token` at once) created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
  chmodSync(file, 0o600);
  return secret;
}
