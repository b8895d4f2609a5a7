import type { ClassConstructor } from 'class-transformer';
import { validateDto, validateDtoWithLibraries } from '../class-validator-form';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/** Values every leaf is replaced with: wrong types, edge lengths, and near-misses of common rules. */
const GENERIC: readonly Json[] = [null, '', ' ', 'x', 'a'.repeat(51), 'a'.repeat(101), 'a'.repeat(1001), 0, 1, -1, 1.5, 1e21, true, false, [], {}, ['x'], [{}], [[]], { x: 1 }];

function leafPaths(value: Json, path: Path = []): Path[] {
  if (Array.isArray(value)) return [path, ...value.flatMap((item, i) => leafPaths(item, [...path, i]))];
  if (value !== null && typeof value === 'object') return [path, ...Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...path, key]))];
  return [path];
}

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

function at(root: Json, path: Path): Json {
  let node: Json = root;
  for (const step of path) node = (node as Record<string | number, Json>)[step] as Json;
  return node;
}

function replaced(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? {} : clone(value);
  const copy = clone(root);
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = path[path.length - 1]!;
  if (value !== undefined) (parent as Record<string | number, Json>)[key] = clone(value);
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key as string];
  return copy;
}

/** Every string (and number) found in some examples: the values rules like `@IsIn` accept somewhere. */
export function leafPool(examples: readonly Json[]): Json[] {
  const seen = new Map<string, Json>();
  const visit = (value: Json): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value !== null && typeof value === 'object') return Object.values(value).forEach(visit);
    seen.set(JSON.stringify(value), value);
  };
  examples.forEach(visit);
  return [...seen.values()];
}

/**
 * The example, and inputs near it: every node deleted, replaced by each generic value (and leaves by
 * a fixed-seed sample of the pooled values),
 * arrays emptied and doubled, an unknown key added to every object, and `pairs` inputs with two
 * such changes at once (deterministic: a fixed-seed generator).
 */
export function* mutationsOf(example: Json, pool: readonly Json[], pairs = 200, pooledPerLeaf = 16): Generator<Json> {
  let seed = 0x9e3779b9;
  const next = (n: number): number => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return seed % n;
  };
  const paths = leafPaths(example);
  const single: Array<(root: Json) => Json> = [];
  for (const path of paths) {
    const here = at(example, path);
    if (path.length > 0) single.push((root) => replaced(root, path, undefined));
    for (const value of GENERIC) single.push((root) => replaced(root, path, value));
    // A sample of the pool per leaf: every pooled value at every leaf is quadratic in the forms' size.
    const pooled = here !== null && typeof here === 'object' ? [] : pool.length <= pooledPerLeaf ? pool : Array.from({ length: pooledPerLeaf }, () => pool[next(pool.length)]!);
    for (const value of pooled) single.push((root) => replaced(root, path, value));
    if (Array.isArray(here)) {
      single.push((root) => replaced(root, path, [...here, ...here]));
      single.push((root) => replaced(root, path, [here]));
    } else if (here !== null && typeof here === 'object') {
      single.push((root) => replaced(root, path, { ...here, unknownField: 'x' }));
      single.push((root) => replaced(root, path, [here]));
    }
  }
  yield clone(example);
  for (const change of single) yield change(example);
  for (let i = 0; i < pairs; i++) {
    const first = single[next(single.length)]!(example);
    const second = single[next(single.length)]!;
    try {
      yield second(first);
    } catch {
      // the second change's path no longer exists after the first
    }
  }
}

export interface ParityTally {
  accepted: number;
  rejected: number;
}

/**
 * Holds `validateDto` (fast path first) to class-transformer + class-validator alone: the same
 * verdict, and for an accepted input the same value, key order included. Throws on the first
 * difference, naming the input.
 */
export function assertSameVerdict(dto: ClassConstructor<object>, input: Json, tally: ParityTally, normalise?: (value: never) => unknown): void {
  const withFastPath = validateDto(dto, input);
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    // Refused before either path is asked.
    if (withFastPath.ok) throw new Error(`${dto.name}: accepted ${JSON.stringify(input)}, which is not an object`);
    tally.rejected += 1;
    return;
  }
  const librariesOnly = validateDtoWithLibraries(dto, input as object);
  const show = (value: unknown): string => JSON.stringify(value);
  if (withFastPath.ok !== librariesOnly.ok) {
    throw new Error(`${dto.name}: fast path says ${withFastPath.ok ? 'valid' : 'invalid'}, class-validator ${librariesOnly.ok ? 'valid' : 'invalid'} for ${show(input)}: ${show(librariesOnly.ok ? withFastPath : librariesOnly)}`);
  }
  if (withFastPath.ok && librariesOnly.ok) {
    tally.accepted += 1;
    const [fast, slow] = normalise ? [normalise(withFastPath.value as never), normalise(librariesOnly.value as never)] : [withFastPath.value, librariesOnly.value];
    if (show(fast) !== show(slow)) throw new Error(`${dto.name}: accepted values differ for ${show(input)}: ${show(fast)} vs ${show(slow)}`);
  } else tally.rejected += 1;
}

