import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { Actor, Role } from '@nws/engine';
import { ROLES } from '@nws/engine';
import { hasValidCheckDigit } from '@nws/reference-catalog';

export interface TokenSettings {
  readonly secret: Uint8Array;
  readonly issuer: string;
  readonly audience: string;
}

export interface MintOptions {
  /** e.g. '8h', '30m' (jose time span). */
  readonly expiresIn?: string;
  readonly now?: Date;
}

export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

const NATIONAL_BODIES = ['J-LIS', 'MIC'];

/** A body is a 6-digit 全国地方公共団体コード with a valid check digit, J-LIS or MIC. */
export function isValidBody(org: string): boolean {
  return NATIONAL_BODIES.includes(org) || hasValidCheckDigit(org);
}

export function isRole(role: string): role is Role {
  return (ROLES as readonly string[]).includes(role);
}

export async function mintToken(actor: Actor, settings: TokenSettings, options: MintOptions = {}): Promise<string> {
  if (!isValidBody(actor.org)) throw new InvalidTokenError(`org "${actor.org}" is not a 6-digit local government code with a valid check digit, J-LIS or MIC`);
  if (!isRole(actor.role)) throw new InvalidTokenError(`role "${actor.role}" is not one of ${ROLES.join(', ')}`);
  if (!actor.sub.trim()) throw new InvalidTokenError('sub must not be empty');
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({
    org: actor.org,
    role: actor.role,
    ...(actor.name ? { name: actor.name } : {}),
    ...(actor.department ? { department: actor.department } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(actor.sub)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + seconds(options.expiresIn ?? '8h'))
    .sign(settings.secret);
}

function seconds(span: string): number {
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(span);
  if (!match) throw new InvalidTokenError(`expiry "${span}" must look like 30m, 8h or 2d`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

/** Verifies signature, expiry (with 30 s of clock skew), issuer and audience, and the claims' shape. */
export async function verifyToken(token: string, settings: TokenSettings): Promise<Actor> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, settings.secret, {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: ['HS256'],
      clockTolerance: 30,
      requiredClaims: ['sub', 'exp', 'iat'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new InvalidTokenError('the token has expired');
    if (error instanceof joseErrors.JWTClaimValidationFailed) throw new InvalidTokenError(`the token's ${error.claim} claim is not accepted`);
    if (error instanceof joseErrors.JOSEError) throw new InvalidTokenError('the token signature or format is not valid');
    throw error;
  }
  const { sub, org, role, name, department } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || !sub) throw new InvalidTokenError('the token has no subject');
  if (typeof org !== 'string' || !isValidBody(org)) throw new InvalidTokenError('the token has no valid org claim');
  if (typeof role !== 'string' || !isRole(role)) throw new InvalidTokenError('the token has no valid role claim');
  return {
    sub,
    org,
    role,
    ...(typeof name === 'string' ? { name } : {}),
    ...(typeof department === 'string' ? { department } : {}),
  };
}
