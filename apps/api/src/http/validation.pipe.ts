import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { NOT_A_JSON_OBJECT, ValidationFailedError, bodyFault, isJsonObject, missingAsRequired, toViolations, isTextRule, textViolation, type FieldViolation } from '@nws/engine';

/**
 * How deeply a request body may nest. The deepest body the API takes (a form) nests about six
 * levels; class-transformer, canonical JSON and the stores all walk bodies recursively, so a
 * body of thousands of nested arrays would otherwise overflow the stack (a 500).
 */
export const MAX_BODY_DEPTH = 32;

/**
 * DTOs are whitelisted strictly: an unknown field is refused by name, never silently dropped.
 * Bodies nested deeper than MAX_BODY_DEPTH, or holding a reserved key or a string that is not
 * text, are refused (bodyFault) before anything walks them recursively.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Every body this API takes is an object. Nest's pipe validates nothing in an array or a
    // string, so `POST …/approve` with the body "内容を確認しました" approved without its comment.
    // No body at all (undefined) is still no input.
    if (metadata.type === 'body' && value !== undefined && !isJsonObject(value)) throw new ValidationFailedError([NOT_A_JSON_OBJECT]);
    const violation = metadata.type === 'body' ? bodyFault(value, MAX_BODY_DEPTH) : undefined;
    if (violation?.rule === 'maxDepth') {
      throw new ValidationFailedError([
        { field: violation.field, rule: violation.rule, message: { ja: `(body): 入れ子が深すぎます（${MAX_BODY_DEPTH} 階層まで）。`, en: `(body): nests deeper than ${MAX_BODY_DEPTH} levels` } },
      ]);
    }
    if (violation !== undefined && isTextRule(violation.rule)) throw new ValidationFailedError([textViolation(violation.field, violation.rule)]);
    if (violation) {
      throw new ValidationFailedError([
        { field: violation.field, rule: violation.rule, message: { ja: `${violation.field}: 定義されていない項目です。`, en: `${violation.field}: is not a field of this request` } },
      ]);
    }
    // A query parameter named like a member of every object (constructor, __proto__, toString) was
    // dropped by class-transformer unseen, so `?constructor=1` got a 200 where `?org=1` got a 400.
    if (metadata.type === 'query' && metadata.metatype && value !== null && typeof value === 'object') {
      const { declared: known, lists } = fieldsOf(metadata.metatype);
      const hidden = Object.keys(value).filter((key) => key in Object.prototype && !known.includes(key));
      if (hidden.length > 0) throw new ValidationFailedError(hidden.map((key) => unknownField(key, known, 'query')));
      // `?limit=1&limit=2` was refused as "must be an integer": the parameter is one value, given twice.
      const repeated = Object.entries(value as Record<string, unknown>).filter(([key, given]) => Array.isArray(given) && known.includes(key) && !lists.has(key)).map(([key]) => key);
      if (repeated.length > 0) {
        throw new ValidationFailedError(repeated.map((key) => ({ field: key, rule: 'notRepeated', message: { ja: `${key}: 1回だけ指定してください（複数回指定されています）。`, en: `${key}: is given more than once; give it once` } })));
      }
    }
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof ValidationFailedError && (metadata.type === 'query' || metadata.type === 'body') && metadata.metatype) {
        throw new ValidationFailedError(error.violations.map((v) => unknownNamed(v, metadata.type as 'query' | 'body', metadata.metatype!)));
      }
      throw error;
    }
  }
}

/**
 * An unknown query parameter or body field, said as what it is, with what the endpoint knows: the
 * forms' own wording ("is not a field of this form") would send someone looking for a form in
 * `?org=`.
 */
function unknownNamed(violation: FieldViolation, where: 'query' | 'body', dto: NonNullable<ArgumentMetadata['metatype']>): FieldViolation {
  // A query parameter's name is flat (`?state[]=` is a parameter named `state[]`, not a field of a form).
  if (violation.rule !== 'whitelistValidation' || (where === 'body' && /[.[]/.test(violation.field))) return violation;
  return unknownField(violation.field, fieldsOf(dto).declared, where);
}

/**
 * The fields (query parameters) a DTO declares, in declaration order, and those that take several
 * values (`?state=a&state=b`): read from class-validator's metadata once per DTO, not per request.
 */
const fieldsByDto = new WeakMap<object, { readonly declared: readonly string[]; readonly lists: ReadonlySet<string> }>();
function fieldsOf(dto: NonNullable<ArgumentMetadata['metatype']>): { readonly declared: readonly string[]; readonly lists: ReadonlySet<string> } {
  let fields = fieldsByDto.get(dto);
  if (!fields) {
    const metadatas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
    fields = { declared: [...new Set(metadatas.map((m) => m.propertyName))], lists: new Set(metadatas.filter((m) => m.name === 'isArray' || m.each === true).map((m) => m.propertyName)) };
    fieldsByDto.set(dto, fields);
  }
  return fields;
}

/** The refusal of a field (or query parameter) the endpoint does not know, naming those it does. */
export function unknownField(field: string, known: readonly string[], where: 'query' | 'body'): FieldViolation {
  const list = known.join(', ');
  const message =
    where === 'query'
      ? { ja: `${field}: このエンドポイントのクエリパラメータではありません（使えるもの: ${list || 'なし'}）。`, en: `${field}: is not a query parameter of this endpoint (known: ${list || 'none'})` }
      : { ja: `${field}: この要求の項目ではありません（使えるもの: ${list || 'なし'}）。`, en: `${field}: is not a field of this request (known: ${list || 'none'})` };
  return { field, rule: 'whitelistValidation', message };
}

export function strictValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: true, value: false },
    // A query parameter or body field that is missing is said as required (the forms' rule, at every depth).
    exceptionFactory: (errors) => new ValidationFailedError(toViolations(errors.map(missingAsRequired))),
  });
}

