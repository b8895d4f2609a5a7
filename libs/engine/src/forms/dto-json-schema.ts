import 'reflect-metadata';
import type { ClassConstructor } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { ValidationTypes, getMetadataStorage } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import type { JsonObject } from '@nws/event-store';
import { NOT_BLANK_SCHEMA } from './not-blank.validator';
import { cacheValidationMetadata, validationMetadataGeneration } from './validation-metadata.cache';

cacheValidationMetadata();

/**
 * Every DTO's schema (class-validator-jsonschema) and class by name, kept until metadata is
 * registered again (as the fast path's compiled classes are): a schema asked for early (a module's
 * import) is not a stale list that a DTO defined later is missing from.
 */
let schemaCache: { readonly generation: number; readonly schemas: Record<string, JsonObject>; readonly classes: Map<string, ClassConstructor<object>> } | undefined;

function registeredSchemas(): NonNullable<typeof schemaCache> {
  if (schemaCache?.generation !== validationMetadataGeneration()) {
    schemaCache = {
      generation: validationMetadataGeneration(),
      // With class-transformer's `@Type` metadata, an array of nested DTOs refers to the item's DTO.
      schemas: validationMetadatasToSchemas({ refPointerPrefix: '#/definitions/', classTransformerMetadataStorage: defaultMetadataStorage, additionalConverters: NOT_BLANK_SCHEMA }) as unknown as Record<string, JsonObject>,
      classes: dtoClassesByName(),
    };
  }
  return schemaCache;
}

/** JSON Schema of a DTO, with the definitions of the nested DTOs it refers to. */
export function jsonSchemaOf(dto: ClassConstructor<object>): JsonObject {
  const { schemas: all, classes } = registeredSchemas();
  const definitions: Record<string, JsonObject> = {};
  // A copy in which every `$ref` resolves. class-validator-jsonschema describes a custom rule by the
  // property's declared type, so a rule on an array adds `$ref: "#/definitions/Array"`, a schema
  // that does not exist (a validator given the schema refuses to compile it): such refs are left out.
  const resolved = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolved);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key !== '$ref' || typeof value !== 'string') {
        out[key] = resolved(value);
        continue;
      }
      const name = value.replace('#/definitions/', '');
      const definition = all[name];
      if (!definition) continue;
      out[key] = value;
      if (!(name in definitions)) {
        definitions[name] = {}; // taken before its content, for a DTO that refers to itself
        definitions[name] = dtoSchema(resolved(definition) as JsonObject, classes.get(name));
      }
    }
    return out;
  };
  const root = all[dto.name];
  if (!root) throw new Error(`no class-validator metadata for ${dto.name}`);
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...dtoSchema(resolved(root) as JsonObject, dto), definitions };
}

/**
 * The body of `POST /applications` for a workflow: its create DTO plus `workflow`, which names it.
 * `defaulted`: fields the workflow fills in when they are left out (account requests' 申請区分).
 */
export function createInputSchema(workflow: string, dto: ClassConstructor<object>, defaulted: readonly string[] = []): JsonObject {
  const schema = jsonSchemaOf(dto);
  const required = ((schema['required'] as string[] | undefined) ?? []).filter((field) => !defaulted.includes(field));
  return { ...schema, properties: { workflow: { type: 'string', const: workflow }, ...(schema['properties'] as JsonObject) }, required: ['workflow', ...required] };
}

/**
 * One DTO's schema as the API applies it: unknown fields refused at every level
 * (forbidNonWhitelisted), and `required` only what is refused when absent whatever else the input
 * holds. class-validator-jsonschema requires every property without `@IsOptional`, which would
 * make a client's validator refuse forms the API accepts: 有効開始日 left empty, or a PIA's
 * 評価書 when it was not done.
 */
function dtoSchema(schema: JsonObject, target: ClassConstructor<object> | undefined): JsonObject {
  const { required: _byLibrary, properties, ...rest } = schema;
  const required = target === undefined ? [] : requiredProperties(target);
  const nullable = new Set(target === undefined ? [] : optionalProperties(target));
  const described: JsonObject = properties === undefined ? {} : { properties: Object.fromEntries(Object.entries(properties as JsonObject).map(([name, property]) => [name, nullable.has(name) ? orNull(property as JsonObject) : property])) };
  return { ...rest, ...described, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}

/**
 * `@IsOptional` takes null as it takes absence (and the form is stored without the field:
 * withoutNulls), so the schema says null too: a client's validator refused `"phone": null`, which
 * the API saves.
 */
function optionalProperties(target: ClassConstructor<object>): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
  return [...new Set(metas.filter((meta) => meta.type === ValidationTypes.CONDITIONAL_VALIDATION && meta.name === 'isOptional').map((meta) => meta.propertyName))];
}

/** A property's schema that also admits null: in its `type` where it has one, else beside its `$ref`. */
function orNull(property: JsonObject): JsonObject {
  const type = property['type'];
  if (typeof type === 'string' && property['$ref'] === undefined) {
    const values = property['enum'];
    return { ...property, type: [type, 'null'], ...(Array.isArray(values) ? { enum: [...values, null] } : {}) };
  }
  return { anyOf: [property, { type: 'null' }] };
}

function dtoClassesByName(): Map<string, ClassConstructor<object>> {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Function, Array<{ target: Function | string }>> | Array<{ target: Function | string }> };
  const metas = storage.validationMetadatas instanceof Map ? [...storage.validationMetadatas.values()].flat() : storage.validationMetadatas;
  const classes = new Map<string, ClassConstructor<object>>();
  for (const meta of metas) if (typeof meta.target === 'function') classes.set(meta.target.name, meta.target as ClassConstructor<object>);
  return classes;
}

/**
 * Properties whose absence fails a rule on its own: `@IsDefined`, or a rule that refuses
 * `undefined` when nothing else is known about the input (`@IsString` does; a rule that asks for
 * the field only when another field says so does not). `@IsOptional` / `@ValidateIf` never.
 */
function requiredProperties(target: ClassConstructor<object>): string[] {
  const storage = getMetadataStorage();
  const grouped = storage.groupByPropertyName(storage.getTargetValidationMetadatas(target, '', true, false));
  return Object.entries(grouped)
    .filter(([property, metas]) => {
      if (metas.some((meta) => meta.type === ValidationTypes.CONDITIONAL_VALIDATION)) return false;
      if (metas.some((meta) => meta.type === ValidationTypes.IS_DEFINED)) return true;
      return metas.some(
        (meta) =>
          meta.type === ValidationTypes.CUSTOM_VALIDATION &&
          storage.getTargetValidatorConstraints(meta.constraintCls).some((constraint) => {
            if (constraint.async) return false;
            const args = { value: undefined, constraints: meta.constraints ?? [], targetName: target.name, object: {}, property };
            try {
              return (constraint.instance as { validate(value: unknown, args: unknown): unknown }).validate(undefined, args) === false;
            } catch {
              // Never stricter than the API: a rule that cannot judge absence does not make it required.
              return false;
            }
          }),
      );
    })
    .map(([property]) => property);
}
