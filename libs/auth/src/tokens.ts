import { SignJWT, createRemoteJWKSet, errors as joseErrors, importSPKI, jwtVerify, type JWTPayload, type KeyLike } from 'jose';
import type { Actor, Role } from '@nws/engine';
import { LruMap, ROLES } from '@nws/engine';
import { hasValidCheckDigit } from '@nws/reference-catalog';

export interface TokenSettings {
  /** HS256 secret; empty when an identity provider signs the tokens (publicKey or jwksUrl). */
  readonly secret: Uint8Array;
  readonly issuer: string;
  readonly audience: string;
  /** Verify RS256 / ES256 tokens with this SPKI PEM public key. */
  readonly publicKey?: { readonly pem: string; readonly algorithm: 'RS256' | 'ES256' };
  /** Verify RS256 / ES256 tokens with the identity provider's JWKS (fetched, cached and refreshed by jose). */
  readonly jwksUrl?: string;
}

export interface MintOptions {
  /** e.g. '8h', '30m' (jose time span). */
  readonly expiresIn?: string;
  readonly now?: Date;
}

export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** The identity provider's key set could not be fetched: the token is not known to be bad, so not a 401. */
export class KeySetUnavailableError extends Error {
  override readonly name = 'KeySetUnavailableError';
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
  if (settings.secret.length === 0) {
    throw new InvalidTokenError('tokens are issued by the identity provider (JWT_PUBLIC_KEY / JWT_JWKS_URL): this service cannot mint them');
  }
  if (!isValidBody(actor.org)) throw new InvalidTokenError(`org "${actor.org}" is not a 6-digit local government code with a valid check digit, J-LIS or MIC`);
  if (!isRole(actor.role)) throw new InvalidTokenError(`role "${actor.role}" is not one of ${ROLES.join(', ')}`);
  if (!actor.sub.trim()) throw new InvalidTokenError('sub must not be empty');
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({
    org: actor.org,
    role: actor.role,
    ...(actor.organ ? { organ: actor.organ } : {}),
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

const remoteKeySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
const publicKeys = new Map<string, Promise<KeyLike>>();

/** How long a fetched JWKS is used before it is fetched again (jose's default: 10 minutes). */
const JWKS_MAX_AGE_MS = 60_000;

/** jose's and ours: exp and nbf are judged with this much clock skew. */
const CLOCK_TOLERANCE_S = 30;

/**
 * Verifies signature, expiry (with 30 s of clock skew), issuer and audience, and the claims' shape.
 * The algorithm follows from the configured key, never from the token's header: an HS256 token
 * is refused where a public key is configured, and `alg: none` everywhere.
 */
export async function verifyToken(token: string, settings: TokenSettings): Promise<Actor> {
  return (await verifyClaims(token, settings, new Date())).actor;
}

interface Verified {
  readonly actor: Actor;
  readonly exp: number;
  readonly nbf: number | undefined;
}

async function verifyClaims(token: string, settings: TokenSettings, currentDate: Date): Promise<Verified> {
  let payload: JWTPayload;
  const options = { issuer: settings.issuer, audience: settings.audience, clockTolerance: CLOCK_TOLERANCE_S, requiredClaims: ['sub', 'exp', 'iat'], currentDate };
  try {
    if (settings.jwksUrl) {
      let keySet = remoteKeySets.get(settings.jwksUrl);
      // Fetched again once a minute at most: jose's default kept a key set for 10 minutes, so a key the
      // identity provider withdrew (while it still signs with another it published) stayed accepted that long.
      if (!keySet) remoteKeySets.set(settings.jwksUrl, (keySet = createRemoteJWKSet(new URL(settings.jwksUrl), { cacheMaxAge: JWKS_MAX_AGE_MS, cooldownDuration: 30_000 })));
      ({ payload } = await jwtVerify(token, keySet, { ...options, algorithms: ['RS256', 'ES256'] }));
    } else if (settings.publicKey) {
      const { pem, algorithm } = settings.publicKey;
      let key = publicKeys.get(`${algorithm}\u0000${pem}`);
      if (!key) publicKeys.set(`${algorithm}\u0000${pem}`, (key = importSPKI(pem, algorithm)));
      ({ payload } = await jwtVerify(token, await key, { ...options, algorithms: [algorithm] }));
    } else {
      if (settings.secret.length === 0) throw new InvalidTokenError('no token verification key is configured');
      ({ payload } = await jwtVerify(token, settings.secret, { ...options, algorithms: ['HS256'] }));
    }
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error;
    // A key set the provider did not serve (an HTTP error, a page that is no key set) is its outage, not
    // the caller's bad token: jose says so with its generic error or JWKSInvalid, which were answered 401.
    const keySetNotServed = error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid || (error instanceof joseErrors.JOSEError && error.constructor === joseErrors.JOSEError) || !(error instanceof joseErrors.JOSEError);
    if (settings.jwksUrl && keySetNotServed) {
      throw new KeySetUnavailableError(`the identity provider's keys (JWT_JWKS_URL) could not be fetched: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (error instanceof joseErrors.JWTExpired) throw new InvalidTokenError('the token has expired');
    if (error instanceof joseErrors.JWTClaimValidationFailed) throw new InvalidTokenError(`the token's ${error.claim} claim is not accepted`);
    if (error instanceof joseErrors.JWKSNoMatchingKey) throw new InvalidTokenError('the token was signed with a key the identity provider does not publish');
    if (error instanceof joseErrors.JOSEError) throw new InvalidTokenError('the token signature or format is not valid');
    throw error;
  }
  const { sub, org, role, organ, name, department } = payload as Record<string, unknown>;
  // Printable, not blank: a subject goes into logs and the permanent record (" " and line breaks were taken).
  if (typeof sub !== 'string' || !/^[^\p{C}\p{Z}]/u.test(sub) || /[\p{Cc}\p{Cf}\u2028\u2029]/u.test(sub) || sub.length > 200) throw new InvalidTokenError('the token has no subject');
  if (typeof org !== 'string' || !isValidBody(org)) throw new InvalidTokenError('the token has no valid org claim');
  if (typeof role !== 'string' || !isRole(role)) throw new InvalidTokenError('the token has no valid role claim');
  // An organ that is not a string (a multi-valued claim, ["市町村教育委員会"]) was dropped, and the token spoke for the head department.
  if (organ !== undefined && typeof organ !== 'string') throw new InvalidTokenError('the token has no valid organ claim');
  for (const [claim, value] of [['name', name], ['department', department]] as const) {
    if (value !== undefined && typeof value !== 'string') throw new InvalidTokenError(`the token has no valid ${claim} claim`);
  }
  const actor: Actor = Object.freeze({
    sub,
    org,
    role,
    ...(typeof organ === 'string' ? { organ } : {}),
    ...(typeof name === 'string' ? { name } : {}),
    ...(typeof department === 'string' ? { department } : {}),
  });
  // requiredClaims made jose check that exp is there and a number.
  return { actor, exp: payload.exp as number, nbf: payload.nbf };
}

export interface TokenVerifierOptions {
  /** Milliseconds since the epoch (tests move it). */
  readonly now?: () => number;
  /** Distinct tokens remembered (least recently used forgotten first). */
  readonly capacity?: number;
  /** How long a verdict is reused before the token is verified again in full. */
  readonly maxAgeMs?: number;
}

/**
 * `verifyToken` for a server that sees the same tokens again and again: a client sends its token
 * with every request for hours, and verifying it (signature, jose's parsing) cost ~100 µs of the
 * API's main thread per request, ~7 % of a durable save. The same bytes under the same keys get
 * the same verdict except for time, so a token that passed is remembered and, on its next use,
 * only its time claims (exp, nbf, with the same skew) are judged again. A verdict is reused for
 * at most `maxAgeMs` (60 s): a key the identity provider withdraws stops being accepted within
 * that, as within jose's own key-set cache. Refusals are never remembered.
 */
export class TokenVerifier {
  private readonly verified: LruMap<string, Verified & { readonly at: number }>;
  private readonly now: () => number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly settings: TokenSettings,
    options: TokenVerifierOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.verified = new LruMap(options.capacity ?? 10_000);
  }

  async verify(token: string): Promise<Actor> {
    const now = this.now();
    const known = this.verified.get(token);
    if (known && now - known.at < this.maxAgeMs && inTime(known, now)) return known.actor;
    const verified = await verifyClaims(token, this.settings, new Date(now));
    this.verified.set(token, { ...verified, at: now });
    return verified.actor;
  }
}

/** jose's judgement of exp and nbf, in whole seconds as jose takes them. */
function inTime(claims: Pick<Verified, 'exp' | 'nbf'>, nowMs: number): boolean {
  const now = Math.floor(nowMs / 1000);
  return claims.exp > now - CLOCK_TOLERANCE_S && (claims.nbf === undefined || claims.nbf <= now + CLOCK_TOLERANCE_S);
}
