import { isArmorError } from '@armor/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CacheSerializationError } from './errors.js';
import { jsonSerializer } from './serializer.js';

class Point {
  x = 1;
}

describe('jsonSerializer', () => {
  it('round-trips plain JSON data', () => {
    const value = { a: [1, 'two', true, null, { b: -3.5 }], c: {}, d: '' };
    expect(jsonSerializer.deserialize(jsonSerializer.serialize(value))).toEqual(value);
  });

  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const shared = { s: 1 };

  it.each([
    ['undefined', undefined, ''],
    ['a function', { f: () => 1 }, '/f'],
    ['a symbol', [Symbol('x')], '/0'],
    ['a bigint', { n: 1n }, '/n'],
    ['NaN', { n: Number.NaN }, '/n'],
    ['Infinity', [Number.POSITIVE_INFINITY], '/0'],
    ['undefined in an array', [1, undefined], '/1'],
    ['a Date', { at: new Date(0) }, '/at'],
    ['a Map', { m: new Map() }, '/m'],
    ['a Set', new Set([1]), ''],
    ['a class instance', { p: new Point() }, '/p'],
    ['a cycle', cyclic, '/self'],
    ['a key with a slash', { 'a/b': { f: () => 1 } }, '/a~1b/f'],
  ])('rejects %s with the offending path', (_label, value, path) => {
    let thrown: unknown;
    try {
      jsonSerializer.serialize(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CacheSerializationError);
    expect(isArmorError(thrown, 'INTERNAL')).toBe(true);
    expect((thrown as CacheSerializationError).details).toEqual({ path });
    expect((thrown as Error).message).toMatch(/^Cannot cache value/);
  });

  it('accepts the same object twice (not a cycle) and drops undefined properties', () => {
    expect(jsonSerializer.serialize({ a: shared, b: shared, c: undefined })).toBe('{"a":{"s":1},"b":{"s":1}}');
  });

  it('property: any value either round-trips exactly or is rejected with CacheSerializationError', () => {
    fc.assert(
      fc.property(fc.anything({ withDate: true, withMap: true, withSet: true, withBigInt: true, withNullPrototype: true }), (value) => {
        let text: string;
        try {
          text = jsonSerializer.serialize(value);
        } catch (error) {
          return error instanceof CacheSerializationError;
        }
        const back = jsonSerializer.deserialize(text);
        return JSON.stringify(back) === text && jsonSerializer.serialize(back) === text;
      }),
      { numRuns: 500 },
    );
  });

  it('property: JSON values always serialize', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = jsonSerializer.serialize(value);
        return JSON.stringify(jsonSerializer.deserialize(text)) === JSON.stringify(value);
      }),
    );
  });
});
