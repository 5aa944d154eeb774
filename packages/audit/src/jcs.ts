/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * Written here rather than taken from the `canonicalize` package (which the tests use as an
 * independent reference) because an audit log must refuse what JSON cannot carry instead of
 * dropping or coercing it: `canonicalize` silently skips functions and symbols, turns `NaN` into
 * `null` and follows `toJSON`. This one throws an {@link AuditError} naming the path. It is
 * linear in the size of its input and refuses nesting deeper than 64 levels (no stack overflow
 * on hostile input).
 *
 * @module
 */
import { AuditError } from './errors.js';

const MAX_DEPTH = 64;

/** The text being built (string concatenation is faster than an array join for these sizes). */
interface Out {
  s: string;
}

/** The JSON pointer of a path, built only when something fails (keeps the happy path cheap). */
function pointer(path: readonly (string | number)[]): string {
  return path.length ? path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('') : '/';
}

function fail(path: readonly (string | number)[], what: string): never {
  const at = pointer(path);
  throw new AuditError('not_canonical', `Cannot canonicalize ${what} at ${at}`, { details: { path: at } });
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return true;
  }
  return false;
}

const SURROGATE = /[\ud800-\udfff]/;

function str(s: string, path: readonly (string | number)[]): string {
  // The regex (one character class, linear) skips the scan for the common surrogate-free string.
  if (SURROGATE.test(s) && hasLoneSurrogate(s)) fail(path, 'a string with a lone surrogate');
  // ECMAScript's JSON string quoting is exactly RFC 8785 §3.2.2.2 for well-formed strings.
  return JSON.stringify(s);
}

function write(value: unknown, path: (string | number)[], depth: number, out: Out, seen: object[]): void {
  switch (typeof value) {
    case 'string':
      out.s += str(value, path);
      return;
    case 'number':
      if (!Number.isFinite(value)) fail(path, String(value));
      // ECMAScript Number-to-String is the number serialization RFC 8785 §3.2.2.3 prescribes (-0 → 0).
      out.s += JSON.stringify(value);
      return;
    case 'boolean':
      out.s += value ? 'true' : 'false';
      return;
    case 'object':
      break;
    default:
      fail(path, `a ${typeof value}`);
  }
  if (value === null) {
    out.s += 'null';
    return;
  }
  if (depth >= MAX_DEPTH) fail(path, `nesting deeper than ${MAX_DEPTH}`);
  // `seen` is the current path (at most 64 deep): a cycle is a value already on it.
  if (seen.includes(value)) fail(path, 'a cycle');
  seen.push(value);
  if (Array.isArray(value)) {
    out.s += '[';
    for (let i = 0; i < value.length; i++) {
      if (i) out.s += ',';
      const item: unknown = value[i];
      path.push(i);
      if (item === undefined) fail(path, 'undefined');
      write(item, path, depth + 1, out, seen);
      path.pop();
    }
    out.s += ']';
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) fail(path, `a ${(value as object).constructor?.name ?? 'non-plain'} object`);
    if (Object.getOwnPropertySymbols(value).length) fail(path, 'a symbol key');
    // Sorted by UTF-16 code units, which is what Array.prototype.sort does on strings (RFC 8785 §3.2.3).
    const keys = Object.keys(value).sort();
    out.s += '{';
    let first = true;
    for (const key of keys) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined) continue; // absent, as in JSON
      if (!first) out.s += ',';
      first = false;
      path.push(key);
      out.s += str(key, path) + ':';
      write(item, path, depth + 1, out, seen);
      path.pop();
    }
    out.s += '}';
  }
  seen.pop();
}

/**
 * The RFC 8785 canonical JSON text of `value`: object keys sorted by UTF-16 code units, no
 * whitespace, ECMAScript number formatting. Properties whose value is `undefined` are left out,
 * as `JSON.stringify` does.
 *
 * @throws {AuditError} `not_canonical` for a value JSON cannot carry (functions, symbols, bigints,
 *   `NaN`/`Infinity`, `undefined` in arrays, class instances such as `Date`, cycles, lone
 *   surrogates, nesting deeper than 64), naming its JSON-pointer path.
 * @example
 * ```ts
 * canonicalize({ b: 1, a: [true, 'x'] }); // '{"a":[true,"x"],"b":1}'
 * ```
 */
export function canonicalize(value: unknown): string {
  const out: Out = { s: '' };
  write(value, [], 0, out, []);
  return out.s;
}

const encoder = new TextEncoder();

/** The UTF-8 bytes of {@link canonicalize}`(value)`: what Armor hashes and signs. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalize(value));
}
