/**
 * JSON that cannot throw: what the snapshot serializer and `recordError` contexts go through,
 * so no value a route hands to monitoring (a circular `req`, a `BigInt`, a throwing getter, a
 * 5 MB string) can break the monitoring endpoint or the process.
 *
 * @module
 */

/** Limits of {@link toJsonSafe}. */
export interface JsonSafeLimits {
  /** Deepest nesting kept; deeper values become `'[Object]'` / `'[Array]'`. @default 6 */
  maxDepth?: number;
  /** Longest string kept (characters); longer ones are cut and end with `…`. @default 2000 */
  maxString?: number;
  /** Most keys (or array items) kept per object; the rest are counted in a `'…'` key. @default 50 */
  maxKeys?: number;
  /** Rough budget of characters for the whole value; past it values become `'[Truncated]'`. @default 16384 */
  maxChars?: number;
}

const PLAIN_PROTOS = new Set<unknown>([Object.prototype, null]);

/**
 * A copy of `value` that `JSON.stringify` renders without throwing and within bounds: circular
 * references become `'[Circular]'`, `bigint`s decimal strings, functions and symbols
 * `'[Function]'`/`'[Symbol]'`, values behind throwing getters or proxies `'[Unreadable]'`,
 * `Error`s `{ name, message }`, `Date`s ISO strings, non-finite numbers strings, and instances of
 * other classes (an Express `req`, a socket) `'[ClassName]'` — their getters are never called.
 * Only plain objects and arrays are walked.
 *
 * @example
 * ```ts
 * const a: Record<string, unknown> = { id: 1n };
 * a.self = a;
 * JSON.stringify(toJsonSafe(a)); // '{"id":"1","self":"[Circular]"}'
 * ```
 */
export function toJsonSafe(value: unknown, limits: JsonSafeLimits = {}): unknown {
  const maxDepth = limits.maxDepth ?? 6;
  const maxString = limits.maxString ?? 2000;
  const maxKeys = limits.maxKeys ?? 50;
  let budget = limits.maxChars ?? 16_384;
  const stack: object[] = [];

  const str = (s: string): string => {
    const cut = s.length > maxString ? `${s.slice(0, maxString)}…` : s;
    budget -= cut.length + 2;
    return cut;
  };

  const walk = (v: unknown, depth: number): unknown => {
    if (budget <= 0) return '[Truncated]';
    switch (typeof v) {
      case 'string':
        return str(v);
      case 'number':
        budget -= 8;
        return Number.isFinite(v) ? v : String(v);
      case 'boolean':
        budget -= 5;
        return v;
      case 'bigint':
        return str(v.toString());
      case 'undefined':
        return undefined;
      case 'symbol':
        return '[Symbol]';
      case 'function':
        return '[Function]';
    }
    if (v === null) return null;
    const obj = v as object;
    if (stack.includes(obj)) return '[Circular]';
    try {
      if (Array.isArray(obj)) {
        if (depth >= maxDepth) return '[Array]';
        stack.push(obj);
        try {
          const out: unknown[] = [];
          const n = Math.min(obj.length, maxKeys);
          for (let i = 0; i < n && budget > 0; i++) out.push(readSafe(() => walk((obj as unknown[])[i], depth + 1)) ?? null);
          if (obj.length > n) out.push(`… ${obj.length - n} more`);
          return out;
        } finally {
          stack.pop();
        }
      }
      if (obj instanceof Error) {
        return { name: str(String(readSafe(() => obj.name) ?? 'Error')), message: str(String(readSafe(() => obj.message) ?? '')) };
      }
      if (obj instanceof Date) return readSafe(() => (Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString())) ?? '[Unreadable]';
      const proto = Object.getPrototypeOf(obj) as unknown;
      if (!PLAIN_PROTOS.has(proto)) return `[${className(proto)}]`;
      if (depth >= maxDepth) return '[Object]';
      stack.push(obj);
      try {
        const out: Record<string, unknown> = {};
        const keys = Object.keys(obj);
        const n = Math.min(keys.length, maxKeys);
        for (let i = 0; i < n && budget > 0; i++) {
          const key = keys[i]!;
          budget -= key.length + 3;
          const item = readSafe(() => walk((obj as Record<string, unknown>)[key], depth + 1), '[Unreadable]');
          if (item !== undefined) out[key.length > 200 ? `${key.slice(0, 200)}…` : key] = item;
        }
        if (keys.length > n) out['…'] = `${keys.length - n} more keys`;
        return out;
      } finally {
        stack.pop();
      }
    } catch {
      return '[Unreadable]';
    }
  };
  return readSafe(() => walk(value, 0), '[Unreadable]');
}

function readSafe<T>(read: () => T, fallback?: T): T | undefined {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function className(proto: unknown): string {
  try {
    const name = (proto as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name !== '' ? name.slice(0, 100) : 'Object';
  } catch {
    return 'Object';
  }
}

/**
 * `JSON.stringify` that never throws: tries the plain call first (the fast path for values that
 * are already JSON-safe), then falls back to {@link toJsonSafe}.
 */
export function stringifySafe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    try {
      return JSON.stringify(toJsonSafe(value, { maxChars: Infinity, maxKeys: Infinity, maxDepth: 64, maxString: Infinity })) ?? 'null';
    } catch {
      return 'null';
    }
  }
}
