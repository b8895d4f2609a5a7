import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { ValidationTypes, getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import type { JsonObject } from '@nws/event-store';
import type { FieldViolation, LocalizedMessage } from '../engine.types';
import type { FormDefinition } from './form-catalog';
import { acceptedByFastPath } from './dto-fast-path';
import { hasUnpairedSurrogate, isTextRule, textFault, textViolation, withoutNulls, type TextRule } from './text-faults';
import { cacheValidationMetadata } from './validation-metadata.cache';
import { jsonSchemaOf } from './dto-json-schema';
import { BOUND_RULES, TYPE_RULES, missingAsRequired } from './missing-fields';

cacheValidationMetadata();

/** Messages of the built-in class-validator rules, in Japanese and English, naming the field. */
const RULE_MESSAGES: Record<string, (field: string, args: readonly unknown[]) => LocalizedMessage> = {
  isDefined: (f) => ({ ja: `${f}: 必須です。`, en: `${f}: is required` }),
  isNotEmpty: (f) => ({ ja: `${f}: 空にできません。`, en: `${f}: must not be empty` }),
  isString: (f) => ({ ja: `${f}: 文字列で指定してください。`, en: `${f}: must be a string` }),
  isBoolean: (f) => ({ ja: `${f}: true または false で指定してください。`, en: `${f}: must be true or false` }),
  isInt: (f) => ({ ja: `${f}: 整数で指定してください。`, en: `${f}: must be an integer` }),
  isArray: (f) => ({ ja: `${f}: 配列で指定してください。`, en: `${f}: must be an array` }),
  isObject: (f) => ({ ja: `${f}: オブジェクトで指定してください。`, en: `${f}: must be an object` }),
  nestedValidation: (f) => ({ ja: `${f}: オブジェクトで指定してください。`, en: `${f}: must be an object` }),
  isEmail: (f) => ({ ja: `${f}: メールアドレスの形式ではありません。`, en: `${f}: must be an e-mail address` }),
  isIn: (f, a) => ({ ja: `${f}: ${fmt(a[0], 'ja')} のいずれかを指定してください。`, en: `${f}: must be one of ${fmt(a[0], 'en')}` }),
  isEnum: (f, a) => ({ ja: `${f}: ${fmt(Object.values(a[0] as object), 'ja')} のいずれかを指定してください。`, en: `${f}: must be one of ${fmt(Object.values(a[0] as object), 'en')}` }),
  matches: (f, a) => ({ ja: `${f}: 形式が正しくありません（${String(a[0])}）。`, en: `${f}: must match ${String(a[0])}` }),
  maxLength: (f, a) => ({ ja: `${f}: ${String(a[0])}文字以内で入力してください。`, en: `${f}: must be at most ${String(a[0])} characters` }),
  minLength: (f, a) => ({ ja: `${f}: ${String(a[0])}文字以上で入力してください。`, en: `${f}: must be at least ${String(a[0])} characters` }),
  arrayMinSize: (f, a) => ({ ja: `${f}: ${String(a[0])}件以上必要です。`, en: `${f}: needs at least ${String(a[0])} item(s)` }),
  arrayMaxSize: (f, a) => ({ ja: `${f}: ${String(a[0])}件以内にしてください。`, en: `${f}: allows at most ${String(a[0])} item(s)` }),
  min: (f, a) => ({ ja: `${f}: ${String(a[0])}以上にしてください。`, en: `${f}: must be at least ${String(a[0])}` }),
  max: (f, a) => ({ ja: `${f}: ${String(a[0])}以下にしてください。`, en: `${f}: must be at most ${String(a[0])}` }),
  whitelistValidation: (f) => ({ ja: `${f}: 定義されていない項目です。`, en: `${f}: is not a field of this form` }),
  isDateString: (f) => ({ ja: `${f}: 日付（YYYY-MM-DD）で入力してください。`, en: `${f}: must be a date (YYYY-MM-DD)` }),
  isIso8601: (f) => ({ ja: `${f}: ISO 8601 の日付又は日時で指定してください。`, en: `${f}: must be an ISO 8601 date or time` }),
  arrayNotEmpty: (f) => ({ ja: `${f}: 1件以上指定してください。`, en: `${f}: must not be empty` }),
};

/** The allowed values, quoted as each language quotes: 「登録」 in Japanese, "登録" in English. */
function fmt(values: unknown, language: 'ja' | 'en'): string {
  const quote = (v: unknown) => (language === 'ja' ? `「${String(v)}」` : JSON.stringify(String(v)));
  return Array.isArray(values) ? values.map(quote).join(', ') : String(values);
}

/**
 * A custom rule's message is JSON `{ "ja": …, "en": … }` (see `localized()`), so one decorator
 * carries both languages; `$field` is replaced by the field path.
 */
export function localized(ja: string, en: string): string {
  return JSON.stringify({ ja, en });
}

function messageFor(rule: string, field: string, raw: string, args: readonly unknown[]): LocalizedMessage {
  if (raw.startsWith('{')) {
    try {
      const parsed = JSON.parse(raw) as LocalizedMessage;
      return { ja: `${field}: ${parsed.ja.replaceAll('$field', field)}`, en: `${field}: ${parsed.en.replaceAll('$field', field)}` };
    } catch {
      // not ours: fall through to the table
    }
  }
  const table = RULE_MESSAGES[rule];
  return table ? table(field, args) : { ja: `${field}: 入力が規則「${rule}」に反しています。`, en: `${field}: violates rule "${rule}"` };
}

export { BOUND_RULES, TYPE_RULES, missingAsRequired } from './missing-fields';
export { createInputSchema, jsonSchemaOf } from './dto-json-schema';

/** Flattens class-validator's error tree into field paths like `contacts[0].phone`. */
export function toViolations(errors: readonly ValidationError[], parent = ''): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const error of errors) {
    // An object without rules (`unknownValue`) is reported on the object itself: it has no property.
    const field =
      error.property === undefined ? parent || '(body)' : /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : parent ? `${parent}.${error.property}` : error.property;
    const constraintArgs = constraintArguments(error);
    const failed = Object.entries(error.constraints ?? {});
    // A value of the wrong type fails its bounds too ("abc" is neither ≥ 1 nor ≤ 1000): only the
    // type is worth saying.
    const wrongType = failed.some(([rule]) => TYPE_RULES.has(rule));
    for (const [rule, raw] of failed) {
      if (wrongType && BOUND_RULES.has(rule)) continue;
      out.push({ field, rule, message: messageFor(rule, field, raw, constraintArgs[rule] ?? []) });
    }
    // `chain: {}` is not a list: what the object's fields lack as a link is not worth saying.
    if (error.children?.length && !wrongType) out.push(...toViolations(error.children, field));
  }
  return out;
}

