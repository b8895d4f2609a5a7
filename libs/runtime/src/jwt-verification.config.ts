import { createPublicKey, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from './configuration-error';
import { isUnusablePathError } from './data-paths';

export const DEV_SECRET_FILE = '.dev-jwt-secret';
const PLACEHOLDER_SECRETS = /^(secret|changeme|change-me|password|jwt[-_]?secret|test|dev|development)$/i;

export type JwtMode = 'development' | 'configured' | 'public-key' | 'jwks';
export type AsymmetricAlgorithm = 'RS256' | 'ES256';

export interface JwtVerificationSettings {
  /**
   * HS256 secret: 'development' (generated, kept in the data directory) or 'configured'
   * (JWT_SECRET). Empty in 'public-key' and 'jwks' modes, where an identity provider signs tokens
   * and this service cannot mint any.
   */
  readonly secret: Uint8Array;
  readonly mode: JwtMode;
  readonly issuer: string;
  readonly audience: string;
  /** JWT_PUBLIC_KEY: an SPKI PEM (RSA ≥ 2048 bits → RS256, EC P-256 → ES256). */
  readonly publicKey?: { readonly pem: string; readonly algorithm: AsymmetricAlgorithm };
  /** JWT_JWKS_URL: the identity provider's key set (RS256 / ES256), fetched and cached by jose. */
  readonly jwksUrl?: string;
}

/**
 * How tokens are verified: one of JWT_SECRET (HS256), JWT_PUBLIC_KEY (PEM) or JWT_JWKS_URL.
 * Without any, development mode with a generated secret; with NODE_ENV=production, a refusal.
 * Two at once are refused too: which key signs is then a guess, and guesses make forgeries.
 */
export function jwtVerificationSettings(env: NodeJS.ProcessEnv, dataDir: string, production: boolean): JwtVerificationSettings {
  const issuer = env['JWT_ISSUER'] || 'nws-connection-workflow';
  const audience = env['JWT_AUDIENCE'] || 'nws-connection-workflow';
  const secret = env['JWT_SECRET'] || undefined;
  const pem = env['JWT_PUBLIC_KEY'] || undefined;
  const jwks = env['JWT_JWKS_URL'] || undefined;
  const chosen = [secret && 'JWT_SECRET', pem && 'JWT_PUBLIC_KEY', jwks && 'JWT_JWKS_URL'].filter(Boolean);
  if (chosen.length > 1) throw new ConfigurationError(`set only one of JWT_SECRET, JWT_PUBLIC_KEY and JWT_JWKS_URL (got ${chosen.join(' and ')})`);
  const none = new Uint8Array(0);
  if (pem) return { secret: none, mode: 'public-key', issuer, audience, publicKey: parsePublicKey(pem) };
  if (jwks) return { secret: none, mode: 'jwks', issuer, audience, jwksUrl: parseJwksUrl(jwks, production) };
  if (secret) {
    if (secret.length < 32 || PLACEHOLDER_SECRETS.test(secret)) {
      throw new ConfigurationError('JWT_SECRET must be a real secret of at least 32 characters (e.g. `openssl rand -hex 32`)');
    }
    return { secret: new TextEncoder().encode(secret), mode: 'configured', issuer, audience };
  }
  if (production) {
    throw new ConfigurationError('NODE_ENV=production: refusing to start without JWT_SECRET (at least 32 random characters), JWT_PUBLIC_KEY (PEM) or JWT_JWKS_URL');
  }
  return { secret: new TextEncoder().encode(developmentSecretSaid(dataDir)), mode: 'development', issuer, audience };
}

/** The first file a process in development mode makes in DATA_DIR: one it may not write stops it naming the setting, not with mkdir's stack. */
function developmentSecretSaid(dataDir: string): string {
  try {
    return developmentSecret(dataDir);
  } catch (error) {
    if (!isUnusablePathError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigurationError(
      `DATA_DIR ${dataDir} に開発用シークレット（${DEV_SECRET_FILE}）を作れません（${code}） / DATA_DIR ${dataDir} cannot be used: the development secret (${DEV_SECRET_FILE}) cannot be made there (${code})`,
      { cause: error },
    );
  }
}

function parsePublicKey(raw: string): { pem: string; algorithm: AsymmetricAlgorithm } {
  // Environment files often carry a PEM on one line with literal \n.
  const pem = raw.includes('\\n') ? raw.replaceAll('\\n', '\n') : raw;
  let key;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new ConfigurationError('JWT_PUBLIC_KEY must be a public key in PEM (-----BEGIN PUBLIC KEY-----)');
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= 2048) return { pem, algorithm: 'RS256' };
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') return { pem, algorithm: 'ES256' };
  throw new ConfigurationError('JWT_PUBLIC_KEY must be an RSA key of at least 2048 bits (RS256) or an EC P-256 key (ES256)');
}

function parseJwksUrl(raw: string, production: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(`JWT_JWKS_URL must be a URL, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && (production || url.protocol !== 'http:')) {
    throw new ConfigurationError('JWT_JWKS_URL must use https (http is accepted outside production only)');
  }
  return url.toString();
}

/**
 * The development secret a data directory holds already, or undefined: for a process that signs
 * tokens for the API (the reference distributor) and must never make one of its own, which the API
 * would refuse (401).
 */
export function existingDevelopmentSecret(dataDir: string): string | undefined {
  const file = join(dataDir, DEV_SECRET_FILE);
  if (!existsSync(file)) return undefined;
  const existing = readFileSync(file, 'utf8').trim();
  return existing.length >= 32 ? existing : undefined;
}

/** The development secret of a data directory, created on first use (file mode 0600). */
export function developmentSecret(dataDir: string): string {
  const file = join(dataDir, DEV_SECRET_FILE);
  const existing = existingDevelopmentSecret(dataDir);
  if (existing !== undefined) return existing;
  // Empty or cut off: the file was being written when the machine stopped or the disk filled.
  // No token was ever signed with a secret that never reached the disk: make a new one.
  if (existsSync(file)) rmSync(file, { force: true });
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${secret}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    // Another process (the API and `npm run token` at once) created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
  chmodSync(file, 0o600);
  return secret;
}
