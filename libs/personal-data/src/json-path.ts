export type PathSegment = string | number;

/**
 * Expands a declared field pattern (`normalContacts[].phone`, the notation of the forms'
 * `personalFields`) against a document into the concrete paths present in it.
 */
export function expandPattern(root: unknown, pattern: string, prefix: readonly PathSegment[] = []): PathSegment[][] {
  let paths: PathSegment[][] = [[...prefix]];
  for (const part of pattern.split('.')) {
    const each = part.endsWith('[]');
    const key = each ? part.slice(0, -2) : part;
    const next: PathSegment[][] = [];
    for (const path of paths) {
      const container = getAt(root, path);
      if (!isRecord(container) || !(key in container)) continue;
      if (!each) {
        next.push([...path, key]);
        continue;
      }
      const list = container[key];
      if (Array.isArray(list)) list.forEach((_, index) => next.push([...path, key, index]));
    }
    paths = next;
  }
  return paths;
}

export function getAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

/** Sets a value in place; the caller owns the document (a copy). */
export function setAt(root: unknown, path: readonly PathSegment[], value: unknown): void {
  const parent = getAt(root, path.slice(0, -1));
  if (parent !== null && typeof parent === 'object') (parent as Record<PathSegment, unknown>)[path.at(-1)!] = value;
}

/**
 * The document with one value replaced, leaving the given one untouched: only the objects and
 * arrays on the path are copied, the rest is shared (documents are never mutated once built).
 * A path that does not exist in the document leaves it as it is.
 */
export function withValueAt<T>(root: T, path: readonly PathSegment[], value: unknown): T {
  if (path.length === 0) return value as T;
  if (root === null || typeof root !== 'object') return root;
  const [head, ...rest] = path as [PathSegment, ...PathSegment[]];
  const inner = (root as Record<PathSegment, unknown>)[head];
  if (rest.length > 0 && (inner === null || typeof inner !== 'object')) return root;
  const replaced = withValueAt(inner, rest, value);
  if (replaced === inner && rest.length > 0) return root;
  const copy = (Array.isArray(root) ? [...root] : { ...root }) as Record<PathSegment, unknown>;
  copy[head] = replaced;
  return copy as T;
}

/** The sibling `name` of a field: the person a phone number or e-mail belongs to. */
export function siblingName(path: readonly PathSegment[]): PathSegment[] {
  return [...path.slice(0, -1), 'name'];
}

/** `['data','form','normalContacts',0,'phone']` → `data.form.normalContacts[0].phone`. */
export function formatPath(path: readonly PathSegment[]): string {
  return path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment), '');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every string leaf of a document with its path (ciphertexts are strings). */
export function* stringLeaves(value: unknown, path: PathSegment[] = []): Generator<[PathSegment[], string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* stringLeaves(value[i], [...path, i]);
  else if (isRecord(value)) for (const [key, inner] of Object.entries(value)) yield* stringLeaves(inner, [...path, key]);
}
