import { isArmorError } from '@armor/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CacheSerializationError } from './errors.js';
import { jsonSerializer, taggedJsonSerializer } from './serializer.js';

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

describe('taggedJsonSerializer', () => {
  const roundTrip = (v: unknown) => taggedJsonSerializer.deserialize(taggedJsonSerializer.serialize(v));

  it('writes plain data as plain JSON (readable by any client, and by jsonSerializer)', () => {
    const text = taggedJsonSerializer.serialize({ a: [1, 'x', null], b: { c: true } });
    expect(text).toBe('{"a":[1,"x",null],"b":{"c":true}}');
    expect(jsonSerializer.deserialize(text)).toEqual({ a: [1, 'x', null], b: { c: true } });
  });

  it('round-trips undefined, Date, Map, Set, BigInt, NaN and ±Infinity at any depth', () => {
    const value = { at: new Date(1), m: new Map([[1n, new Set([undefined])]]), n: [Number.NaN, -Infinity], bad: new Date(Number.NaN) };
    const back = roundTrip(value) as typeof value;
    expect(back).toEqual(value);
    expect(back.at).toBeInstanceOf(Date);
    expect(roundTrip(undefined)).toBeUndefined();
    expect(roundTrip(10n)).toBe(10n);
  });

  it('escapes plain objects that look like its tags, and strings that look like its marker', () => {
    expect(roundTrip({ $armor: 'Date', v: 0 })).toEqual({ $armor: 'Date', v: 0 });
    expect(roundTrip({ x: { $armor: 'undefined' }, d: new Date(0) })).toEqual({ x: { $armor: 'undefined' }, d: new Date(0) });
    expect(roundTrip('~[1]')).toBe('~[1]');
  });

  it('refuses functions, symbols, class instances and cycles with the path', () => {
    class Point {
      x = 1;
    }
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => taggedJsonSerializer.serialize({ f: () => 1 })).toThrow(/"\/f" is a function/);
    expect(() => taggedJsonSerializer.serialize([Symbol('s')])).toThrow(/"\/0" is a symbol/);
    expect(() => taggedJsonSerializer.serialize({ p: new Point() })).toThrow(/"\/p" is a Point/);
    expect(() => taggedJsonSerializer.serialize(cycle)).toThrow(/circular/);
    expect(() => taggedJsonSerializer.serialize({ p: new Point() })).toThrow(CacheSerializationError);
  });

  it('refuses symbol keys (which JSON would drop silently) with a typed error naming the path and the key', () => {
    const s = Symbol('secret');
    for (const serializer of [taggedJsonSerializer, jsonSerializer]) {
      let thrown: unknown;
      try {
        serializer.serialize({ a: { [s]: 1, b: 2 } });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CacheSerializationError);
      expect((thrown as CacheSerializationError).message).toMatch(/"\/a" has a symbol key Symbol\(secret\)/);
      expect((thrown as CacheSerializationError).details).toEqual({ path: '/a' });
      expect(() => serializer.serialize({ [s]: 'top' })).toThrow(/the value has a symbol key/);
      expect(() => serializer.serialize([{ [Symbol.iterator]: 1 }])).toThrow(/"\/0" has a symbol key/);
    }
    // a non-enumerable symbol (metadata some libraries attach) is not data and is not refused
    const tagged = Object.defineProperty({ x: 1 }, Symbol('meta'), { value: 1, enumerable: false });
    expect(taggedJsonSerializer.deserialize(taggedJsonSerializer.serialize(tagged))).toEqual({ x: 1 });
  });
});

describe('taggedJsonSerializer properties', () => {
  it('round-trips any JSON value, and any value built from Date/Map/Set/BigInt/undefined', () => {
    const leaf = fc.oneof(fc.jsonValue(), fc.date({ noInvalidDate: true }), fc.bigInt(), fc.constant(undefined), fc.double());
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node')), fc.dictionary(fc.string(), tie('node')), fc.array(tie('node')).map((a) => new Set(a))),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        const back = taggedJsonSerializer.deserialize(taggedJsonSerializer.serialize(v));
        expect(back).toEqual(v);
      }),
      { numRuns: 200 },
    );
  });
});
