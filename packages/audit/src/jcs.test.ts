import canonicalizeReference from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditError } from './errors.js';
import { canonicalize } from './jcs.js';
import vectors from '../test-vectors/jcs.json';

describe('canonicalize (RFC 8785)', () => {
  it('matches the independent `canonicalize` package on property-generated JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalize(value)).toBe(canonicalizeReference(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches on numbers at the edges of ECMAScript formatting', () => {
    const numbers = [0, -0, 1e21, 1e-7, 123456789012345680000, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, -1.5e-10, 2 ** 53, 333333333.3333333];
    for (const n of numbers) expect(canonicalize({ n })).toBe(canonicalizeReference({ n }));
  });

  it('sorts keys by UTF-16 code units, not code points or locale', () => {
    const value = { '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, '\ufb33': 4, '1': 5, a: 6, A: 7 };
    expect(canonicalize(value)).toBe(canonicalizeReference(value));
  });

  it('reproduces the published test vectors (test-vectors/jcs.json)', () => {
    expect(vectors.length).toBeGreaterThan(5);
    for (const v of vectors) expect(canonicalize(v.input)).toBe(v.canonical);
  });

  const refused: [string, unknown, string][] = [
    ['NaN', { a: NaN }, '/a'],
    ['Infinity', [1, Infinity], '/1'],
    ['a function', { f: () => 1 }, '/f'],
    ['a bigint', { b: 1n }, '/b'],
    ['a symbol', { s: Symbol('x') }, '/s'],
    ['undefined in an array', [undefined], '/0'],
    ['a Date', { d: new Date(0) }, '/d'],
    ['a Map', { m: new Map() }, '/m'],
    ['a lone surrogate', { s: 'a\ud800b' }, '/s'],
    ['a lone surrogate in a key', { ['\udc00']: 1 }, '/\udc00'],
    ['a symbol key', { [Symbol('k')]: 1 }, '/'],
  ];
  it.each(refused)('refuses %s with a typed error naming the path', (_what, value, path) => {
    let error: unknown;
    try {
      canonicalize(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AuditError);
    expect(error).toMatchObject({ reason: 'not_canonical', details: { path } });
  });

  it('refuses cycles and very deep nesting without overflowing the stack', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalize(cyclic)).toThrow(/cycle/);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => canonicalize(deep)).toThrow(/nesting deeper than 64/);
  });

  it('leaves out undefined properties, as JSON does', () => {
    expect(canonicalize({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});
