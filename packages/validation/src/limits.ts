import { checkBoolean, checkInt, checkOptions } from '@armor/core';
import { ValidationError, type ValidationIssue } from '@armor/errors';

/** Options of {@link limits}. */
export interface LimitsOptions {
  /**
   * Maximum nesting of objects and arrays; the root value is depth 0, `{ a: [1] }` has depth 2.
   * @default 32
   */
  maxDepth?: number | undefined;
  /**
   * Maximum number of object keys plus array elements in the WHOLE value (a budget, so a huge
   * flat array and many small objects are both bounded).
   * @default 10_000
   */
  maxKeys?: number | undefined;
  /**
   * Maximum length of any string value or object key, in UTF-16 code units.
   * @default 100_000
   */
  maxStringLength?: number | undefined;
  /**
   * Reject the object keys `__proto__`, `constructor` and `prototype` (issue code
   * `forbidden_key`): `JSON.parse` keeps `"__proto__"` as an own key, and a later deep merge or
   * `Object.assign` into a plain object turns it into prototype pollution.
   * @default true
   */
  rejectProtoKeys?: boolean | undefined;
}

const PROTO_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A structure guard returned by {@link limits}. */
export interface StructureGuard {
  /** The effective limits. */
  readonly options: Readonly<Required<LimitsOptions>>;
  /**
   * Returns the first violated limit as an issue (path prefixed with `prefix`), or `undefined`
   * when `value` is within limits. Never throws and never recurses.
   */
  check(value: unknown, prefix?: string): ValidationIssue | undefined;
  /** Throws a `ValidationError` when `value` breaks a limit. */
  assert(value: unknown, prefix?: string): void;
}


const escapeSegment = (s: string) => (s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s);

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  key: string;
}

function pathOf(frame: Frame, prefix: string): string {
  const parts: string[] = [];
  for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent) parts.push(escapeSegment(f.key));
  let out = prefix;
  for (let i = parts.length - 1; i >= 0; i--) out += `/${parts[i]}`;
  return out;
}

/**
 * Creates a guard that rejects deeply nested or huge values BEFORE a schema walks them. The walk
 * is iterative (an explicit stack), so a 10,000-deep array is rejected at `maxDepth + 1`
 * without touching the call stack. Getters and proxies that throw are reported as issues.
 *
 * @example
 * ```ts
 * const guard = limits({ maxDepth: 20, maxKeys: 1000, maxStringLength: 10_000 });
 * guard.assert(JSON.parse(body)); // throws ValidationError { issues: [{ code: 'too_deep', path: '/a/0/…' }] }
 * parse(Schema, input, { limits: guard });
 * ```
 */
export function limits(options: LimitsOptions = {}): StructureGuard {
  checkOptions('limits', options, ['maxDepth', 'maxKeys', 'maxStringLength', 'rejectProtoKeys']);
  checkBoolean('rejectProtoKeys', options.rejectProtoKeys);
  const rejectProtoKeys = options.rejectProtoKeys ?? true;
  checkInt('maxDepth', options.maxDepth, 0);
  checkInt('maxKeys', options.maxKeys, 0);
  checkInt('maxStringLength', options.maxStringLength, 0);
  const maxDepth = options.maxDepth ?? 32;
  const maxKeys = options.maxKeys ?? 10_000;
  const maxStringLength = options.maxStringLength ?? 100_000;
  const effective = Object.freeze({ maxDepth, maxKeys, maxStringLength, rejectProtoKeys });

  const check = (value: unknown, prefix = ''): ValidationIssue | undefined => {
    if (typeof value === 'string') {
      return value.length > maxStringLength
        ? { path: prefix, message: `String is longer than ${maxStringLength} characters`, code: 'string_too_long' }
        : undefined;
    }
    if (typeof value !== 'object' || value === null) return undefined;
    let keys = 0;
    const stack: Frame[] = [{ value, depth: 0, parent: undefined, key: '' }];
    try {
      while (stack.length > 0) {
        const frame = stack.pop()!;
        const current = frame.value;
        if (typeof current === 'string') {
          if (current.length > maxStringLength) {
            return { path: pathOf(frame, prefix), message: `String is longer than ${maxStringLength} characters`, code: 'string_too_long' };
          }
          continue;
        }
        if (typeof current !== 'object' || current === null) continue;
        if (frame.depth >= maxDepth) {
          return { path: pathOf(frame, prefix), message: `Input is nested deeper than ${maxDepth} levels`, code: 'too_deep' };
        }
        const depth = frame.depth + 1;
        if (Array.isArray(current)) {
          keys += current.length;
          if (keys > maxKeys) return { path: pathOf(frame, prefix), message: `Input has more than ${maxKeys} keys and elements`, code: 'too_many_keys' };
          for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], depth, parent: frame, key: String(i) });
          continue;
        }
        const names = Object.keys(current);
        keys += names.length;
        if (keys > maxKeys) return { path: pathOf(frame, prefix), message: `Input has more than ${maxKeys} keys and elements`, code: 'too_many_keys' };
        for (let i = names.length - 1; i >= 0; i--) {
          const name = names[i]!;
          if (name.length > maxStringLength) {
            return { path: pathOf(frame, prefix), message: `Key is longer than ${maxStringLength} characters`, code: 'string_too_long' };
          }
          if (rejectProtoKeys && PROTO_KEYS.has(name)) {
            return { path: pathOf({ value: undefined, depth, parent: frame, key: name }, prefix), message: `Key "${name}" is not allowed (prototype pollution)`, code: 'forbidden_key' };
          }
          stack.push({ value: (current as Record<string, unknown>)[name], depth, parent: frame, key: name });
        }
      }
    } catch {
      return { path: prefix, message: 'Input could not be inspected', code: 'invalid_structure' };
    }
    return undefined;
  };

  return {
    options: effective,
    check,
    assert(value, prefix = '') {
      const issue = check(value, prefix);
      if (issue !== undefined) throw new ValidationError('Input exceeds structural limits', { issues: [issue] });
    },
  };
}
