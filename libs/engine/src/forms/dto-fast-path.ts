import 'reflect-metadata';
import { TransformationType, type ClassConstructor } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { ValidationTypes, getMetadataStorage, type ValidationArguments } from 'class-validator';
import { cacheValidationMetadata, validationMetadataGeneration } from './validation-metadata.cache';

// The generation that invalidates compiled classes is counted by the metadata cache (idempotent).
cacheValidationMetadata();

/**
 * The accepting half of `plainToInstance` + `validateSync` (whitelist, forbidNonWhitelisted),
 * compiled once per DTO class from the same class-validator and class-transformer metadata and
 * calling the same constraint implementations.
 *
 * Why: saving a form spent two thirds of a command's CPU in the two libraries' generic walks
 * (an instance copy, a ValidationError per property, metadata lookups per value) around
 * constraint checks that are a fraction of it (docs/benchmarks.md). The fast path only ever
 * answers "valid, and this is the value"; anything else (a violation, an input or a DTO feature
 * it does not model) falls through to the libraries, which produce every error message, so a
 * rejection is byte for byte what it was. `dto-fast-path.spec.ts` compares both on every form's
 * example and thousands of mutations of it.
 *
 * What it models, as class-validator 0.14 and class-transformer 0.5 do it: unknown keys are
 * refused at every level; `@ValidateIf`/`@IsOptional` skip a property; `@IsDefined` runs before
 * the rest; `each` validates array items; `@ValidateNested` walks objects (and arrays of them, at
 * any depth) as the `@Type` class, refuses primitives and a class without rules, and refuses an
 * array where the declared type is not one. What makes a DTO fall back entirely: groups, async
 * or promise rules, `@Transform`/`@Expose`/`@Exclude`, `@Type` to a primitive, Date, Set or Map
 * or with a discriminator, methods or accessors on the class, declared fields without rules.
 */
interface Rule {
  readonly validate: (value: unknown, args: ValidationArguments) => unknown;
  readonly each: boolean;
  readonly constraints: unknown[];
}

interface Property {
  readonly name: string;
  readonly conditions: readonly ((object: object, value: unknown) => unknown)[];
  readonly defined: readonly Rule[];
  readonly rules: readonly Rule[];
  /** `@ValidateNested`: whether an array may stand where one object is declared. */
  readonly nested: { readonly arrayDeclared: boolean } | undefined;
  /** `@Type` class: what class-transformer makes of an object (or array items) here. */
  readonly type: ClassConstructor<object> | undefined;
}

interface CompiledClass {
  readonly target: ClassConstructor<object>;
  /** Keys of `new target()`: the order class-transformer's instance (and its JSON) has. */
  readonly keyOrder: readonly string[];
  readonly allowed: ReadonlySet<string>;
  readonly properties: readonly Property[];
  readonly byName: ReadonlyMap<string, Property>;
}

const NOT_COMPILABLE = Symbol('not compilable');
const KNOWN_TYPES: ReadonlySet<string> = new Set([ValidationTypes.CUSTOM_VALIDATION, ValidationTypes.NESTED_VALIDATION, ValidationTypes.CONDITIONAL_VALIDATION, ValidationTypes.IS_DEFINED, ValidationTypes.WHITELIST]);
const CONVERTING_TYPES: ReadonlySet<unknown> = new Set([String, Number, Boolean, Date, Buffer, Map, Set, Promise, Object, Array]);

let compiled = new WeakMap<object, CompiledClass | typeof NOT_COMPILABLE>();
let compiledAt = -1;

function compile(target: ClassConstructor<object>): CompiledClass | typeof NOT_COMPILABLE {
  if (compiledAt !== validationMetadataGeneration()) {
    compiled = new WeakMap();
    compiledAt = validationMetadataGeneration();
  }
  const known = compiled.get(target);
  if (known) return known;
  let result: CompiledClass | typeof NOT_COMPILABLE;
  try {
    result = compileClass(target);
  } catch {
    // A @Type function or constructor that throws: the libraries meet it as they always did.
    result = NOT_COMPILABLE;
  }
  compiled.set(target, result);
  return result;
}

