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
  seen.add(obj);
  for (const k of Object.keys(obj)) {
    const item = (obj as Record<string, unknown>)[k];
    if (item === undefined) continue; // dropped by JSON; reading it back still gives undefined
    check(item, [...path, k], seen);
  }
  seen.delete(obj);
}

function fail(path: (string | number)[], what: string): never {
  const at = pointer(path);
  throw new CacheSerializationError(`Cannot cache value: ${at === '' ? 'the value' : `the value at "${at}"`} is ${what}`, {
    details: { path: at },
  });
}

/**
 * The default serializer of byte stores (Redis): strict JSON. Before encoding it checks that
 * the value survives a JSON round trip unchanged and throws a {@link CacheSerializationError}
 * naming the offending path otherwise (functions, symbols, `undefined` at the top level or in
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
