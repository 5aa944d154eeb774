/**
 * JSONL bundles: a stream exported with everything needed to verify it offline (entries with
 * `seq`, `prevHash`, `hash`, and the checkpoints), for a SIEM copy, an auditor or
 * `armor-audit verify`. One JSON object per line:
 *
 * ```
 * {"format":"armor-audit-bundle","version":1,"stream":"tenant-1","afterSeq":0}
 * {"checkpoint":{...}}     (every checkpoint, before the first entry)
 * {"entry":{...}}          (entries in seq order)
 * ```
 *
 * @module
 */
import type { Checkpoint } from './checkpoint.js';
import type { AuditEntry } from './entry.js';
import { AuditError } from './errors.js';
import type { AuditStore } from './store.js';
import { verifyStream, type VerifyReport } from './verify.js';

/** The `format` of the first line. */
export const BUNDLE_FORMAT = 'armor-audit-bundle';

/** The first line of a bundle. */
export interface BundleHeader {
  format: typeof BUNDLE_FORMAT;
  version: 1;
  stream: string;
  /** Entries with a seq above this are included (0: from the start). */
  afterSeq: number;
}

/**
 * Exports a stream as JSONL lines (without trailing newlines), reading `batch` entries at a time.
 * @example
 * ```ts
 * for await (const line of exportBundle({ store, stream: 'tenant-1' })) file.write(line + '\n');
 * ```
 */
export async function* exportBundle(source: { store: AuditStore; stream: string; afterSeq?: number; batch?: number }): AsyncIterable<string> {
  const { store, stream, afterSeq = 0, batch = 1000 } = source;
  const header: BundleHeader = { format: BUNDLE_FORMAT, version: 1, stream, afterSeq };
  yield JSON.stringify(header);
  for (const checkpoint of await store.checkpoints(stream)) yield JSON.stringify({ checkpoint });
  let after = afterSeq;
  for (;;) {
    const page = await store.read(stream, after, batch);
    for (const entry of page) yield JSON.stringify({ entry });
    if (page.length < batch) return;
    after = page[page.length - 1]!.seq;
  }
}

async function* linesOf(input: string | Iterable<string> | AsyncIterable<string>): AsyncIterable<string> {
  if (typeof input === 'string') {
    let start = 0;
    while (start < input.length) {
      let end = input.indexOf('\n', start);
      if (end === -1) end = input.length;
      yield input.slice(start, end);
      start = end + 1;
    }
    return;
  }
  yield* input;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function malformed(line: number, problem: string): AuditError {
  return new AuditError('malformed_bundle', `Malformed audit bundle at line ${line}: ${problem}`, { details: { line } });
}

/** Options of {@link verifyBundle}. */
export interface VerifyBundleOptions {
  /** Trusted public keys (hex). The bundle carries none: trust comes from the verifier. */
  publicKeys: readonly string[];
  /** Checkpoints a witness holds, to compare with the bundle's. */
  witnessed?: readonly Checkpoint[];
  /** @default 1000 */
  maxFindings?: number;
}

/**
 * Verifies a JSONL bundle (a string, or lines from a file), streaming its entries.
 *
 * @throws {AuditError} `malformed_bundle` (with the line number) for text that is not a bundle
 *   line by line; `foreign_bundle` for another format or version
 */
export async function verifyBundle(input: string | Iterable<string> | AsyncIterable<string>, options: VerifyBundleOptions): Promise<VerifyReport> {
  const it = linesOf(input)[Symbol.asyncIterator]();
  let lineNo = 0;
  const next = async (): Promise<Record<string, unknown> | undefined> => {
    for (;;) {
      const r = await it.next();
      if (r.done) return undefined;
      lineNo++;
      const text = r.value.trim();
      if (text === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw malformed(lineNo, 'not JSON');
      }
      if (!isObject(parsed)) throw malformed(lineNo, 'not a JSON object');
      return parsed;
    }
  };
  const header = await next();
  if (!header) throw malformed(0, 'empty');
  if (header.format !== BUNDLE_FORMAT) {
    throw new AuditError('foreign_bundle', `Not an Armor audit bundle (format ${JSON.stringify(header.format ?? null)})`, { details: { line: lineNo } });
  }
  if (header.version !== 1) throw new AuditError('foreign_bundle', `Unsupported bundle version ${JSON.stringify(header.version ?? null)}`, { details: { line: lineNo } });
  if (typeof header.stream !== 'string') throw malformed(lineNo, 'the header has no stream');
  const stream = header.stream;
  const checkpoints: Checkpoint[] = [];
  let first: Record<string, unknown> | undefined;
  for (;;) {
    const obj = await next();
    if (!obj) break;
    if (isObject(obj.checkpoint)) {
      checkpoints.push(obj.checkpoint as unknown as Checkpoint);
      continue;
    }
    if (isObject(obj.entry)) {
      first = obj;
      break;
    }
    throw malformed(lineNo, 'neither {"checkpoint":…} nor {"entry":…}');
  }
  async function* entries(): AsyncIterable<AuditEntry> {
    let obj = first;
    while (obj) {
      if (!isObject(obj.entry)) throw malformed(lineNo, isObject(obj.checkpoint) ? 'a checkpoint after the entries' : 'not {"entry":…}');
      yield obj.entry as unknown as AuditEntry;
      obj = await next();
    }
  }
  return verifyStream({
    stream,
    entries: entries(),
    checkpoints,
    publicKeys: options.publicKeys,
    ...(options.witnessed ? { witnessed: options.witnessed } : {}),
    ...(options.maxFindings !== undefined ? { maxFindings: options.maxFindings } : {}),
  });
}
