import { resolve } from 'node:path';
import { mintToken } from '@nws/auth';
import type { Actor } from '@nws/engine';
import { loadRuntimeConfig } from '@nws/runtime';
import type { DistributorOptions } from './distributor.loop';

/** Who the reference distributor is when it mints its own token (development secret or JWT_SECRET). */
export const DISTRIBUTOR_ACTOR: Actor = { sub: 'reference-distributor', org: 'MIC', role: 'distributor', name: 'reference distributor' };
const REMINT_AFTER_MS = 30 * 60 * 1000;

/**
 * API_URL (default http://localhost:3000), DISTRIBUTOR_TOKEN — or, without it, a token minted
 * with the API's secret (JWT_SECRET, or the development secret of DATA_DIR) — CONSUMER (default
 * reference-distributor), OUTPUT_DIR (default ./distribution-output), POLL_INTERVAL_MS, BATCH_SIZE.
 */
export function distributorOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Omit<DistributorOptions, 'signal' | 'log'> {
  return {
    apiUrl: env['API_URL'] ?? 'http://localhost:3000',
    consumer: env['CONSUMER'] ?? 'reference-distributor',
    outputDir: resolve(env['OUTPUT_DIR'] ?? './distribution-output'),
    token: tokenSource(env),
    pollIntervalMs: positive(env['POLL_INTERVAL_MS'], 1000, 'POLL_INTERVAL_MS'),
    batchSize: positive(env['BATCH_SIZE'], 50, 'BATCH_SIZE'),
  };
}

function tokenSource(env: NodeJS.ProcessEnv): DistributorOptions['token'] {
  const fixed = env['DISTRIBUTOR_TOKEN'];
  if (fixed) return async () => fixed;
  const settings = loadRuntimeConfig(env).jwt;
  let minted: { token: string; at: number } | undefined;
  return async (renew) => {
    if (renew || !minted || Date.now() - minted.at > REMINT_AFTER_MS) {
      minted = { token: await mintToken(DISTRIBUTOR_ACTOR, settings, { expiresIn: '1h' }), at: Date.now() };
    }
    return minted.token;
  };
}

function positive(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}
