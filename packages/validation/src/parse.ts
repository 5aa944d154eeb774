import { ValidationError, type ValidationIssue } from '@armor/errors';
import type { z } from 'zod';
import type { StructureGuard } from './limits.js';
import { checkOptions } from '@armor/core';
import { assertZod4 } from './zod-version.js';

/** Options of {@link parse} and {@link safeParse}. */
export interface ParseOptions {
  /**
   * JSON-pointer prefix for every issue path, e.g. `'/body'` gives `/body/items/0/name`.
   * @default '' (paths start at the input's root)
   */
  path?: string | undefined;
  /**
   * A structure guard from {@link limits}, checked before the schema runs (depth, key count,
   * string length). @default undefined (no pre-check; a stack overflow inside the schema is
   * still reported as a `too_deep` issue)
   */
  limits?: StructureGuard | undefined;
  /**
   * Message of the thrown `ValidationError`.
   * @default 'Validation failed'
   */
  message?: string | undefined;
}

/** The result of {@link safeParse}. */
export type SafeParseResult<T> = { success: true; data: T } | { success: false; error: ValidationError };

/** Escapes one JSON-pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function escapePointerSegment(segment: PropertyKey): string {
  const text = typeof segment === 'symbol' ? (segment.description ?? '') : String(segment);
  return text.includes('~') || text.includes('/') ? text.replace(/~/g, '~0').replace(/\//g, '~1') : text;
}

/** Builds a JSON-pointer-like path (`/items/0/name`) from path segments, after `prefix`. */
export function toPointer(segments: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const segment of segments) out += `/${escapePointerSegment(segment)}`;
  return out;
}

/**
 * Converts zod issues to Armor's `{ path, message, code }` issues with JSON-pointer-like paths.
 *
 * @example
 * ```ts
 * toIssues(result.error.issues, '/body'); // [{ path: '/body/items/0/name', message: 'Invalid input: …', code: 'invalid_type' }]
 * ```
 */
export function toIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: toPointer([...issue.path, key], prefix), message: `Unrecognized key "${key}"`, code: issue.code });
      continue;
    }
    out.push({ path: toPointer(issue.path, prefix), message: issue.message, code: issue.code });
  }
  return out;
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

function isZodError(error: unknown): error is { issues: z.core.$ZodIssue[] } {
  return typeof error === 'object' && error !== null && Array.isArray((error as { issues?: unknown }).issues) && (error as { name?: unknown }).name !== 'ValidationError';
}

/** Runs the guard and the schema; returns either the value or Armor issues. */
function check<S extends z.ZodType>(schema: S, input: unknown, options: ParseOptions): { data: z.output<S> } | { issues: ValidationIssue[] } {
  checkOptions('parse', options, ['path', 'limits', 'message']);
  assertZod4(schema);
  const prefix = options.path ?? '';
  if (options.limits !== undefined) {
    const issue = options.limits.check(input, prefix);
    if (issue !== undefined) return { issues: [issue] };
  }
  let result: z.ZodSafeParseResult<z.output<S>>;
  try {
    result = schema.safeParse(input) as z.ZodSafeParseResult<z.output<S>>;
  } catch (error) {
    if (isStackOverflow(error)) return { issues: [{ path: prefix, message: 'Input is nested too deeply', code: 'too_deep' }] };
    if (isZodError(error)) return { issues: toIssues(error.issues, prefix) };
    // Hostile values (revoked proxies, throwing getters, exotic objects) make zod throw
    // TypeErrors while reading them: that is bad input, not a server failure.
    if (error instanceof TypeError) return { issues: [{ path: prefix, message: 'Input could not be read', code: 'invalid_input' }] };
    throw error;
  }
  if (result.success) return { data: result.data };
  return { issues: toIssues(result.error.issues, prefix) };
}

/**
 * Validates `input` with a zod schema and returns the typed (parsed, transformed) value, or
 * throws a `ValidationError` (400) listing every issue as `{ path, message, code }` with a
 * JSON-pointer-like path such as `/items/0/name`. Never throws anything else for bad input:
 * a schema that overflows the stack on deeply nested input gives a `too_deep` issue, and a
 * `TypeError` while reading a hostile value (revoked proxy, throwing getter) an `invalid_input`
 * issue. Other errors thrown by your own refinements/transforms propagate unchanged.
 * Async schemas (async refinements/transforms) are not supported; use zod's `parseAsync`.
 *
 * @throws ValidationError when `input` does not match.
 * @example
 * ```ts
 * const Body = z.object({ items: z.array(z.object({ name: z.string().min(1) })) });
 * const body = parse(Body, req.body, { path: '/body' });
 * // ValidationError { issues: [{ path: '/body/items/0/name', code: 'too_small', message: '…' }] }
 * ```
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown, options: ParseOptions = {}): z.output<S> {
  const checked = check(schema, input, options);
  if ('data' in checked) return checked.data;
  throw new ValidationError(options.message ?? 'Validation failed', { issues: checked.issues });
}

/**
 * Like {@link parse}, but returns `{ success: true, data }` or `{ success: false, error }`
 * (a `ValidationError`) instead of throwing.
 *
 * @example
 * ```ts
 * const result = safeParse(schemas.email(), input);
 * if (!result.success) console.log(result.error.issues);
 * ```
 */
export function safeParse<S extends z.ZodType>(schema: S, input: unknown, options: ParseOptions = {}): SafeParseResult<z.output<S>> {
  const checked = check(schema, input, options);
  if ('data' in checked) return { success: true, data: checked.data };
  return { success: false, error: new ValidationError(options.message ?? 'Validation failed', { issues: checked.issues }) };
}
