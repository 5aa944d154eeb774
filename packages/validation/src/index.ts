/**
 * `@armor/validation`: zod-based input validation with JSON-pointer issue paths, ready-made
 * schemas, DOM-free HTML sanitization, structural limits and injection signals. Runs in Node,
 * Convex and edge runtimes (no `node:` imports). Adapters: `@armor/validation/express`,
 * `@armor/validation/convex`.
 *
 * @module
 */
export { parse, safeParse, toIssues, toPointer, escapePointerSegment } from './parse.js';
export { assertZod4, zodVersionOf } from './zod-version.js';
export type { ParseOptions, SafeParseResult } from './parse.js';
export { limits } from './limits.js';
export type { LimitsOptions, StructureGuard } from './limits.js';
export { schemas } from './schemas.js';
export type { IdKind, IdOptions, EmailOptions, HttpUrlOptions, PaginationOptions, SafeStringOptions, HtmlOptions, SortKey } from './schemas.js';
export {
  sanitizeHtml,
  createSanitizer,
  escapeHtml,
  stripTags,
  DEFAULT_ALLOWED_TAGS,
  DEFAULT_ALLOWED_ATTRIBUTES,
  DEFAULT_ALLOWED_SCHEMES,
  NEVER_ALLOWED_TAGS,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_INPUT_LENGTH,
} from './sanitize.js';
export type { SanitizeOptions, StripTagsOptions } from './sanitize.js';
export { detectInjection } from './detect.js';
export type { DetectOptions, InjectionKind, InjectionSignal } from './detect.js';
export { ValidationError } from '@armor/errors';
export type { ValidationIssue } from '@armor/errors';
