import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

// Every event hash and command fingerprint already stored was made by the package: the two must
// never differ by one byte on any JSON value.
const codeUnit = fc.oneof(
  fc.constantFrom('a', 'B', '-', '_', ' ', '0', '1', '9', '~', 'é', 'あ', '\uFF61', '\uD83D\uDE00', '\uD800', '\uDFFF', '"', '\\', '\n', '\u2028'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
);
const json = fc.jsonValue({ stringUnit: codeUnit, maxDepth: 5 });

describe('canonicalJson (RFC 8785) gives what the canonicalize package gives', () => {
  it('on any JSON value, with keys and strings of any UTF-16 code units, lone surrogates included', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('on any JSON value, after the value went through JSON text (the way stored events come back)', () => {
    fc.assert(
      fc.property(json, (value) => {
        const parsed: unknown = JSON.parse(JSON.stringify(value));
        expect(canonicalJson(parsed)).toBe(canonicalize(parsed));
      }),
      { numRuns: 500 },
    );
  });

  it('orders keys by UTF-16 code units, out of order at every depth', () => {
    const value = { z: 1, a: { y: [{ b: 2, a: 1 }], x: null }, '\uFF61': 'half-width', '\uD83D\uDE00': 'emoji', A: true };
    expect(canonicalJson(value)).toBe('{"A":true,"a":{"x":null,"y":[{"a":1,"b":2}]},"z":1,"\uD83D\uDE00":"emoji","\uFF61":"half-width"}');
    expect(canonicalJson(value)).toBe(canonicalize(value));
  });

  it('orders integer-like keys as strings, though JavaScript keeps them first in number order', () => {
    const value = { b: 1, '10': 'ten', '9': 'nine', '-x': 'minus', '1.5': 'x', nested: [{ '2': 0, '-': 1 }] };
    expect(canonicalJson(value)).toBe('{"-x":"minus","1.5":"x","10":"ten","9":"nine","b":1,"nested":[{"-":1,"2":0}]}');
  });

  it('keeps a "__proto__" key as a key (JSON.parse makes it an own property)', () => {
    const value: unknown = JSON.parse('{"z":0,"__proto__":{"b":1,"a":2}}');
    expect(canonicalJson(value)).toBe('{"__proto__":{"a":2,"b":1},"z":0}');
    expect(canonicalJson(value)).toBe(canonicalize(value));
  });

  it('formats numbers as ECMAScript does (JCS): -0, exponents, the shortest round trip', () => {
    const value = [-0, 1e21, 1e-7, 0.1 + 0.2, 123456789012345680000, 5e-324, -1.7976931348623157e308];
    expect(canonicalJson(value)).toBe('[0,1e+21,1e-7,0.30000000000000004,123456789012345680000,5e-324,-1.7976931348623157e+308]');
  });

  it('uses toJSON (a Date), skips undefined members, writes undefined items as null', () => {
    const value = { at: new Date('2026-12-06T00:00:00.000Z'), gone: undefined, list: [undefined, 1] };
    expect(canonicalJson(value)).toBe('{"at":"2026-12-06T00:00:00.000Z","list":[null,1]}');
    expect(canonicalJson(value)).toBe(canonicalize(value));
  });

  it('refuses NaN and infinities, as the package does', () => {
    expect(() => canonicalJson({ a: [Number.NaN] })).toThrow(/NaN is not allowed/);
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(/Infinity is not allowed/);
  });

  it('gives the empty string for undefined, and leaves its input as it was', () => {
    expect(canonicalJson(undefined)).toBe('');
    const value = { b: { d: 1, c: 2 }, a: [{ f: 1, e: 2 }] };
    const before = JSON.stringify(value);
    canonicalJson(value);
    expect(JSON.stringify(value)).toBe(before);
  });
});
