import { CacheSerializationError } from './errors.js';
import type { Serializer } from './types.js';

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  return proto?.constructor?.name ?? 'object';
};

const pointer = (path: readonly (string | number)[]) =>
  path.length === 0 ? '' : '/' + path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function check(value: unknown, path: (string | number)[], seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) fail(path, `the number ${value}, which JSON turns into null`);
      return;
    case 'object':
      break;
    default:
      fail(path, `a ${typeof value}, which JSON cannot represent`);
  }
  if (value === null) return;
  const obj = value as object;
  if (seen.has(obj)) fail(path, 'a circular reference');
  if (Array.isArray(obj)) {
    seen.add(obj);
    for (let i = 0; i < obj.length; i++) {
      const item: unknown = obj[i];
      if (item === undefined) fail([...path, i], 'undefined inside an array, which JSON turns into null');
      check(item, [...path, i], seen);
    }
    seen.delete(obj);
    return;
  }
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) {
    fail(path, `a ${describe(obj)}, which JSON cannot round-trip (convert it to plain data or pass a custom serializer)`);
  }
  checkSymbolKeys(obj, path);
  seen.add(obj);
  for (const k of Object.keys(obj)) {
    const item = (obj as Record<string, unknown>)[k];
    if (item === undefined) continue; // dropped by JSON; reading it back still gives undefined
    check(item, [...path, k], seen);
  }
  seen.delete(obj);
}

/**
 * Throws for an enumerable symbol key: JSON drops it silently, so the value read back would
 * lack it while the memory store keeps it. (Non-enumerable symbols are metadata, not data.)
 */
function checkSymbolKeys(obj: object, path: (string | number)[]): void {
  for (const s of Object.getOwnPropertySymbols(obj)) {
    if (Object.prototype.propertyIsEnumerable.call(obj, s)) fail(path, `has a symbol key ${String(s)}, which JSON drops silently`, true);
  }
}

function fail(path: (string | number)[], what: string, verb = false): never {
  const at = pointer(path);
  throw new CacheSerializationError(`Cannot cache value: ${at === '' ? 'the value' : `the value at "${at}"`} ${verb ? '' : 'is '}${what}`, {
    details: { path: at },
  });
}

/**
 * The default serializer of byte stores (Redis): strict JSON. Before encoding it checks that
 * the value survives a JSON round trip unchanged and throws a {@link CacheSerializationError}
 * naming the offending path otherwise (functions, symbols, symbol keys, `undefined` at the top level or in
 * arrays, `BigInt`, non-finite numbers, `Date`, `Map`, `Set`, class instances, cycles).
 *
 * @example
 * ```ts
 * jsonSerializer.serialize({ a: [1, 'x'] }); // '{"a":[1,"x"]}'
 * jsonSerializer.serialize({ at: new Date() }); // throws CacheSerializationError (path "/at")
 * ```
 */
export const jsonSerializer: Serializer = {
  serialize(value: unknown): string {
    if (value === undefined) fail([], 'undefined, which JSON cannot represent');
    check(value, [], new Set());
    return JSON.stringify(value);
  },
  deserialize(text: string): unknown {
    return JSON.parse(text);
  },
};

/** Marks a payload written in tagged form (a plain-JSON payload never starts with it). */
const TAGGED = '~';
/** The tag property of encoded special values; plain objects that have it are escaped. */
const T = '$armor';

type Encoded = { tagged: boolean };

