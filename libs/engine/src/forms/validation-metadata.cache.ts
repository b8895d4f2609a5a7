import { getMetadataStorage } from 'class-validator';

/**
 * class-validator 0.14 answers `getTargetValidationMetadatas` by scanning every registered class
 * on each call, once per nested object validated (typestack/class-validator#2686). Profiles of
 * form saving put that scan at ~8 % of a command's CPU. What it returns depends only on the
 * metadata registered so far, so the answers are kept until anything is registered again, which
 * drops them all (a class defined later, e.g. by a lazily loaded module, is never served a stale list).
 */
type Storage = ReturnType<typeof getMetadataStorage>;
type Lookup = Storage['getTargetValidationMetadatas'];
type Grouping = Storage['groupByPropertyName'];

const INSTALLED = Symbol.for('nws.class-validator.metadata-cache');

let generation = 0;

/** Changes whenever metadata is registered: what was derived from the metadata before is stale. */
export function validationMetadataGeneration(): number {
  return generation;
}

export function cacheValidationMetadata(storage: Storage = getMetadataStorage()): void {
  const host = storage as Storage & { [INSTALLED]?: true };
  if (host[INSTALLED]) return;
  host[INSTALLED] = true;

  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group: Grouping = storage.groupByPropertyName.bind(storage);
  let lookups = new WeakMap<object, Map<string, ReturnType<Lookup>>>();
  let groupings = new WeakMap<object, ReturnType<Grouping>>();
  const forget = (): void => {
    generation += 1;
    lookups = new WeakMap();
    groupings = new WeakMap();
  };

  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${String(always)}\u0000${String(strictGroups)}\u0000${groups?.join('\u0001') ?? ''}`;
    let perTarget = lookups.get(target);
    if (!perTarget) lookups.set(target, (perTarget = new Map()));
    let found = perTarget.get(key);
    if (!found) perTarget.set(key, (found = lookup(target, schema, always, strictGroups, groups)));
    return found;
  };
  // The executor groups the (now identical) list again on every call; group it once per list.
  storage.groupByPropertyName = (metadata) => {
    let grouped = groupings.get(metadata);
    if (!grouped) groupings.set(metadata, (grouped = group(metadata)));
    return grouped;
  };
  for (const method of ['addValidationMetadata', 'addConstraintMetadata', 'addValidationSchema'] as const) {
    const original = (storage[method] as (...args: unknown[]) => void).bind(storage);
    (storage as unknown as Record<string, (...args: unknown[]) => void>)[method] = (...args) => {
      forget();
      original(...args);
    };
  }
}
