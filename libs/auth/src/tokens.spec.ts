import { SignJWT } from 'jose';
import { InvalidTokenError, TokenVerifier, mintToken, verifyToken } from './tokens';

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

  it('refuses an organ, name or department that is not a string (a multi-valued claim spoke for the head department), and a blank or control-character subject', async () => {
    const signed = (claims: Record<string, unknown>, sub = 'a') => new SignJWT({ org: '132012', role: 'applicant', ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer('nws').setAudience('nws').setIssuedAt().setExpirationTime('1h').sign(settings.secret);
    await expect(verifyToken(await signed({ organ: ['市町村教育委員会'] }), settings)).rejects.toThrow(/organ/);
    await expect(verifyToken(await signed({ organ: 1 }), settings)).rejects.toThrow(/organ/);
    await expect(verifyToken(await signed({ name: ['山田'] }), settings)).rejects.toThrow(/name/);
    for (const sub of [' ', '\u200b', 'x\r\nFAKE LOG LINE', 'x\u202e']) await expect(verifyToken(await signed({}, sub), settings)).rejects.toThrow(/subject/);
    await expect(verifyToken(await signed({ organ: '市町村教育委員会' }, 'kyoiku-1'), settings)).resolves.toMatchObject({ sub: 'kyoiku-1', organ: '市町村教育委員会' });
  });

  it('refuses alg=none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'a', org: 'MIC', role: 'auditor', iss: 'nws', aud: 'nws', exp: 9e9, iat: 1 })).toString('base64url');
    await expect(verifyToken(`${header}.${body}.`, settings)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

describe('TokenVerifier: a verified token is remembered, its time claims judged at every use', () => {
  const t0 = Date.parse('2026-12-06T09:00:00Z');
  const actor = { sub: 'a', org: 'MIC', role: 'auditor' } as const;
  /** Settings of their own: the tests withdraw the key by overwriting it in place. */
  const ownSettings = () => ({ ...settings, secret: new TextEncoder().encode('z'.repeat(40)) });

  it('given a verified token, when its key is withdrawn, it is still accepted for at most maxAgeMs, then verified again and refused', async () => {
    const keys = ownSettings();
    let now = t0;
    const verifier = new TokenVerifier(keys, { now: () => now, maxAgeMs: 60_000 });
    const token = await mintToken(actor, keys, { now: new Date(t0), expiresIn: '8h' });
    await expect(verifier.verify(token)).resolves.toEqual(actor);
    keys.secret.fill(0x41);
    now = t0 + 59_000;
    await expect(verifier.verify(token)).resolves.toEqual(actor);
    now = t0 + 60_000;
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifyToken(token, keys)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('given a remembered token, when it expires, it is refused as expired (30 s of skew, as jose judges it)', async () => {
    let now = t0;
    const verifier = new TokenVerifier(settings, { now: () => now, maxAgeMs: 24 * 3600_000 });
    const token = await mintToken(actor, settings, { now: new Date(t0), expiresIn: '1h' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'a' });
    now = t0 + 3600_000 + 29_999;
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'a' });
    now = t0 + 3600_000 + 30_000;
    await expect(verifier.verify(token)).rejects.toThrow(/expired/);
  });

  it('never remembers a refusal: a token refused before its nbf is accepted once it is due', async () => {
    let now = t0;
    const verifier = new TokenVerifier(settings, { now: () => now });
    const early = await new SignJWT({ org: 'MIC', role: 'auditor' }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setIssuer('nws').setAudience('nws')
      .setIssuedAt(t0 / 1000).setNotBefore(t0 / 1000 + 120).setExpirationTime(t0 / 1000 + 3600).sign(settings.secret);
    await expect(verifier.verify(early)).rejects.toThrow(/nbf/);
    now = t0 + 90_000;
    await expect(verifier.verify(early)).resolves.toMatchObject({ sub: 'a' });
  });

  it('refuses what verifyToken refuses, and hands out an actor nobody can change for the next request', async () => {
    const verifier = new TokenVerifier(settings);
    await expect(verifier.verify(await mintToken(actor, ownSettings()))).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifier.verify('not-a-token')).rejects.toBeInstanceOf(InvalidTokenError);
    const token = await mintToken(actor, settings);
    const first = await verifier.verify(token);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => Object.assign(first, { role: 'second-reviewer' })).toThrow(TypeError);
    await expect(verifier.verify(token)).resolves.toEqual(actor);
  });
});