function encode(value: unknown, path: (string | number)[], seen: Set<object>, state: Encoded): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      state.tagged = true;
      return { [T]: 'Number', v: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      state.tagged = true;
      return { [T]: 'BigInt', v: value.toString() };
    case 'undefined':
      state.tagged = true;
      return { [T]: 'undefined' };
    case 'object':
      break;
    default:
      fail(path, `a ${typeof value}, which cannot be serialized (convert it to data or pass a custom serializer)`);
  }
  if (value === null) return null;
  const obj = value as object;
  if (seen.has(obj)) fail(path, 'a circular reference');
  if (obj instanceof Date) {
    state.tagged = true;
    const time = obj.getTime();
    return { [T]: 'Date', v: Number.isNaN(time) ? null : time };
  }
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((item: unknown, i) => encode(item, [...path, i], seen, state));
    if (obj instanceof Map) {
      state.tagged = true;
      let i = 0;
      const entries: unknown[] = [];
      for (const [k, v] of obj as Map<unknown, unknown>) {
        entries.push([encode(k, [...path, i, 0], seen, state), encode(v, [...path, i, 1], seen, state)]);
        i++;
      }
      return { [T]: 'Map', v: entries };
    }
    if (obj instanceof Set) {
      state.tagged = true;
      return { [T]: 'Set', v: [...(obj as Set<unknown>)].map((item, i) => encode(item, [...path, i], seen, state)) };
    }
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      fail(path, `a ${describe(obj)}, which cannot be round-tripped (convert it to plain data or pass a custom serializer)`);
    }
    checkSymbolKeys(obj, path);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj)) {
      const item = (obj as Record<string, unknown>)[k];
      if (item === undefined) continue; // a missing property reads back as undefined too
      const encoded = encode(item, [...path, k], seen, state);
      if (k === '__proto__') Object.defineProperty(out, k, { value: encoded, enumerable: true, writable: true, configurable: true });
      else out[k] = encoded;
    }
    if (Object.prototype.hasOwnProperty.call(out, T)) {
      state.tagged = true;
      return { [T]: 'Object', v: out };
    }
    return out;
  } finally {
    seen.delete(obj);
  }
}

function decode(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(decode);
  const obj = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(obj, T)) {
    const v = obj.v;
    switch (obj[T]) {
      case 'undefined':
        return undefined;
      case 'Number':
        return Number(v);
      case 'BigInt':
        return BigInt(v as string);
      case 'Date':
        return new Date(v === null ? Number.NaN : (v as number));
      case 'Map':
        return new Map((v as [unknown, unknown][]).map(([k, item]) => [decode(k), decode(item)]));
      case 'Set':
        return new Set((v as unknown[]).map(decode));
      case 'Object':
        return decodeObject(v as Record<string, unknown>);
      default:
        throw new CacheSerializationError(`Cannot read cached value: unknown tag ${JSON.stringify(obj[T])}`);
    }
  }
  return decodeObject(obj);
}

function decodeObject(obj: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(obj)) {
    const value = decode(obj[k]);
    if (k === '__proto__') Object.defineProperty(obj, k, { value, enumerable: true, writable: true, configurable: true });
    else obj[k] = value;
  }
  return obj;
}

/**
 * The default serializer of byte stores (Redis): JSON, extended so that every store gives back
 * what the memory store gives back. Plain data is written as plain JSON; a value holding
 * `undefined`, `Date`, `Map`, `Set`, `BigInt`, `NaN`, `±Infinity` or `-0` (at any depth) is written
 * as tagged JSON (prefixed with `~`) and read back as the same types. Functions, symbols, class
 * instances, symbol keys and cycles throw a {@link CacheSerializationError} naming the path, so `set` rejects
 * before anything is written (and a loaded value the serializer refuses is returned uncached,
 * with a `storeError` event). Properties whose value is `undefined` are dropped (they read back
 * as `undefined`).
 *
 * @example
 * ```ts
 * const text = taggedJsonSerializer.serialize({ at: new Date(0), ids: new Set([1n]) });
 * taggedJsonSerializer.deserialize(text); // { at: Date(0), ids: Set { 1n } }
 * ```
 */
export const taggedJsonSerializer: Serializer = {
  serialize(value: unknown): string {
    const state: Encoded = { tagged: false };
    const encoded = encode(value, [], new Set(), state);
    return state.tagged ? TAGGED + JSON.stringify(encoded) : JSON.stringify(encoded);
  },
  deserialize(text: string): unknown {
    if (text.startsWith(TAGGED)) return decode(JSON.parse(text.slice(TAGGED.length)));
    return JSON.parse(text);
  },
};
