import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, MaxLength } from 'class-validator';
import { ValidationFailedError, localized } from '@nws/engine';
import { PageQueryDto } from './page-query.dto';

/**
 * Keyset paging (`?cursor=`): where the previous page ended, as an opaque token the answer hands
 * out. Offsets shift while the rows change — a decision on one page of a queue hid one waiting
 * application from the next, every creation repeated a row of the list — a row's key does not.
 * The token is the row's order key (a time and an id) in base64url: not a secret, not a promise
 * of its format.
 */
export class CursorPageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'where the previous page ended: the next-page cursor of its answer (not with offset)' })
  @IsOptional()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: localized('前のページの応答が示したカーソルをそのまま指定してください。', 'must be the cursor a previous page answered with, as given') })
  cursor?: string;
}

export interface PageKey {
  readonly at: string;
  readonly id: string;
}

export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.at, key.id]), 'utf8').toString('base64url');
}

/** The key a cursor holds, or a 400 naming `cursor`; a cursor with an offset is refused (two starts). */
export function decodeCursor(cursor: string | undefined, offset: number | undefined): PageKey | undefined {
  if (cursor === undefined) return undefined;
  if (offset !== undefined && offset !== 0) {
    throw new ValidationFailedError([{ field: 'cursor', rule: 'cursorOrOffset', message: { ja: 'cursor: cursor と offset は同時に指定できません。', en: 'cursor: give either cursor or offset, not both' } }]);
  }
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== 2 || typeof key[0] !== 'string' || typeof key[1] !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(key[0]) || Number.isNaN(Date.parse(key[0])) || key[1] === '' || key[1].length > 100) {
    throw new ValidationFailedError([{ field: 'cursor', rule: 'pageCursor', message: { ja: 'cursor: 前のページの応答が示したカーソルではありません。', en: 'cursor: is not a cursor a previous page answered with' } }]);
  }
  return { at: key[0], id: key[1] };
}