function constraintArguments(error: ValidationError): Record<string, unknown[]> {
  const target = error.target?.constructor;
  if (!target) return {};
  const metas = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
  const args: Record<string, unknown[]> = {};
  for (const meta of metas) {
    if (meta.propertyName !== error.property) continue;
    const name = meta.name ?? meta.type;
    args[name] = meta.constraints ?? [];
  }
  return args;
}

/** The refusal of a request body that is not a JSON object (an array, a string, null). */
export const NOT_A_JSON_OBJECT: FieldViolation = { field: '(body)', rule: 'isObject', message: { ja: '(body): JSON オブジェクトで指定してください。', en: '(body): must be a JSON object' } };

export const isJsonObject = (input: unknown): input is Record<string, unknown> => input !== null && typeof input === 'object' && !Array.isArray(input);

/**
 * Validates a plain object against a class-validator DTO: unknown fields are refused, never
 * dropped silently. The accepted value is JSON data shaped like the DTO (fresh objects, the DTO's
 * field order), not a class instance: it is stored, so nothing may depend on its prototype.
 */
export function validateDto<T extends object>(dto: ClassConstructor<T>, input: unknown): { ok: true; value: T } | { ok: false; violations: FieldViolation[] } {
  if (!isJsonObject(input)) return { ok: false, violations: [NOT_A_JSON_OBJECT] };
  const fault = bodyFault(input);
  if (fault !== undefined) {
    const violation = isTextRule(fault.rule) ? textViolation(fault.field, fault.rule) : { field: fault.field, rule: fault.rule, message: RULE_MESSAGES['whitelistValidation']!(fault.field, []) };
    return { ok: false, violations: [violation] };
  }
  const accepted = acceptedByFastPath(dto, input);
  if (accepted !== undefined) return { ok: true, value: accepted };
  return validateDtoWithLibraries(dto, input);
}

/**
 * `plainToInstance` + `validateSync`: what decides every rejection (and every acceptance the fast
 * path does not model). Exported for the spec that holds the fast path to it.
 */
export function validateDtoWithLibraries<T extends object>(dto: ClassConstructor<T>, input: object): { ok: true; value: T } | { ok: false; violations: FieldViolation[] } {
  const instance = plainToInstance(dto, input);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: true } });
  // Said beside the other violations, not only once there are none: `chain[0] = []` broke a rule
  // across the chain, and that rule's "missing: undefined" was all the client saw.
  const arrays = arraysForObjects(instance);
  if (errors.length === 0 && arrays.length === 0) return { ok: true, value: JSON.parse(JSON.stringify(instance)) as T };
  // class-validator walks into an array where an object belongs (`chain[0][0][0]`): the array is the fault.
  const within = (field: string) => arrays.some((a) => field.startsWith(`${a.field}[`) || field.startsWith(`${a.field}.`));
  return { ok: false, violations: [...toViolations(errors.map(missingAsRequired)).filter((v) => !within(v.field)), ...arrays] };
}

/**
 * Keys that slip past the whitelist: class-transformer makes `__proto__` the prototype, and
 * class-validator looks fields up in a plain object, where `constructor`, `hasOwnProperty`,
 * `toString`, … always exist. Found first, at any depth (bodyFault), and refused by name.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

export interface BodyFault {
  readonly field: string;
  readonly rule: 'maxDepth' | 'whitelistValidation' | TextRule;
}

/**
 * What no input may hold, found without recursion (so a body of thousands of nested arrays cannot
 * overflow the stack): nesting deeper than `maxDepth`, a reserved key, or a key or string that is
 * not text (an unpaired surrogate), anywhere. The HTTP validation pipe and `validateDto` both ask.
 */