function compileClass(target: ClassConstructor<object>): CompiledClass | typeof NOT_COMPILABLE {
  const storage = getMetadataStorage();
  const metas = storage.getTargetValidationMetadatas(target, undefined as unknown as string, false, false, undefined);
  if (metas.length === 0) return NOT_COMPILABLE;
  if (defaultMetadataStorage.getStrategy(target) !== 'none') return NOT_COMPILABLE;
  if (defaultMetadataStorage.getExposedMetadatas(target).length > 0 || defaultMetadataStorage.getExcludedMetadatas(target).length > 0) return NOT_COMPILABLE;
  for (let proto: unknown = target.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (Object.getOwnPropertyNames(proto).some((name) => name !== 'constructor')) return NOT_COMPILABLE;
  }
  let keyOrder: string[];
  try {
    keyOrder = Object.keys(new target());
  } catch {
    return NOT_COMPILABLE;
  }
  const grouped = storage.groupByPropertyName(metas);
  const allowed = new Set(Object.keys(grouped).filter((name) => (grouped[name]?.length ?? 0) > 0));
  if (keyOrder.some((key) => !allowed.has(key))) return NOT_COMPILABLE; // always a whitelist error
  if ([...allowed].some((name) => !keyOrder.includes(name))) return NOT_COMPILABLE;

  const properties: Property[] = [];
  for (const name of allowed) {
    const list = grouped[name] ?? [];
    if (list.some((meta) => !KNOWN_TYPES.has(meta.type) || (meta.groups?.length ?? 0) > 0)) return NOT_COMPILABLE;
    if (defaultMetadataStorage.findTransformMetadatas(target, name, TransformationType.PLAIN_TO_CLASS).length > 0) return NOT_COMPILABLE;
    const rulesOf = (type: string): Rule[] | undefined => {
      const out: Rule[] = [];
      for (const meta of list.filter((m) => m.type === type)) {
        for (const constraint of storage.getTargetValidatorConstraints(meta.constraintCls)) {
          if (constraint.async || constraint.name === 'isInstance') return undefined;
          const instance = constraint.instance as { validate: Rule['validate'] };
          out.push({ validate: instance.validate.bind(instance), each: meta.each === true, constraints: meta.constraints });
        }
      }
      return out;
    };
    const defined = rulesOf(ValidationTypes.IS_DEFINED);
    const rules = rulesOf(ValidationTypes.CUSTOM_VALIDATION);
    if (!defined || !rules) return NOT_COMPILABLE;
    const conditions = list.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION).map((m) => m.constraints[0] as Property['conditions'][number]);
    if (conditions.some((condition) => typeof condition !== 'function')) return NOT_COMPILABLE;

    let type: ClassConstructor<object> | undefined;
    const typeMeta = defaultMetadataStorage.findTypeMetadata(target, name);
    if (typeMeta) {
      if (typeMeta.options?.discriminator || typeof typeMeta.typeFunction !== 'function' || typeMeta.typeFunction.length > 0) return NOT_COMPILABLE;
      if (typeMeta.reflectedType === Set || typeMeta.reflectedType === Map) return NOT_COMPILABLE;
      const declared = typeMeta.typeFunction() as unknown;
      if (typeof declared !== 'function' || CONVERTING_TYPES.has(declared)) return NOT_COMPILABLE;
      type = declared as ClassConstructor<object>;
    }
    const nested = list.some((m) => m.type === ValidationTypes.NESTED_VALIDATION)
      ? { arrayDeclared: Reflect.getMetadata('design:type', target.prototype as object, name) === Array }
      : undefined;
    properties.push({ name, conditions, defined, rules, nested, type });
  }
  return { target, keyOrder, allowed, properties, byName: new Map(properties.map((p) => [p.name, p])) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.getPrototypeOf(value) === Object.prototype;
}

