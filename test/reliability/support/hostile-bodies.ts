import fc from 'fast-check';
import { INVALID_SEIREKI_DATES, hostileText, kindOfText, overLongText, type HostileKind } from './hostile-text';

/** Request bodies for the fuzzing scenario: malformed JSON, non-objects, and invalid-by-construction mutations of valid forms. */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const jsonType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** A value of another JSON type than `original` (never null: optional fields take null). */
export function otherType(original: unknown): fc.Arbitrary<Json> {
  return fc
    .oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant([] as Json[]),
      fc.array(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 3 }),
      fc.constant({} as Json),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string({ maxLength: 5 }), { minKeys: 1, maxKeys: 2 }),
      hostileText,
    )
    .filter((value) => jsonType(value) !== jsonType(original));
}

/** Malformed JSON text (never parses). */
export const malformedJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '{',
    '{"workflow": "connection-application",}',
    "{'workflow': 'connection-application'}",
    '{"a": NaN}',
    '{"a": undefined}',
    '{"a": 01}',
    '{"a": "\\x41"}',
    '{"a": "unterminated}',
    '{"a" "b"}',
    '[1, 2',
    '{"a": 1}}',
    '\u0000',
    '\uFEFF{"a":1}x',
    '{"__proto__": }',
    '/* comment */ {}',
    '{"a": 1} {"b": 2}',
    '<xml/>',
    'workflow=connection-application',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).filter((s) => !parses(s)),
  fc.nat({ max: 50 }).map((cut) => JSON.stringify({ workflow: 'connection-application', organizationCode: '132012', category: '登録' }).slice(0, cut)),
  // Deep nesting: parses only when the parser copes, and a nested value is never a valid field.
  fc.constantFrom(1000, 20_000, 100_000).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth - 1)}`),
);

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A JSON body that is not an object: the API takes objects only. */
export const nonObjectBody = fc.oneof(
  fc.constantFrom('null', 'true', '0', '"x"', '[]', '[{}]', '""', '-1e999'),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }).map((value) => JSON.stringify(value)),
  fc.constantFrom(100, 10_000, 100_000).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.constantFrom(100, 5000).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`.replace(/^\{"a":/, '[{"a":').concat(']')),
);

// ---------------------------------------------------------------- mutations of valid forms

interface Node {
  readonly path: ReadonlyArray<string | number>;
  readonly value: unknown;
  readonly key: string | number | undefined;
}

function nodesOf(value: unknown, path: Array<string | number> = []): Node[] {
  const here: Node = { path, value, key: path.at(-1) };
  if (Array.isArray(value)) return [here, ...value.flatMap((item, i) => nodesOf(item, [...path, i]))];
  if (value !== null && typeof value === 'object') return [here, ...Object.entries(value).flatMap(([k, v]) => nodesOf(v, [...path, k]))];
  return [here];
}

function setAt(root: unknown, path: ReadonlyArray<string | number>, update: (parent: any, key: string | number) => void): unknown {
  const copy = JSON.parse(JSON.stringify(root)) as unknown;
  let parent: any = copy;
  for (const step of path.slice(0, -1)) parent = parent[step];
  update(parent, path.at(-1)!);
  return copy;
}

/** Fields the forms may omit (or, for `note`, only check when a check item failed). */
const OPTIONAL_FIELDS = new Set(['phone', 'email', 'remarks', 'note', 'organizationKind']);
/** Validated by a rule a hostile text cannot meet (a real date, a Japanese phone number, an e-mail address, a fixed list). */
const DATE_FIELD = /Date$/;
const PHONE_FIELD = new Set(['phone', 'mobile']);

function allKeys(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => allKeys(v, into));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      allKeys(v, into);
    }
  }
  return into;
}

/** Field names that are never a field of a form (or of anything else the API takes). */
export function unknownKey(known: ReadonlySet<string>): fc.Arbitrary<string> {
  return fc
    .oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '$where', '__defineGetter__', 'isAdmin', ''), fc.string({ minLength: 1, maxLength: 20 }), hostileText.filter((t) => t.length < 100))
    .filter((key) => !known.has(key) && !OPTIONAL_FIELDS.has(key));
}

/** Adds a key as an own property, `__proto__` included (JSON.parse makes it an own property). */
function withExtraKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

/**
 * One invalid-by-construction mutation of a valid form example: a wrong JSON type anywhere, an
 * unknown field at any level, a required field removed, a hostile text where a date, a phone
 * number, an e-mail or a listed value is expected, an over-long text in any text field, an
 * invalid date in a date field.
 */
export function invalidForm(example: unknown, enumValues: ReadonlySet<string>): fc.Arbitrary<{ body: unknown; kind: HostileKind }> {
  const nodes = nodesOf(example);
  const inner = nodes.filter((n) => n.path.length > 0 && n.key !== 'note');
  const objects = nodes.filter((n) => jsonType(n.value) === 'object');
  const removable = inner.filter((n) => typeof n.key === 'string' && !OPTIONAL_FIELDS.has(n.key));
  const textLeaves = inner.filter((n) => typeof n.value === 'string');
  const ruled = textLeaves.filter((n) => typeof n.key === 'string' && (DATE_FIELD.test(n.key) || PHONE_FIELD.has(n.key) || n.key === 'email' || enumValues.has(n.value as string)));
  const dates = textLeaves.filter((n) => typeof n.key === 'string' && DATE_FIELD.test(n.key));
  const known = allKeys(example);
  const pick = <T>(items: readonly T[]) => fc.nat({ max: items.length - 1 }).map((i) => items[i]!);
  return fc.oneof(
    pick(inner).chain((node) => otherType(node.value).map((value) => ({ body: setAt(example, node.path, (p, k) => (p[k] = value)), kind: 'wrong-types' as const }))),
    fc.tuple(pick(objects), unknownKey(known), fc.jsonValue({ maxDepth: 1 })).map(([node, key, value]) => ({
      body: node.path.length === 0 ? addKey(example, key, value) : setAt(example, node.path, (p, k) => (p[k] = addKey(p[k], key, value))),
      kind: 'unknown-fields' as const,
    })),
    pick(removable).map((node) => ({ body: setAt(example, node.path, (p, k) => delete p[k]), kind: 'missing-fields' as const })),
    fc
      .tuple(pick(ruled), hostileText.filter((t) => !enumValues.has(t) && !t.includes('@') && !/^[\s\d０-９\-‐－ー()（）+]*$/.test(t) && !/^\d{4}\/\d{2}\/\d{2}$/.test(t)))
      .map(([node, text]) => ({ body: setAt(example, node.path, (p, k) => (p[k] = text)), kind: kindOfText(text) })),
    fc.tuple(pick(textLeaves), overLongText).map(([node, text]) => ({ body: setAt(example, node.path, (p, k) => (p[k] = text)), kind: 'huge-strings' as const })),
    ...(dates.length > 0 ? [fc.tuple(pick(dates), fc.constantFrom(...INVALID_SEIREKI_DATES)).map(([node, text]) => ({ body: setAt(example, node.path, (p, k) => (p[k] = text)), kind: 'invalid-date' as const }))] : []),
  );
}

export function addKey(target: unknown, key: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(target)) as Record<string, unknown>;
  withExtraKey(copy, key, value);
  return copy;
}

// ---------------------------------------------------------------- requests
