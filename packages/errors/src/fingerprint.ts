import type { ArmorError } from './armor-error.js';
import { safeGet } from './from-unknown.js';

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
// A hex word with at least one digit and one letter. Lookaheads instead of three `[0-9a-f]*`
// side by side (which backtracked polynomially); a start is a word boundary, so a run is read
// a bounded number of times.
const HEX = /\b(?:0x)?(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]+\b/gi;
const EMAIL = /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const QUOTED = /(["'`])(?:(?!\1).){0,200}\1/g;
const NUMBER = /\d+(?:\.\d+)?/g;

/**
 * Normalizes a message for grouping: UUIDs, long hex ids, emails, quoted values and numbers
 * become placeholders, so `User 42 not found` and `User 7 not found` group together.
 */
export function normalizeMessage(message: string): string {
  return message
    .slice(0, 500)
    .replace(UUID, '<uuid>')
    .replace(EMAIL, '<email>')
    .replace(QUOTED, '<str>')
    .replace(HEX, (m) => (m.length >= 8 ? '<hex>' : m))
    .replace(NUMBER, '<n>')
    .trim();
}

/** The first stack frame (function and file, without line/column so it survives small edits). */
export function topFrame(stack: unknown): string {
  if (typeof stack !== 'string') return '';
  for (const line of stack.split('\n', 30)) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('at ')) continue;
    return trimmed
      .slice(3)
      .replace(/:\d+:\d+\)?$/, '')
      .replace(/\(/, ' ')
      .replace(/\?[^\s)]*/, '')
      .replace(/^.*[\\/]node_modules[\\/]/, 'node_modules/')
      .replace(/(?:file:\/\/)?\/(?:[^\s/]+\/)+/, '');
  }
  return '';
}

/** FNV-1a, twice with different seeds: a fast, synchronous, runtime-neutral 64-bit hash. */
function hash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * A stable grouping key for an error: a hash of its code, its normalized message and its top
 * stack frame (the error's own, or its cause's for wrapped unknown errors). Two occurrences
 * of "the same bug" get the same key; `@armor/metrics` groups errors by it.
 *
 * @returns 16 lowercase hex characters
 */
export function fingerprint(error: ArmorError): string {
  let stack: unknown = safeGet(error, 'stack');
  const cause = safeGet(error, 'cause');
  if (error.code === 'INTERNAL' && cause instanceof Error) stack = safeGet(cause, 'stack');
  const message = typeof error.message === 'string' ? error.message : '';
  return hash(`${error.code}\u0000${normalizeMessage(message)}\u0000${topFrame(stack)}`);
}
