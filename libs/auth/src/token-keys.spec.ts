import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type KeyLike } from 'jose';
import { InvalidTokenError, KeySetUnavailableError, mintToken, verifyToken, type TokenSettings } from './tokens';

const claims = { org: 'MIC', role: 'auditor' };
const base = { secret: new Uint8Array(0), issuer: 'nws', audience: 'nws' };

function sign(key: KeyLike | Uint8Array, alg: string, options: { kid?: string; nbf?: number; now?: number } = {}): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, ...(options.kid ? { kid: options.kid } : {}) }).setSubject('a').setIssuer('nws').setAudience('nws').setIssuedAt(now).setExpirationTime(now + 600);
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(key);
}

describe('tokens signed by an identity provider (JWT_PUBLIC_KEY, JWT_JWKS_URL)', () => {
  it('RS256 with a configured public key: accepted; another key, HS256 keyed with the PEM (algorithm confusion) and alg none: refused', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const pem = await exportSPKI(publicKey);
    const settings: TokenSettings = { ...base, publicKey: { pem, algorithm: 'RS256' } };
    await expect(verifyToken(await sign(privateKey, 'RS256'), settings)).resolves.toMatchObject({ sub: 'a', role: 'auditor' });
    const other = await generateKeyPair('RS256');
    await expect(verifyToken(await sign(other.privateKey, 'RS256'), settings)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifyToken(await sign(new TextEncoder().encode(pem), 'HS256'), settings)).rejects.toBeInstanceOf(InvalidTokenError);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, sub: 'a', iss: 'nws', aud: 'nws', iat: 1, exp: 9e9 })).toString('base64url')}.`;
    await expect(verifyToken(none, settings)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('ES256 with a configured public key; the service cannot mint tokens then', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const settings: TokenSettings = { ...base, publicKey: { pem: await exportSPKI(publicKey), algorithm: 'ES256' } };
    await expect(verifyToken(await sign(privateKey, 'ES256'), settings)).resolves.toMatchObject({ sub: 'a' });
    await expect(mintToken({ sub: 'a', org: 'MIC', role: 'auditor' }, settings)).rejects.toThrow(/identity provider/);
  });

  it('clock skew: 30 s are tolerated on nbf and exp, more is refused', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const settings: TokenSettings = { ...base, publicKey: { pem: await exportSPKI(publicKey), algorithm: 'ES256' } };
    const now = Math.floor(Date.now() / 1000);
    await expect(verifyToken(await sign(privateKey, 'ES256', { nbf: now + 20, now: now + 20 }), settings)).resolves.toMatchObject({ sub: 'a' });
    await expect(verifyToken(await sign(privateKey, 'ES256', { nbf: now + 90, now: now + 90 }), settings)).rejects.toThrow(/nbf/);
    await expect(verifyToken(await sign(privateKey, 'ES256', { now: now - 600 - 20 }), settings)).resolves.toMatchObject({ sub: 'a' });
    await expect(verifyToken(await sign(privateKey, 'ES256', { now: now - 600 - 60 }), settings)).rejects.toThrow(/expired/);
  });

  describe('with a JWKS endpoint', () => {
    let server: Server;
    let url: string;
    let keys: Awaited<ReturnType<typeof generateKeyPair>>;

    beforeAll(async () => {
      keys = await generateKeyPair('ES256');
      const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
      server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('accepts a token whose kid the key set publishes; refuses an unknown kid', async () => {
      const settings: TokenSettings = { ...base, jwksUrl: url };
      await expect(verifyToken(await sign(keys.privateKey, 'ES256', { kid: 'k1' }), settings)).resolves.toMatchObject({ sub: 'a' });
      const stranger = await generateKeyPair('ES256');
      await expect(verifyToken(await sign(stranger.privateKey, 'ES256', { kid: 'k9' }), settings)).rejects.toThrow(/does not publish/);
    });

    it('an unreachable key set is not a bad token: KeySetUnavailableError (the API answers 503)', async () => {
      const settings: TokenSettings = { ...base, jwksUrl: 'http://127.0.0.1:9/jwks.json' };
      await expect(verifyToken(await sign(keys.privateKey, 'ES256', { kid: 'k1' }), settings)).rejects.toBeInstanceOf(KeySetUnavailableError);
    });

    it('a key set the provider answers with an HTTP error or a page that is no key set is its outage too, not a bad token (they were 401s)', async () => {
      for (const [status, body] of [
        [502, 'Bad Gateway'],
        [404, 'not found'],
        [200, '<html>maintenance</html>'],
        [200, '{"keys": "none"}'],
      ] as const) {
        const failing = createServer((_req, res) => res.writeHead(status, { 'content-type': 'text/html' }).end(body));
        await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
        try {
          const settings: TokenSettings = { ...base, jwksUrl: `http://127.0.0.1:${(failing.address() as AddressInfo).port}/jwks.json` };
          await expect(verifyToken(await sign(keys.privateKey, 'ES256', { kid: 'k1' }), settings)).rejects.toBeInstanceOf(KeySetUnavailableError);
        } finally {
          await new Promise((resolve) => failing.close(resolve));
        }
      }
    });

    it('a key the provider withdraws is refused once the key set is a minute old (jose kept it ten minutes)', async () => {
      const withdrawn = await generateKeyPair('ES256');
      const kept = await generateKeyPair('ES256');
      const jwk = async (key: KeyLike, kid: string) => ({ ...(await exportJWK(key)), kid, alg: 'ES256', use: 'sig' });
      let published = [await jwk(withdrawn.publicKey, 'old'), await jwk(kept.publicKey, 'new')];
      const provider = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published })));
      await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
      const realNow = Date.now;
      try {
        const settings: TokenSettings = { ...base, jwksUrl: `http://127.0.0.1:${(provider.address() as AddressInfo).port}/jwks.json` };
        await expect(verifyToken(await sign(withdrawn.privateKey, 'ES256', { kid: 'old' }), settings)).resolves.toMatchObject({ sub: 'a' });
        published = [await jwk(kept.publicKey, 'new')];
        // jose judges the key set's age by Date.now: 61 s later, as the identity provider has long withdrawn the key.
        const later = realNow() + 61_000;
        Date.now = () => later;
        const token = await sign(withdrawn.privateKey, 'ES256', { kid: 'old', now: Math.floor(later / 1000) });
        await expect(verifyToken(token, settings)).rejects.toThrow(/does not publish/);
      } finally {
        Date.now = realNow;
        await new Promise((resolve) => provider.close(resolve));
      }
    });
  });
});
