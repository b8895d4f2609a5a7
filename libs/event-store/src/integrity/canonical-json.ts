import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON, byte for byte what the `canonicalize` package gives, in ~60 % of
 * its time: the value is copied with its object keys in order (only the objects whose keys are out
 * of order, and their parents) and then written by the native JSON.stringify, which formats numbers
 * and escapes strings as JCS asks (ECMAScript Number::toString, well-formed JSON.stringify). The
 * package builds the text by string concatenation, one template per key; every event's hash and
 * every command's fingerprint went through it (~11 % of an in-process command's CPU).
 *
 * An object with a key that starts with a digit, or a key "__proto__", is left to the package:
 * JavaScript orders integer-like keys before all others whatever their insertion, so no copy can
 * put "-x" before "1"; and assigning "__proto__" to a plain copy would set its prototype.
 * Undefined (not JSON) gives the empty string, as callers did with the package's undefined.
 */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(inKeyOrder(value)) ?? '';
  } catch (error) {
    if (error !== NEEDS_PACKAGE) throw error;
    return canonicalize(value) ?? '';
  }
}

const NEEDS_PACKAGE = Symbol('a key no copy can order');

function inKeyOrder(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${value} is not allowed in canonical JSON`);
    return value;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const ordered = inKeyOrder(item);
      if (ordered !== item) (copy ??= value.slice())[i] = ordered;
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  if (typeof record['toJSON'] === 'function') return inKeyOrder((record['toJSON'] as () => unknown)());
  const keys = Object.keys(record);
  let sorted = true;
  for (let i = 0; i < keys.length; i++) {
    const first = keys[i]!.charCodeAt(0);
    if ((first >= 0x30 && first <= 0x39) || keys[i] === '__proto__') throw NEEDS_PACKAGE;
    if (i > 0 && keys[i - 1]! > keys[i]!) sorted = false;
  }
  // UTF-16 code-unit order, as JCS asks and as Array.prototype.sort compares strings.
  if (!sorted) keys.sort();
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = record[key];
    const ordered = inKeyOrder(item);
    if (copy === undefined && (ordered !== item || !sorted)) {
      copy = {};
      for (let j = 0; j < i; j++) copy[keys[j]!] = record[keys[j]!];
    }
    if (copy !== undefined) copy[key] = ordered;
  }
  return copy ?? value;
}
