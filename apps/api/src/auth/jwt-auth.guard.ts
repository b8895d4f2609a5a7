import { Inject, Injectable, ServiceUnavailableException, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { ValidationFailedError } from '@nws/engine';
import { InvalidTokenError, KeySetUnavailableError, type TokenVerifier } from '@nws/auth';
import { ORGANIZATION_KINDS } from '@nws/workflows/connection-application';
import { isOrganOf, organsOf } from '@nws/workflows/shared/organizations';
import type { RuntimeConfig } from '@nws/runtime';
import { RUNTIME_CONFIG, TOKEN_VERIFIER } from '../infrastructure/tokens';
import type { AuthenticatedRequest } from './current-actor.decorator';
import { IS_PUBLIC } from './public.decorator';

/** The bearer token of a request, if it sends one. */
export function bearerOf(header: unknown): string | undefined {
  return typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
}

/**
 * The request's bearer token. Node keeps the first of two Authorization headers and drops the
 * other, so a request carrying two tokens was served as whoever came first, silently: a proxy or
 * log that reads the other one sees another caller. Two are refused by name.
 */
export function bearerOfRequest(request: { readonly raw: IncomingMessage }): string | undefined {
  if ((request.raw.headersDistinct['authorization']?.length ?? 0) > 1) {
    throw new ValidationFailedError([
      { field: 'Authorization', rule: 'notRepeated', message: { ja: 'Authorization: 1回だけ指定してください（複数のトークンが送られています）。', en: 'Authorization: is given more than once (two tokens); give it once' } },
    ]);
  }
  return bearerOf(request.raw.headers.authorization);
}

/** A request without a token: said as where tokens come from (an identity provider, or `npm run -s token` with this API's secret). */
export function missingToken(mode: RuntimeConfig['jwt']['mode']): UnauthorizedException {
  return new UnauthorizedException(
    mode === 'public-key' || mode === 'jwks'
      ? { ja: 'Authorization: 認証基盤が発行した Bearer トークンが必要です。', en: 'Authorization: a Bearer token from the identity provider is required' }
      : {
          ja: 'Authorization: Bearer トークンが必要です（npm run -s token -- --sub … --org … --role … で発行）。',
          en: 'Authorization: a Bearer token is required (mint one with npm run -s token -- --sub … --org … --role …)',
        },
  );
}

export function invalidToken(mode: RuntimeConfig['jwt']['mode'], error: InvalidTokenError): UnauthorizedException {
  // In development the secret is the data directory's own: a token minted without the API's DATA_DIR is signed with another.
  const hint =
    mode === 'development' && /signature/.test(error.message)
      ? { ja: ' 開発モードでは、トークンは API と同じ DATA_DIR で発行してください（DATA_DIR=… npm run -s token -- …）。', en: '; in development mode, mint tokens with the API\'s DATA_DIR (DATA_DIR=… npm run -s token -- …)' }
      : { ja: '', en: '' };
  return new UnauthorizedException({ ja: `Authorization: トークンが無効です（${error.message}）。${hint.ja}`, en: `Authorization: ${error.message}${hint.en}` });
}

/** Every route needs a valid bearer token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly tokens: TokenVerifier;
  /** Where tokens come from, said in the refusals: an identity provider, or `npm run -s token` with this API's secret. */
  private readonly mode: RuntimeConfig['jwt']['mode'];

  constructor(
    private readonly reflector: Reflector,
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
    @Inject(TOKEN_VERIFIER) tokens: TokenVerifier,
  ) {
    this.tokens = tokens;
    this.mode = config.jwt.mode;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { readonly raw: IncomingMessage }>();
    const token = bearerOfRequest(request);
    if (!token) {
      throw missingToken(this.mode);
    }
    try {
      const actor = await this.tokens.verify(token);
      // An identity provider's token for an organ that is not one would be refused every action
      // with a reason about the application, not about the token.
      if (actor.organ !== undefined && !(ORGANIZATION_KINDS as readonly string[]).includes(actor.organ)) {
        throw new InvalidTokenError(`the token's organ claim "${actor.organ}" is not one of ${ORGANIZATION_KINDS.join(', ')}`);
      }
      // Nor one its body does not have (a 市町村教育委員会 of a prefecture's code, a 都道府県知事部局 of a city's): it would be routed as that organ.
      if (actor.organ !== undefined && !isOrganOf(actor.org, actor.organ)) {
        const organs = organsOf(actor.org);
        throw new InvalidTokenError(`the token's organ claim "${actor.organ}" is not an organ of ${actor.org} (${organs.length > 0 ? `its organs: ${organs.join(', ')}` : 'it has none'})`);
      }
      request.actor = actor;
      return true;
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        throw invalidToken(this.mode, error);
      }
      if (error instanceof KeySetUnavailableError) {
        void context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', '5');
        throw new ServiceUnavailableException({ ja: '認証基盤の公開鍵を取得できません。しばらくしてから再実行してください。', en: `Authorization: ${error.message}` });
      }
      throw error;
    }
  }
}
