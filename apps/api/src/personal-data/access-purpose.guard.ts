import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '@nws/engine';
import { readsItsOwnPurpose, routeOf } from './access-entries';
import { statedPurpose, type StatedPurpose } from './access-purpose';

/** A request as the personal-data guard leaves it: the caller, and why they read (see response-disclosure.hook.ts). */
export type DisclosingRequest = FastifyRequest & { actor?: Actor; statedPurpose?: StatedPurpose };

/**
 * Reads X-Access-Purpose and X-Access-Reference once the caller is known (after JwtAuthGuard) and
 * before the handler runs, so a bad header is refused with nothing changed. What it leaves on the
 * request marks the answer for redaction and access logging (response-disclosure.hook.ts). The
 * personal-data routes read the headers and log for themselves; public routes have no caller.
 */
@Injectable()
export class AccessPurposeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<DisclosingRequest>();
    if (request.actor && !readsItsOwnPurpose(routeOf(request))) request.statedPurpose = statedPurpose(request.headers, request.actor);
    return true;
  }
}
