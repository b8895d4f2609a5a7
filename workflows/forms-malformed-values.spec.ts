import type { FormDefinition, JsonObject } from '@nws/engine';
import { ALL_WORKFLOWS } from './index';

/*
 * Every value of every form's published example, replaced by a value of the wrong shape: a client
 * sending `[]` where a delegation step goes, or `{}` where a name goes, must be told which field is
 * wrong, in words. Before, `chain[0] = []` drew only a check across the chain saying "missing:
 * undefined", and `affairName = {}` a message quoting "[object Object]".
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Key = string | number;

const forms = ALL_WORKFLOWS.flatMap((workflow) => workflow.forms.forms.map((form) => [`${workflow.name} ${form.code}`, form] as const));
const WRONG_SHAPES: readonly Json[] = [[], {}, 1, null, [[]], [{}]];
/** What a message shows instead of the client's value when a value is printed without looking at it. */
const NOT_WORDS = /undefined|\[object Object\]|NaN/;

/** Every value's path in a JSON document, depth first. */
function* pathsOf(value: Json, path: readonly Key[] = []): Generator<readonly Key[]> {
  const entries: Array<[Key, Json]> = Array.isArray(value) ? value.map((item, i) => [i, item]) : value !== null && typeof value === 'object' ? Object.entries(value) : [];
  for (const [key, item] of entries) {
    yield [...path, key];
    yield* pathsOf(item, [...path, key]);
  }
}

/** `a.b[0].c`, as violations name fields. */
const fieldOf = (path: readonly Key[]) => path.reduce<string>((field, key) => (typeof key === 'number' ? `${field}[${key}]` : field ? `${field}.${key}` : key), '');

function replaced(example: JsonObject, path: readonly Key[], value: Json): JsonObject {
  const copy = structuredClone(example) as Record<Key, Json>;
  let at = copy as Record<Key, Json>;
  for (const key of path.slice(0, -1)) at = at[key] as Record<Key, Json>;
  at[path[path.length - 1]!] = value;
  return copy as JsonObject;
}

/** The field itself, an object or list it is in, or a field within it. */
const concerns = (violation: string, field: string) => [violation, field].some((a) => { const b = a === violation ? field : violation; return a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`); });

describe('every form: a value of the wrong shape anywhere is refused naming where it is, in words', () => {
  it.each(forms)('given form %s, when any value of its example is [], {}, 1, null, [[]] or [{}], then a violation names it and none prints "undefined" or "[object Object]"', (_name, form: FormDefinition) => {
    const problems: string[] = [];
    for (const path of pathsOf(form.example as Json)) {
      const field = fieldOf(path);
      for (const value of WRONG_SHAPES) {
        const result = form.validate(replaced(form.example, path, value));
        if (result.ok) continue; // an optional field left out (null), an empty list where none is needed
        const said = result.violations.map((v) => `${v.field}:${v.rule}`).join(', ');
        if (!result.violations.some((v) => concerns(v.field, field))) problems.push(`${field} = ${JSON.stringify(value)}: only ${said}`);
        for (const v of result.violations) if (NOT_WORDS.test(v.message.ja + v.message.en)) problems.push(`${field} = ${JSON.stringify(value)}: ${v.field}:${v.rule} says "${v.message.en}"`);
      }
    }
    expect(problems).toEqual([]);
  });
});
