import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mintToken } from '@nws/auth';
import type { Actor } from '@nws/engine';
import { ConfigurationError, DEV_SECRET_FILE, dataDirOf, existingDevelopmentSecret, loadRuntimeConfig, type JwtVerificationSettings } from '@nws/runtime';
import type { DistributorOptions } from './distributor.loop';

/** Who the reference distributor is when it mints its own token (development secret or JWT_SECRET). */
export const DISTRIBUTOR_ACTOR: Actor = { sub: 'reference-distributor', org: 'MIC', role: 'distributor', name: 'reference distributor' };
const REMINT_AFTER_MS = 30 * 60 * 1000;

/**
 * API_URL (default http://localhost:3000), DISTRIBUTOR_TOKEN — or, without it, a token minted
 * with the API's secret (JWT_SECRET, or the development secret of DATA_DIR) — CONSUMER (default
 * reference-distributor), OUTPUT_DIR (default ./distribution-output), PULL_WAIT_MS (long polling,
 * default 20000; 0 polls every POLL_INTERVAL_MS instead), POLL_INTERVAL_MS, BATCH_SIZE.
 * SOURCE=esdb-persistent (with EVENTSTORE_CONNECTION_STRING) joins the consumer's persistent
 * subscription group on EventStoreDB instead of pulling; BATCH_SIZE is then its buffer size.
 * REFRESH_ON_START=true first fetches every version on disk again (see MasterDataFiles.refresh).
 */
export function distributorOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Omit<DistributorOptions, 'signal' | 'log'> & { readonly tokenSetting: string } {
  const source = env['SOURCE'] ?? 'api';
  if (source !== 'api' && source !== 'esdb-persistent') throw new ConfigurationError(`SOURCE must be api or esdb-persistent, got "${source}"`);
  const connectionString = env['EVENTSTORE_CONNECTION_STRING'];
  if (source === 'esdb-persistent' && !connectionString) throw new ConfigurationError('SOURCE=esdb-persistent needs EVENTSTORE_CONNECTION_STRING (the EventStoreDB cluster the worker uses)');
  return {
    ...(source === 'esdb-persistent' ? { esdb: { connectionString: connectionString! } } : {}),
    apiUrl: apiUrl(env['API_URL'] ?? 'http://localhost:3000'),
    consumer: env['CONSUMER'] ?? 'reference-distributor',
    outputDir: outputDir(env['OUTPUT_DIR'] ?? './distribution-output'),
    ...tokenSource(env),
    pullWaitMs: nonNegative(env['PULL_WAIT_MS'], 20_000, 'PULL_WAIT_MS'),
    pollIntervalMs: positive(env['POLL_INTERVAL_MS'], 1000, 'POLL_INTERVAL_MS'),
    batchSize: positive(env['BATCH_SIZE'], 50, 'BATCH_SIZE'),
    refreshOnStart: flag(env['REFRESH_ON_START'], 'REFRESH_ON_START'),
  };
}

/** The token, and the setting it comes from (what a 401 names: main.ts). */
function tokenSource(env: NodeJS.ProcessEnv): { token: DistributorOptions['token']; tokenSetting: string } {
  const fixed = env['DISTRIBUTOR_TOKEN'];
  if (fixed) return { token: async () => fixed, tokenSetting: 'DISTRIBUTOR_TOKEN' };
  const { settings, tokenSetting } = mintingSettings(env);
  let minted: { token: string; at: number } | undefined;
  const token: DistributorOptions['token'] = async (renew) => {
    if (renew || !minted || Date.now() - minted.at > REMINT_AFTER_MS) {
      minted = { token: await mintToken(DISTRIBUTOR_ACTOR, settings, { expiresIn: '1h' }), at: Date.now() };
    }
    return minted.token;
  };
  return { token, tokenSetting };
}

/**
 * The API's secret, never a new one: a development secret made here (loadRuntimeConfig creates
 * one in a DATA_DIR without it) signs tokens the API refuses, and leaves a `./data` behind.
 */
function mintingSettings(env: NodeJS.ProcessEnv): { settings: JwtVerificationSettings; tokenSetting: string } {
  if (env['JWT_PUBLIC_KEY'] || env['JWT_JWKS_URL']) {
    throw new ConfigurationError(
      'JWT_PUBLIC_KEY / JWT_JWKS_URL では API のトークンは ID プロバイダが署名するため、ここでは作れません。DISTRIBUTOR_TOKEN を設定してください / ' +
        'with JWT_PUBLIC_KEY / JWT_JWKS_URL the identity provider signs the API\'s tokens and none can be minted here: set DISTRIBUTOR_TOKEN',
    );
  }
  if (env['JWT_SECRET']) return { settings: loadRuntimeConfig(env).jwt, tokenSetting: 'JWT_SECRET' };
  const dataDir = dataDirOf(env);
  if (existingDevelopmentSecret(dataDir) === undefined) {
    throw new ConfigurationError(
      `DISTRIBUTOR_TOKEN も JWT_SECRET もなく、DATA_DIR ${dataDir} に API の開発用シークレット（${DEV_SECRET_FILE}）もありません。DISTRIBUTOR_TOKEN か API と同じ JWT_SECRET を設定するか、DATA_DIR を API のものにしてください。何も作成していません / ` +
        `no DISTRIBUTOR_TOKEN, no JWT_SECRET, and DATA_DIR ${dataDir} holds no development secret of the API (${DEV_SECRET_FILE}): set DISTRIBUTOR_TOKEN, or the API's JWT_SECRET, or DATA_DIR to the API's; nothing was created`,
    );
  }
  return { settings: loadRuntimeConfig(env).jwt, tokenSetting: `DATA_DIR (${join(dataDir, DEV_SECRET_FILE)})` };
}

/** A URL it cannot fetch would otherwise be retried forever, a failure logged every few seconds. */
function apiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(`API_URL must be the API's http(s) URL, e.g. http://localhost:3000, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigurationError(`API_URL must be an http or https URL, got "${raw}"`);
  return raw;
}

function outputDir(raw: string): string {
  const dir = resolve(raw);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ConfigurationError(`OUTPUT_DIR ${dir} is not a directory`);
  return dir;
}

function positive(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ConfigurationError(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function nonNegative(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 60_000) throw new ConfigurationError(`${name} must be an integer from 0 to 60000, got "${raw}"`);
  return value;
}

function flag(raw: string | undefined, name: string): boolean {
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigurationError(`${name} must be true or false, got "${raw}"`);
}
