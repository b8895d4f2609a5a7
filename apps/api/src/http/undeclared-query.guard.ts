import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ValidationFailedError } from '@nws/engine';
import { unknownField } from './validation.pipe';

/**
 * A query parameter on an endpoint that takes none is refused by name, as an unknown one is where
 * a query DTO whitelists them: `GET …/history?asOfRevision=2` answered every event with a 200, and
 * the auditor took it for the history as of revision 2.
 */
@Injectable()
export class UndeclaredQueryGuard implements CanActivate {
  /** Per handler: whether it declares a @Query parameter (read once; the metadata never changes). */
  private readonly takesQuery = new WeakMap<object, boolean>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const query = context.switchToHttp().getRequest<{ query?: Record<string, unknown> }>().query;
    if (!query || Object.keys(query).length === 0) return true;
    const handler = context.getHandler();
    let takes = this.takesQuery.get(handler);
    if (takes === undefined) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, unknown>;
      takes = Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.QUERY));
      this.takesQuery.set(handler, takes);
    }
    if (takes) return true;
    throw new ValidationFailedError(Object.keys(query).map((name) => unknownField(name, [], 'query')));
  }
}
