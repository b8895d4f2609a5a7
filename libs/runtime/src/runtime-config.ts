import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigurationError } from './configuration-error';
import { jwtVerificationSettings, type JwtVerificationSettings } from './jwt-verification.config';
import { assertUsablePath } from './data-paths';

export { ConfigurationError } from './configuration-error';
export { DEV_SECRET_FILE, developmentSecret, existingDevelopmentSecret } from './jwt-verification.config';
export type { AsymmetricAlgorithm, JwtMode, JwtVerificationSettings } from './jwt-verification.config';
export { assertUsableDataPaths, assertUsablePath, isUnusablePathError, pathProblem, type PathKind } from './data-paths';

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
  /** LOG_FORMAT: `text` (default: Nest's lines, coloured at a terminal) or `json` (one JSON object a line, for a log collector). */
  readonly logFormat: LogFormat;
  /** RATE_LIMIT, e.g. `20/s,300/min` (default) or `off`; parsed by the API. */
  readonly rateLimit: string | undefined;
  /** How bearer tokens are verified: JWT_SECRET (HS256), JWT_PUBLIC_KEY or JWT_JWKS_URL; a development secret otherwise. */
  readonly jwt: JwtVerificationSettings;
  readonly personalData: {
    /** Keys of data subjects, apart from the events: PERSONAL_DATA_KEY_FILE, default DATA_DIR/personal-data-keys.sqlite. */
    readonly keyStoreFile: string;
    /** Append-only log of reads of personal data: DATA_DIR/access-log.sqlite. */
    readonly accessLogFile: string;
    /** PERSONAL_DATA_RETENTION_DAYS after a body's connection ended, its staff's data is erased (default 1826, five years). */
    readonly retentionDays: number;
  };
  readonly projections: {
    /** PROJECTION_MAX_ATTEMPTS (default 3, at least 2): runs of a projection on an event that throws before the event is parked. */
    readonly maxAttempts: number;
    /** PROJECTION_RETRY_DELAY_MS (default 100): first retry delay, doubled per attempt. */
    readonly retryDelayMs: number;
  };
}

/** DATA_DIR as the service reads it, without loadRuntimeConfig's side effects (the development secret). */
export function dataDirOf(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env['DATA_DIR'] ?? './data');
}

/** EVENT_STORE as the service reads it (a ConfigurationError if it is not one). */
export function eventStoreKindOf(env: NodeJS.ProcessEnv = process.env): EventStoreKind {
  return parseStoreKind(env['EVENT_STORE']);
}

/**
 * Reads PORT, HOST, DATA_DIR, NODE_ENV, EVENT_STORE, EVENTSTORE_CONNECTION_STRING, PROCESS_ROLE,
 * JWT_SECRET / JWT_PUBLIC_KEY / JWT_JWKS_URL and the PERSONAL_DATA_* settings. Without a token key
 * the service runs in development mode with a generated secret kept in the data directory (so
 * `npm run token` signs with the same one); in production it refuses.
 */
export function loadRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const config = loadConfigWithoutTokens(env);
  return { ...config, jwt: jwtVerificationSettings(env, config.dataDir, config.production) };
}

/** Everything but how tokens are verified. */
export type ConfigWithoutTokens = Omit<RuntimeConfig, 'jwt'>;

/**
 * NODE_ENV as people write it: `PRODUCTION`, `Production` or `prod` started in development mode
 * with a generated secret, where only the exact `production` refused to start without one.
 */
export function isProduction(env: NodeJS.ProcessEnv): boolean {
  return /^\s*prod(uction)?\s*$/i.test(env['NODE_ENV'] ?? '');
}

/**
 * The configuration of a process that neither mints nor verifies tokens (the CLI's commands on a
 * store): the development secret is neither read nor created, so a command run on an evidence
 * directory leaves no `.dev-jwt-secret` in it.
 */
export function loadConfigWithoutTokens(env: NodeJS.ProcessEnv = process.env): ConfigWithoutTokens {
  const production = isProduction(env);
  const dataDir = dataDirOf(env);
  // A file there would otherwise surface as a stack trace from whichever mkdir or open came first.
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) throw new ConfigurationError(`DATA_DIR ${dataDir} はディレクトリではありません（ファイルです） / DATA_DIR ${dataDir} is not a directory`);
  // A file further up (DATA_DIR=/srv/file/data) surfaced as ENOTDIR from mkdir, after the development secret was looked for.
  assertUsablePath('DATA_DIR', dataDir, 'directory', false);
  const port = parsePort(env['PORT']);
  const eventStore = eventStoreKindOf(env);
  const connection = env['EVENTSTORE_CONNECTION_STRING'];
  if (eventStore === 'esdb' && !connection) {
    throw new ConfigurationError('EVENT_STORE=esdb needs EVENTSTORE_CONNECTION_STRING (e.g. esdb://localhost:2113?tls=false)');
  }
  // The client's own parser would fail at the first connection, as a stack trace.
  if (eventStore === 'esdb' && !/^esdb(\+discover)?:\/\/[^/?#]+/.test(connection!)) {
    throw new ConfigurationError(`EVENTSTORE_CONNECTION_STRING must start with esdb:// or esdb+discover:// and name a host (e.g. esdb://localhost:2113?tls=false), got "${connection}"`);
  }
  return {
    port,
    host: env['HOST'] ?? '0.0.0.0',
    dataDir,
    production,
    eventStore,
    eventStoreConnectionString: connection,
    role: parseRole(env['PROCESS_ROLE']),
    rateLimit: env['RATE_LIMIT'],
    logFormat: parseLogFormat(env['LOG_FORMAT']),
    personalData: {
      keyStoreFile: env['PERSONAL_DATA_KEY_FILE'] ? resolve(env['PERSONAL_DATA_KEY_FILE']) : join(dataDir, 'personal-data-keys.sqlite'),
      accessLogFile: join(dataDir, 'access-log.sqlite'),
      retentionDays: parseRetentionDays(env['PERSONAL_DATA_RETENTION_DAYS']),
    },
    projections: {
      maxAttempts: parseBoundedInteger('PROJECTION_MAX_ATTEMPTS', env['PROJECTION_MAX_ATTEMPTS'], 3, 2, 100),
      retryDelayMs: parseBoundedInteger('PROJECTION_RETRY_DELAY_MS', env['PROJECTION_RETRY_DELAY_MS'], 100, 1, 600_000),
    },
  };
}

function parseBoundedInteger(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigurationError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigurationError(`PORT must be an integer from 0 to 65535, got "${raw}"`);
  return port;
}

export type LogFormat = 'text' | 'json';

function parseLogFormat(raw: string | undefined): LogFormat {
  if (raw === undefined || raw === '' || raw === 'text') return 'text';
  if (raw === 'json') return 'json';
  throw new ConfigurationError(`LOG_FORMAT must be "text" (default) or "json", got "${raw}"`);
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

function parseRetentionDays(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1826;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1) throw new ConfigurationError(`PERSONAL_DATA_RETENTION_DAYS must be a positive number of days, got "${raw}"`);
  return days;
}
