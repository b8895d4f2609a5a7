import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, loadRuntimeConfig } from './runtime-config';

const pem = (type: 'rsa' | 'ec', options: object) =>
  (generateKeyPairSync(type as 'rsa', options as never) as unknown as { publicKey: KeyObject }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('token verification and personal-data settings', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'nws-jwt-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
  const load = (env: NodeJS.ProcessEnv) => loadRuntimeConfig({ DATA_DIR: dataDir, ...env });

  it('in production starts with a public key (RSA ≥ 2048 → RS256, EC P-256 → ES256), also written on one line with \\n', () => {
    const rsa = pem('rsa', { modulusLength: 2048 });
    expect(load({ NODE_ENV: 'production', JWT_PUBLIC_KEY: rsa }).jwt).toMatchObject({ mode: 'public-key', publicKey: { algorithm: 'RS256' } });
    expect(load({ NODE_ENV: 'production', JWT_PUBLIC_KEY: rsa.replaceAll('\n', '\\n') }).jwt.publicKey?.pem).toBe(rsa);
    expect(load({ NODE_ENV: 'production', JWT_PUBLIC_KEY: pem('ec', { namedCurve: 'P-256' }) }).jwt).toMatchObject({ mode: 'public-key', publicKey: { algorithm: 'ES256' }, secret: new Uint8Array(0) });
  });

  it('refuses weak, foreign or malformed keys', () => {
    expect(() => load({ JWT_PUBLIC_KEY: pem('rsa', { modulusLength: 1024 }) })).toThrow(/at least 2048/);
    expect(() => load({ JWT_PUBLIC_KEY: pem('ec', { namedCurve: 'P-384' }) })).toThrow(/P-256/);
    expect(() => load({ JWT_PUBLIC_KEY: 'not a key' })).toThrow(/PEM/);
  });

  it('in production starts with an https JWKS URL; http only outside production', () => {
    expect(load({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://idp.example.jp/.well-known/jwks.json' }).jwt).toMatchObject({ mode: 'jwks', jwksUrl: 'https://idp.example.jp/.well-known/jwks.json' });
    expect(() => load({ NODE_ENV: 'production', JWT_JWKS_URL: 'http://idp.example.jp/jwks.json' })).toThrow(/https/);
    expect(load({ JWT_JWKS_URL: 'http://127.0.0.1:8080/jwks.json' }).jwt.mode).toBe('jwks');
    expect(() => load({ JWT_JWKS_URL: 'idp' })).toThrow(ConfigurationError);
  });

  it('refuses two ways at once, and production without any, naming all three', () => {
    expect(() => load({ JWT_SECRET: 'a'.repeat(40), JWT_JWKS_URL: 'https://idp.example.jp/jwks.json' })).toThrow(/only one/);
    expect(() => load({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET.*JWT_PUBLIC_KEY.*JWT_JWKS_URL/);
  });

  it('personal data: key file apart from the events, retention period', () => {
    const config = load({});
    expect(config.personalData).toEqual({ keyStoreFile: join(dataDir, 'personal-data-keys.sqlite'), accessLogFile: join(dataDir, 'access-log.sqlite'), retentionDays: 1826 });
    expect(load({ PERSONAL_DATA_KEY_FILE: '/keys/nws.sqlite', PERSONAL_DATA_RETENTION_DAYS: '365' }).personalData).toMatchObject({ keyStoreFile: '/keys/nws.sqlite', retentionDays: 365 });
    expect(() => load({ PERSONAL_DATA_RETENTION_DAYS: '0' })).toThrow(/PERSONAL_DATA_RETENTION_DAYS/);
  });
});
