import { SignJWT } from 'jose';
import { InvalidTokenError, mintToken, verifyToken } from './tokens';

const settings = { secret: new TextEncoder().encode('x'.repeat(40)), issuer: 'nws', audience: 'nws' };

describe('tokens', () => {
  it('round-trips the actor, including name and department', async () => {
    const token = await mintToken({ sub: 'yamada', org: '132012', role: 'applicant', name: '山田 花子', department: '情報管理課' }, settings);
    await expect(verifyToken(token, settings)).resolves.toEqual({ sub: 'yamada', org: '132012', role: 'applicant', name: '山田 花子', department: '情報管理課' });
  });

  it('refuses bodies with a wrong check digit and unknown roles at minting', async () => {
    await expect(mintToken({ sub: 'a', org: '132013', role: 'applicant' }, settings)).rejects.toThrow(/check digit/);
    await expect(mintToken({ sub: 'a', org: 'MIC', role: 'admin' as never }, settings)).rejects.toThrow(/role/);
  });

  it('refuses an expired token, allowing 30 s of clock skew', async () => {
    const past = new Date(Date.now() - 3600_000 - 20_000);
    const skewed = await mintToken({ sub: 'a', org: 'MIC', role: 'auditor' }, settings, { expiresIn: '1h', now: past });
    await expect(verifyToken(skewed, settings)).resolves.toMatchObject({ sub: 'a' });
    const expired = await mintToken({ sub: 'a', org: 'MIC', role: 'auditor' }, settings, { expiresIn: '1h', now: new Date(Date.now() - 3600_000 - 60_000) });
    await expect(verifyToken(expired, settings)).rejects.toThrow(/expired/);
  });

  it('refuses a forged signature, another issuer or audience, and tokens without claims', async () => {
    const other = { ...settings, secret: new TextEncoder().encode('y'.repeat(40)) };
    const forged = await mintToken({ sub: 'a', org: 'MIC', role: 'auditor' }, other);
    await expect(verifyToken(forged, settings)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifyToken(await mintToken({ sub: 'a', org: 'MIC', role: 'auditor' }, { ...settings, issuer: 'evil' }), settings)).rejects.toThrow(/iss/);
    await expect(verifyToken(await mintToken({ sub: 'a', org: 'MIC', role: 'auditor' }, { ...settings, audience: 'evil' }), settings)).rejects.toThrow(/aud/);
    const noRole = await new SignJWT({ org: 'MIC' }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setIssuer('nws').setAudience('nws').setIssuedAt().setExpirationTime('1h').sign(settings.secret);
    await expect(verifyToken(noRole, settings)).rejects.toThrow(/role/);
    await expect(verifyToken('not-a-token', settings)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses alg=none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'a', org: 'MIC', role: 'auditor', iss: 'nws', aud: 'nws', exp: 9e9, iat: 1 })).toString('base64url');
    await expect(verifyToken(`${header}.${body}.`, settings)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});
