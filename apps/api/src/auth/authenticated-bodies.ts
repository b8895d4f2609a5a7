import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidTokenError, type TokenVerifier } from '@nws/auth';
import type { RuntimeConfig } from '@nws/runtime';
import { bearerOfRequest, invalidToken, missingToken } from './jwt-auth.guard';

// Fastify reads no body of a GET or HEAD (the public routes, /health and /metrics, are GETs): those are left to the guard.
const carriesBody = (request: FastifyRequest): boolean =>
  request.method !== 'GET' && request.method !== 'HEAD' && (request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0);

/**
 * A body is read only for a caller with a valid token. Fastify parses bodies before Nest's guards
 * run, so a client without one posting 250 kB bodies cost the API a parse each, below the address
 * limit (an authenticated GET went from 4 ms to 300 ms and more under it). Every route that takes a
 * body needs a token (the public ones, /health and /metrics, take none); a path no route serves is
 * left to its 404. The guard verifies again, from its remembered verdict; a key set that cannot be
 * fetched is left to it (503). One TokenVerifier with the guard's: a token is verified once.
 */
export function authenticateBeforeBodies(fastify: FastifyInstance, jwt: RuntimeConfig['jwt'], tokens: TokenVerifier): void {
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    if (request.is404 || !carriesBody(request)) return payload;
    const token = bearerOfRequest(request);
    if (!token) throw missingToken(jwt.mode);
    try {
      await tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw invalidToken(jwt.mode, error);
    }
    return payload;
  });
}
