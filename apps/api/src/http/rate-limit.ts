import { HttpException, HttpStatus, Inject, Injectable, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions, type ThrottlerOptions, type ThrottlerStorage } from '@nestjs/throttler';
import type { TokenVerifier } from '@nws/auth';
import { ConfigurationError } from '@nws/runtime';
import { TOKEN_VERIFIER } from '../infrastructure/tokens';
import { bearerOf } from '../auth/jwt-auth.guard';
import type { AuthenticatedRequest } from '../auth/current-actor.decorator';

/**
 * `RATE_LIMIT`: comma-separated `N/s`, `N/min` or `N/h` windows per caller (default `20/s,300/min`),
 * or `off`. The per-IP limit in front of authentication is ten times the first window, so token
 * guessing is slowed without hurting a gateway that carries many callers.
 */
export function rateLimitWindows(raw: string | undefined): ThrottlerOptions[] {
  if (raw === 'off') return [];
  const units: Record<string, number> = { s: 1000, min: 60_000, h: 3_600_000 };
  return (raw ?? '20/s,300/min').split(',').map((part, index) => {
    const match = /^\s*(\d+)\/(s|min|h)\s*$/.exec(part);
    if (!match) throw new ConfigurationError(`RATE_LIMIT: "${part}" must look like 20/s, 300/min or 5000/h (or the whole value "off")`);
    return { name: `w${index}`, limit: Number(match[1]), ttl: units[match[2]!]! };
  });
}

function tooMany(context: ExecutionContext, detail: ThrottlerLimitDetail): HttpException {
  // Named windows get suffixed headers from the throttler; clients and proxies read plain Retry-After.
  context.switchToHttp().getResponse<{ header(name: string, value: string): unknown }>().header('Retry-After', String(Math.max(1, Math.ceil(detail.timeToBlockExpire))));
  return new HttpException(
    {
      ja: `要求が多すぎます。${Math.ceil(detail.timeToBlockExpire)}秒後に再実行してください（上限 ${detail.limit}件／${detail.ttl / 1000}秒）。`,
      en: `too many requests; retry in ${Math.ceil(detail.timeToBlockExpire)} s (limit ${detail.limit} per ${detail.ttl / 1000} s)`,
    },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}

const NO_RATE_LIMIT = 'nws:no-rate-limit';
/** Probes (health, metrics) are never limited, whatever windows RATE_LIMIT names. */
export const NoRateLimit = () => SetMetadata(NO_RATE_LIMIT, true);

/** Windows count a caller's requests across all routes, not per route. */
abstract class NwsThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return this.reflector.getAllAndOverride<boolean>(NO_RATE_LIMIT, [context.getHandler(), context.getClass()]) ?? false;
  }
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw tooMany(context, detail);
  }
}

/**
 * Before authentication: by client address (multiplied limits). An address over its limit is
 * refused only what carries no valid token: a flood of bad or missing tokens from one address (a
 * proxy's, a gateway's) locked every caller behind it out for the window, their valid tokens too.
 */
@Injectable()
export class AddressThrottlerGuard extends NwsThrottlerGuard {
  private readonly tokens: TokenVerifier;

  constructor(@InjectThrottlerOptions() options: ThrottlerModuleOptions, @InjectThrottlerStorage() storage: ThrottlerStorage, reflector: Reflector, @Inject(TOKEN_VERIFIER) tokens: TokenVerifier) {
    super(options, storage, reflector);
    this.tokens = tokens;
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await super.canActivate(context);
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() !== HttpStatus.TOO_MANY_REQUESTS || !(await this.carriesValidToken(context))) throw error;
      context.switchToHttp().getResponse<{ removeHeader(name: string): unknown }>().removeHeader('Retry-After');
      return true;
    }
  }

  private async carriesValidToken(context: ExecutionContext): Promise<boolean> {
    const token = bearerOf(context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['authorization']);
    if (!token) return false;
    return this.tokens.verify(token).then(
      () => true,
      () => false,
    );
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return `ip:${String(req['ip'] ?? 'unknown')}`;
  }
  protected override async handleRequest(request: Parameters<ThrottlerGuard['handleRequest']>[0]): Promise<boolean> {
    return super.handleRequest({ ...request, limit: request.limit * 10 });
  }
}

/** After authentication: by person and body, so one caller cannot starve the others. */
@Injectable()
export class CallerThrottlerGuard extends NwsThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const actor = (req as unknown as AuthenticatedRequest).actor;
    return actor ? `caller:${actor.org}:${actor.sub}` : `ip:${String(req['ip'] ?? 'unknown')}`;
  }
}
