import fc from 'fast-check';
import { bodyFault } from './class-validator-form';
import { hasUnpairedSurrogate } from './text-faults';

const RESERVED = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** Not text anyone types: controls other than tab and line breaks, bidirectional overrides and isolates. */
const notPlain = (text: string) => [...text].some((c) => {
  const code = c.codePointAt(0)!;
  return (code < 0x20 && ![0x09, 0x0a, 0x0d].includes(code)) || code === 0x7f || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
});

/** The rule stated recursively, as an oracle (generated values are shallow enough for recursion). */
function faulty(value: unknown, depth: number, maxDepth: number): boolean {
  if (typeof value === 'string') return hasUnpairedSurrogate(value) || notPlain(value);
  if (value === null || typeof value !== 'object') return false;
  if (depth > maxDepth) return true;
  if (Array.isArray(value)) return value.some((child) => faulty(child, depth + 1, maxDepth));
  return Object.entries(value).some(([key, child]) => RESERVED.has(key) || hasUnpairedSurrogate(key) || faulty(child, depth + 1, maxDepth));
}

/** Keys and strings that are mostly harmless, sometimes reserved or not text. */
const unit = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('a', 'b', 'email', 'あ', '𠮷', '0', ' ') },
  { weight: 1, arbitrary: fc.constantFrom('\uD800', '\uDFFF', '__proto__', 'constructor', 'toString', 'prototype', '\u0000', '\u202E', '\n', '\t') },
);
const text = fc.array(unit, { maxLength: 3 }).map((parts) => parts.join(''));
// Not empty: an empty key leaves no trace in a field name ("" then [0] is "[0]").
const key = fc.array(unit, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(''));
const { value: body } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => JSON.parse(JSON.stringify(Object.fromEntries(entries))) as unknown),
  ),
}));

describe('bodyFault', () => {
  it('given any JSON body and depth limit, finds a fault exactly when the recursive rule says there is one', () => {
    fc.assert(
      fc.property(body, fc.integer({ min: 1, max: 6 }), (value, maxDepth) => {
        expect(bodyFault(value, maxDepth) !== undefined).toBe(faulty(value, 1, maxDepth));
      }),
      { numRuns: 2000, seed: 20261206 },
    );
  });

  it('names the field of the fault it finds: the key there is reserved or not text, or the string there is not text', () => {
    fc.assert(
      fc.property(body, (value) => {
        const fault = bodyFault(value);
        if (fault === undefined || fault.field === '(body)') return;
        // Generated keys hold no '.', '[' or ']', so the field splits back into its path.
        const path = fault.field.split(/\.|(?=\[)/).map((segment) => (/^\[\d+\]$/.test(segment) ? Number(segment.slice(1, -1)) : segment));
        const last = path[path.length - 1];
        const there = path.reduce<unknown>((node, segment) => (node as Record<string | number, unknown>)[segment], value);
        if (fault.rule === 'whitelistValidation') expect(RESERVED.has(String(last))).toBe(true);
        else if (fault.rule === 'plainText') expect(typeof there === 'string' && notPlain(there)).toBe(true);
        else expect(hasUnpairedSurrogate(String(last)) || (typeof there === 'string' && hasUnpairedSurrogate(there))).toBe(true);
      }),
      { numRuns: 2000, seed: 20261206 },
    );
  });
});