export function bodyFault(value: unknown, maxDepth = Number.POSITIVE_INFINITY): BodyFault | undefined {
  const stack: WalkFrame[] = [{ node: value, depth: 1, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { node, depth } = frame;
    if (typeof node === 'string') {
      const rule = textFault(node);
      if (rule !== undefined) return { field: fieldOf(frame) || '(body)', rule };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) return { field: '(body)', rule: 'maxDepth' };
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) stack.push({ node: node[index] as unknown, depth: depth + 1, parent: frame, key: index });
      continue;
    }
    for (const key of Object.keys(node)) {
      const rule = RESERVED_KEYS.has(key) ? 'whitelistValidation' : hasUnpairedSurrogate(key) ? 'wellFormedText' : undefined;
      const child: WalkFrame = { node: (node as Record<string, unknown>)[key], depth: depth + 1, parent: frame, key };
      if (rule !== undefined) return { field: fieldOf(child), rule };
      stack.push(child);
    }
  }
  return undefined;
}

/**
 * One node of bodyFault's walk. Its field name (`a[0].email`) is spelled only for a fault: every
 * body is walked, almost none has one, and spelling every node's name was 4.6 % of what a form
 * save allocated.
 */
interface WalkFrame {
  readonly node: unknown;
  readonly depth: number;
  readonly parent: WalkFrame | undefined;
  readonly key: string | number;
}

function fieldOf(frame: WalkFrame): string {
  const keys: Array<string | number> = [];
  for (let at: WalkFrame | undefined = frame; at?.parent !== undefined; at = at.parent) keys.push(at.key);
  let field = '';
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i]!;
    field = typeof key === 'number' ? `${field}[${key}]` : field ? `${field}.${key}` : key;
  }
  return field;
}

/**
 * `@ValidateNested()` accepts an array where one nested object is declared (it validates each
 * item, and an empty array has none), so `"organization": []` would pass. A nested field whose
 * declared type is not an array must hold an object, and each item of one that is, too.
 */
function arraysForObjects(instance: object, parent = ''): FieldViolation[] {
  const target = instance.constructor;
  const out: FieldViolation[] = [];
  for (const meta of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) {
    if (meta.type !== ValidationTypes.NESTED_VALIDATION) continue;
    const value = (instance as Record<string, unknown>)[meta.propertyName];
    const field = parent ? `${parent}.${meta.propertyName}` : meta.propertyName;
    const declared: unknown = Reflect.getMetadata('design:type', target.prototype as object, meta.propertyName);
    if (Array.isArray(value)) {
      if (declared !== Array) out.push({ field, rule: 'nestedValidation', message: RULE_MESSAGES['nestedValidation']!(field, []) });
      else
        value.forEach((item, i) => {
          // An item that is itself an array is validated item by item too, and `[[]]` would pass.
          if (Array.isArray(item)) out.push({ field: `${field}[${i}]`, rule: 'nestedValidation', message: RULE_MESSAGES['nestedValidation']!(`${field}[${i}]`, []) });
          else if (item !== null && typeof item === 'object') out.push(...arraysForObjects(item as object, `${field}[${i}]`));
        });
    } else if (value !== null && typeof value === 'object') out.push(...arraysForObjects(value, field));
  }
  return out;
}

export interface ClassValidatorFormOptions<T extends object> {
  readonly code: string;
  readonly title: LocalizedMessage;
  readonly dto: ClassConstructor<T>;
  readonly example: JsonObject;
  readonly personalFields: readonly string[];
  /** Turns the validated DTO into what is stored (e.g. phone numbers as digits). */
  readonly normalise?: (value: T) => JsonObject;
  /** The stored form as people read it (FormDefinition.display). */
  readonly display?: (stored: JsonObject) => JsonObject;
}

/** A form checked by a class-validator DTO; the DTO is named so that specs can hold both validation paths to each other. */
export interface ClassValidatorFormDefinition extends FormDefinition {
  readonly dto: ClassConstructor<object>;
}

export function classValidatorForm<T extends object>(options: ClassValidatorFormOptions<T>): ClassValidatorFormDefinition {
  let schema: JsonObject | undefined;
  return {
    code: options.code,
    dto: options.dto,
    title: options.title,
    example: options.example,
    personalFields: options.personalFields,
    ...(options.display ? { display: options.display } : {}),
    get schema() {
      schema ??= jsonSchemaOf(options.dto);
      return schema;
    },
    validate(input) {
      const result = validateDto(options.dto, input);
      if (!result.ok) return result;
      // validateDto answers fresh JSON data: normalise may build on it without copying it first.
      const accepted = withoutNulls(result.value);
      const value = options.normalise ? options.normalise(accepted) : (accepted as JsonObject);
      return { ok: true, value };
    },
  };
}
