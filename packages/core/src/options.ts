/**
 * Options: the one way every Armor factory checks its options at construction. Every check
 * throws a `ConfigurationError` naming the option; unknown keys are refused with the closest
 * known name (`Unknown option "maxRetries" (did you mean "maxAttempts"?)`).
 *
 * Every `check*` function accepts `undefined` (an omitted option takes its default); use
 * {@link checkRequired} for options without a default.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';

/** Levenshtein distance, capped (small strings only: option names). */
function distance(a: string, b: string): number {
  const al = a.toLowerCase();
  const bl = b.toLowerCase();
  const row = Array.from({ length: bl.length + 1 }, (_, i) => i);
  for (let i = 1; i <= al.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= bl.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (al[i - 1] === bl[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[bl.length]!;
}

/**
 * The known name closest to `name`, or `undefined` when none is close (edit distance at most
 * a third of the longer name, at least 2, or one name containing the other).
 *
 * @example
 * ```ts
 * didYouMean('treshold', ['threshold', 'name']); // 'threshold'
 * ```
 */
export function didYouMean(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  let lower = name.toLowerCase();
  for (const [word, meant] of SYNONYMS) lower = lower.replace(word, meant);
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    let score = distance(lower, c);
    // `treshold` → `failureThreshold`: compare with the candidate's tail (and head) of about the same length
    for (const len of [lower.length - 1, lower.length, lower.length + 1]) {
      if (len < 4 || len >= c.length) continue;
      const part = Math.min(distance(lower, c.slice(c.length - len)), distance(lower, c.slice(0, len))) + 1;
      if (part <= Math.max(1, Math.floor(len / 4)) + 1) score = Math.min(score, part);
    }
    if (score > Math.max(2, Math.floor(Math.max(lower.length, c.length) / 3))) {
      // "maxRetries" vs "maxAttempts": share a long prefix and a meaning; accept a common prefix of 3+
      const prefix = commonPrefix(lower, c);
      if (prefix >= 3 && (lower.includes(c) || c.includes(lower) || prefix >= Math.min(lower.length, c.length) / 2)) score = 100 - prefix;
      else continue;
    }
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** Words people write for the names Armor uses (`maxRetries` → `maxAttempts`). */
const SYNONYMS: readonly [string, string][] = [
  ['retries', 'attempts'],
  ['tries', 'attempts'],
  ['timeout', 'timeoutms'],
  ['delay', 'delayms'],
  ['ttl', 'ttlms'],
  ['window', 'windowms'],
];

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * Checks that `options` is `undefined` or a plain object whose keys are all in `known`;
 * otherwise throws a `ConfigurationError` naming the unknown key and the closest known one.
 * Keys whose value is `undefined` are accepted (a spread of optional settings).
 *
 * @param component - Names the factory in the message, e.g. `retryPolicy`.
 * @param options - What the user passed.
 * @param known - Every option name the factory accepts.
 * @example
 * ```ts
 * checkOptions('retryPolicy', { maxRetries: 3 }, ['maxAttempts', 'backoff']);
 * // throws: Unknown option "maxRetries" of retryPolicy (did you mean "maxAttempts"?)
 * ```
 */
export function checkOptions(component: string, options: unknown, known: readonly string[]): asserts options is object | undefined {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigurationError('options', `${component} options must be an object`, { received: options });
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    if ((options as Record<string, unknown>)[key] === undefined) continue;
    const hint = didYouMean(key, known);
    const error = new ConfigurationError(key, `unknown option of ${component}`);
    // the message users search for: name the unknown key and the likely intended one first
    error.message = `Unknown option "${key}" of ${component}${hint ? ` (did you mean "${hint}"?)` : ''}; known options: ${known.join(', ')}`;
    throw error;
  }
}

/** Throws unless `value` is present (not `undefined`/`null`). */
export function checkRequired(name: string, value: unknown, expected: string): void {
  if (value === undefined || value === null) throw new ConfigurationError(name, `is required: ${expected}`, { received: value });
}

/** Throws unless `value` is `undefined` or a function. */
export function checkFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') throw new ConfigurationError(name, 'must be a function', { received: value });
}

/** Throws unless `value` is `undefined` or a boolean. */
export function checkBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw new ConfigurationError(name, 'must be a boolean', { received: value });
}

/** Throws unless `value` is `undefined` or a string (non-empty unless `allowEmpty`). */
export function checkString(name: string, value: unknown, { allowEmpty = false } = {}): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || (!allowEmpty && value === '')) {
    throw new ConfigurationError(name, allowEmpty ? 'must be a string' : 'must be a non-empty string', { received: value });
  }
}

/** Throws unless `value` is `undefined` or one of `allowed`. */
export function checkOneOf<T>(name: string, value: unknown, allowed: readonly T[]): asserts value is T | undefined {
  if (value !== undefined && !allowed.includes(value as T)) {
    throw new ConfigurationError(name, `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`, { received: value });
  }
}

/** Throws unless `value` is `undefined` or a non-null object. */
export function checkObject(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null)) throw new ConfigurationError(name, 'must be an object', { received: value });
}

/** Options of {@link checkNumber}. */
export interface NumberRule {
  /** Smallest allowed value (inclusive). @default -Infinity */
  min?: number;
  /** Largest allowed value (inclusive). @default Infinity */
  max?: number;
  /** Refuse `min` itself. @default false */
  exclusiveMin?: boolean;
  /** Only integers. @default false */
  integer?: boolean;
  /** Accept `Infinity` (as "no limit"). @default false */
  allowInfinity?: boolean;
  /** Unit named in the message, e.g. `ms`. */
  unit?: string;
}

/** Throws unless `value` is `undefined` or a number that satisfies `rule` (never `NaN`). */
export function checkNumber(name: string, value: unknown, rule: NumberRule = {}): void {
  if (value === undefined) return;
  const { min = -Infinity, max = Infinity, exclusiveMin = false, integer = false, allowInfinity = false, unit } = rule;
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (value === Infinity ? allowInfinity : Number.isFinite(value) && (!integer || Number.isInteger(value))) &&
    (exclusiveMin ? value > min : value >= min) &&
    (value === Infinity || value <= max);
  if (ok) return;
  const parts = [integer ? 'an integer' : `a ${allowInfinity ? '' : 'finite '}number`];
  if (unit) parts.push(`of ${unit}`);
  if (min !== -Infinity) parts.push(`${exclusiveMin ? '>' : '>='} ${min}`);
  if (max !== Infinity) parts.push(`<= ${max}`);
  if (integer && allowInfinity) parts.push('(or Infinity)');
  throw new ConfigurationError(name, `must be ${parts.join(' ')}`, { received: value });
}

/** A duration in milliseconds: a finite number >= `min` (default 0). */
export function checkMs(name: string, value: unknown, { min = 0, allowInfinity = false } = {}): void {
  checkNumber(name, value, { min, allowInfinity, unit: 'ms' });
}

/** An integer >= `min`. */
export function checkInt(name: string, value: unknown, min: number, { allowInfinity = false, max = Infinity } = {}): void {
  checkNumber(name, value, { min, max, integer: true, allowInfinity });
}

/** Throws unless `value` is `undefined` or an `AbortSignal` (structurally, across realms). */
export function checkSignal(name: string, value: unknown): asserts value is AbortSignal | undefined {
  if (value === undefined) return;
  const s = value as Partial<AbortSignal> | null;
  if (typeof s !== 'object' || s === null || typeof s.addEventListener !== 'function' || typeof s.aborted !== 'boolean') {
    throw new ConfigurationError(name, 'must be an AbortSignal', { received: value });
  }
}
