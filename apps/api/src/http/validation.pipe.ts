import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { ValidationFailedError, hasUnpairedSurrogate, toViolations, unpairedSurrogateViolation } from '@nws/engine';

/**
 * How deeply a request body may nest. The deepest body the API takes (a form) nests about six
 * levels; class-transformer, canonical JSON and the stores all walk bodies recursively, so a
 * body of thousands of nested arrays would otherwise overflow the stack (a 500).
 */
export const MAX_BODY_DEPTH = 32;

/**
 * Keys no request field has, which slip past the whitelist: class-transformer makes `__proto__`
 * the object's prototype, and class-validator looks fields up in a plain object, where
 * `constructor`, `hasOwnProperty`, `toString`, … are always "declared". Such a field would be
 * dropped or kept silently instead of refused by name.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** What no body may hold: nesting deeper than `maxDepth`, a reserved key, or a key or string that is not text (an unpaired surrogate), anywhere. Walked without recursion. */
export function bodyShapeViolation(value: unknown, maxDepth: number): { field: string; rule: 'maxDepth' | 'whitelistValidation' | 'wellFormedText' } | undefined {
  const stack: Array<[unknown, number, string]> = [[value, 1, '']];
  while (stack.length > 0) {
    const [node, depth, path] = stack.pop()!;
    if (typeof node === 'string') {
      if (hasUnpairedSurrogate(node)) return { field: path || '(body)', rule: 'wellFormedText' };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) return { field: '(body)', rule: 'maxDepth' };
    if (Array.isArray(node)) node.forEach((child, i) => stack.push([child, depth + 1, `${path}[${i}]`]));
    else {
      for (const [key, child] of Object.entries(node)) {
        const field = path ? `${path}.${key}` : key;
        if (RESERVED_KEYS.has(key)) return { field, rule: 'whitelistValidation' };
        if (hasUnpairedSurrogate(key)) return { field, rule: 'wellFormedText' };
        stack.push([child, depth + 1, field]);
      }
    }
  }
  return undefined;
}

/**
 * DTOs are whitelisted strictly: an unknown field is refused by name, never silently dropped.
 * Bodies nested deeper than MAX_BODY_DEPTH, or holding a reserved key, are refused before
 * anything walks them.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const violation = metadata.type === 'body' ? bodyShapeViolation(value, MAX_BODY_DEPTH) : undefined;
    if (violation?.rule === 'maxDepth') {
      throw new ValidationFailedError([
        { field: violation.field, rule: violation.rule, message: { ja: `(body): 入れ子が深すぎます（${MAX_BODY_DEPTH} 階層まで）。`, en: `(body): nests deeper than ${MAX_BODY_DEPTH} levels` } },
      ]);
    }
    if (violation?.rule === 'wellFormedText') throw new ValidationFailedError([unpairedSurrogateViolation(violation.field)]);
    if (violation) {
      throw new ValidationFailedError([
        { field: violation.field, rule: violation.rule, message: { ja: `${violation.field}: 定義されていない項目です。`, en: `${violation.field}: is not a field of this request` } },
      ]);
    }
    return super.transform(value, metadata);
  }
}

export function strictValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: true, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(toViolations(errors)),
  });
}
