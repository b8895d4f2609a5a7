import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { JsonObject } from '@nws/engine';
import { ALL_WORKFLOWS } from './index';

/**
 * What GET /workflows/{workflow} publishes for clients that build screens or check input before
 * sending it: every schema must compile in a standard JSON Schema validator (every `$ref`
 * resolves) and accept the example published beside it.
 */
function published(): Array<[string, JsonObject, unknown]> {
  return ALL_WORKFLOWS.flatMap((definition) => [
    [`${definition.name} create`, definition.createInput.schema, definition.createInput.example] as [string, JsonObject, unknown],
    ...definition.forms.forms.map((form): [string, JsonObject, unknown] => [`${definition.name} form ${form.code}`, form.schema, form.example]),
    ...Object.entries(definition.guide ?? {}).flatMap(([key, entry]): Array<[string, JsonObject, unknown]> => {
      const { schema, example } = (entry ?? {}) as { schema?: JsonObject; example?: unknown };
      return schema && example !== undefined ? [[`${definition.name} ${key}`, schema, example]] : [];
    }),
  ]);
}

/** A copy of `value` with `notAField` added to its first object below the top, or undefined when it has none. */
function withFieldInFirstNestedObject(value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const stack: unknown[] = Object.values(copy as object);
  while (stack.length > 0) {
    const node = stack.shift();
    if (Array.isArray(node)) stack.unshift(...node);
    else if (node !== null && typeof node === 'object') {
      (node as Record<string, unknown>)['notAField'] = 'x';
      return copy;
    }
  }
  return undefined;
}

/** Every value's path in a JSON document. */
function pathsOf(value: unknown, path: ReadonlyArray<string | number> = []): Array<ReadonlyArray<string | number>> {
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((item, i) => [i, item]) : value !== null && typeof value === 'object' ? Object.entries(value) : [];
  return entries.flatMap(([key, item]) => [[...path, key], ...pathsOf(item, [...path, key])]);
}

describe('published JSON Schemas', () => {
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));

  it.each(published())('%s: compiles, every $ref resolves, and the published example is valid', (_name, schema, example) => {
    const validate = ajv.compile(schema);
    expect(validate(example) ? [] : validate.errors).toEqual([]);
  });

  it.each(published())('%s: refuses a field the form does not have, at the top and in a nested row, as the API does', (_name, schema, example) => {
    const validate = ajv.compile(schema);
    expect(validate({ ...(example as JsonObject), notAField: 'x' })).toBe(false);
    const nested = withFieldInFirstNestedObject(example);
    if (nested !== undefined) expect(validate(nested)).toBe(false);
  });

  it.each(ALL_WORKFLOWS.flatMap((definition) => definition.forms.forms.map((form) => [`${definition.name} form ${form.code}`, form] as const)))(
    '%s: null in place of any value of the example is taken by the schema exactly when the API takes it (an optional field: null is absent)',
    (_name, form) => {
      const validate = ajv.compile(form.schema);
      const disagreements: string[] = [];
      for (const path of pathsOf(form.example)) {
        const input = JSON.parse(JSON.stringify(form.example)) as Record<string | number, unknown>;
        let at = input;
        for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
        at[path[path.length - 1]!] = null;
        const [api, schema] = [form.validate(input).ok, validate(input)];
        if (api !== schema) disagreements.push(`${path.join('.')}: API ${api ? 'takes' : 'refuses'} null, the schema ${schema ? 'takes' : 'refuses'} it`);
      }
      expect(disagreements).toEqual([]);
    },
  );

  it('the forms with nested rows describe their rows, not an unknown "Array"', () => {
    const form = ALL_WORKFLOWS.find((d) => d.name === 'connection-application')!.forms.get('03-08')!;
    expect(JSON.stringify(form.schema)).not.toContain('#/definitions/Array');
    expect(Object.keys(form.schema['definitions'] as JsonObject)).toEqual(expect.arrayContaining(['ReceivedQueryAffairDto', 'DelegationDto', 'DelegationLinkDto']));
  });
});