/** Anything not built of JSON values (a Date, a class instance, a Map) is left to the libraries. */
class Unmodelled extends Error {}

function passes(rule: Rule, value: unknown, object: object, targetName: string, property: string): boolean {
  const args: ValidationArguments = { targetName, property, object, value, constraints: rule.constraints };
  if (rule.each && Array.isArray(value)) {
    for (const item of value) if (!rule.validate(item, args)) return false;
    return true;
  }
  return Boolean(rule.validate(value, args));
}

function accepts(object: Record<string, unknown>, cls: CompiledClass): boolean {
  for (const key of Object.keys(object)) if (!cls.allowed.has(key)) return false;
  for (const property of cls.properties) {
    const value = Object.hasOwn(object, property.name) ? object[property.name] : undefined;
    let applies = true;
    for (const condition of property.conditions) if (!condition(object, value)) applies = false;
    if (!applies) continue;
    for (const rule of property.defined) if (!passes(rule, value, object, cls.target.name, property.name)) return false;
    for (const rule of property.rules) if (!passes(rule, value, object, cls.target.name, property.name)) return false;
    if (property.nested && value !== undefined) {
      if (Array.isArray(value) && !property.nested.arrayDeclared) return false;
      if (!nestedAccepts(value, property.type)) return false;
    }
  }
  return true;
}

function nestedAccepts(value: unknown, type: ClassConstructor<object> | undefined, item = false): boolean {
  // An item that is itself an array is refused (arraysForObjects), as class-validator would not.
  if (Array.isArray(value)) return !item && value.every((each) => nestedAccepts(each, type, true));
  if (value === null || typeof value !== 'object') return false;
  if (!isPlainObject(value)) throw new Unmodelled();
  if (!type) return false; // a plain object has no rules: class-validator's unknownValue
  const cls = compile(type);
  if (cls === NOT_COMPILABLE) throw new Unmodelled();
  return accepts(value, cls);
}

/**
 * The JSON of what `plainToInstance` would have made of an accepted value: fresh plain objects,
 * keys in the instance's (declaration) order, absent fields left out as JSON.stringify leaves out
 * the instance's undefined ones.
 */
function shape(object: Record<string, unknown>, cls: CompiledClass): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of cls.keyOrder) {
    if (!Object.hasOwn(object, key)) continue;
    const value = shapeValue(object[key], cls.byName.get(key)?.type);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function shapeValue(value: unknown, type: ClassConstructor<object> | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => shapeValue(item, type) ?? null);
  if (value === null || typeof value !== 'object') return value;
  if (!isPlainObject(value)) throw new Unmodelled();
  if (type) {
    const cls = compile(type);
    if (cls === NOT_COMPILABLE) throw new Unmodelled();
    return shape(value, cls);
  }
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const shaped = shapeValue(item, undefined);
    if (shaped !== undefined) copy[key] = shaped;
  }
  return copy;
}

/** Whether the fast path models a DTO at all (one it does not is only slower, never judged differently). */
export function hasDtoFastPath(dto: ClassConstructor<object>): boolean {
  return compile(dto) !== NOT_COMPILABLE;
}

/**
 * The input as accepted JSON data, or undefined: "ask class-validator" (a violation, or what the
 * fast path does not model). Expects an input that `bodyFault` found nothing in.
 */
export function acceptedByFastPath<T extends object>(dto: ClassConstructor<T>, input: unknown): T | undefined {
  const cls = compile(dto);
  if (cls === NOT_COMPILABLE || !isPlainObject(input)) return undefined;
  try {
    return accepts(input, cls) ? (shape(input, cls) as T) : undefined;
  } catch {
    // Unmodelled input, or a constraint that threw: the libraries decide, as they always did.
    return undefined;
  }
}
