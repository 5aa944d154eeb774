/**
 * `readBodyText`, the bounded reader of Web bodies, and what the Node twin shares with it.
 *
 * @module
 */

/**
 * What {@link readBodyText} reads: a Web `Request` (or `Response`), or anything with the same
 * `headers` and `body`.
 */
export interface BodySource {
  /** Only `content-length` is read. */
  readonly headers: { get(name: string): string | null };
  /** The body stream; `null` for a request without a body. */
  readonly body: ReadableStream<Uint8Array> | null;
}

/**
 * The result of {@link readBodyText}: the body as text, or `tooLarge` (nothing of it is kept).
 * Test `tooLarge` to tell them apart.
 */
export type BodyTextResult =
  | {
      readonly tooLarge: false;
      /** The body decoded as UTF-8 (a leading byte order mark removed, malformed bytes as U+FFFD). */
      readonly text: string;
      /** The length of the body in bytes (`0` for a missing or empty body). */
      readonly bytes: number;
    }
  | { readonly tooLarge: true };

/** @internal The one `tooLarge` result. */
export const TOO_LARGE: BodyTextResult = Object.freeze({ tooLarge: true });

/**
 * Reads a request body as UTF-8 text, at most `maxBytes` bytes of it.
 *
 * - A declared `Content-Length` over `maxBytes` gives `{ tooLarge: true }` at once: the body
 *   stream is not read (nor locked).
 * - Otherwise the stream is read chunk by chunk and its bytes counted (whatever
 *   `Content-Length` claimed); the moment the count passes `maxBytes` the stream is cancelled
 *   (not awaited, so a source that is slow to cancel does not hold the caller) and the result is
 *   `{ tooLarge: true }`. A body of exactly `maxBytes` bytes is read.
 * - A missing body (`body === null`) reads as `{ tooLarge: false, text: '', bytes: 0 }`.
 * - The bytes are decoded once, after the last chunk, so a character split across chunks
 *   decodes whole; the work is linear in the body's size, however many chunks it comes in.
 *
 * Consumes the body: a `Request` whose body was already read (or is locked) rejects with the
 * runtime's `TypeError`, and a stream that errors rejects with its error. Those are the only
 * rejections besides a bad `maxBytes`.
 *
 * @param source - A Web `Request` or `Response`, or any {@link BodySource}.
 * @param maxBytes - The largest body read, in bytes: an integer ≥ 0. A body of more bytes is
 *   `tooLarge`.
 * @returns `{ tooLarge: false, text, bytes }`, or `{ tooLarge: true }` for a body over `maxBytes`.
 * @throws TypeError (as a rejection) naming `maxBytes` when it is not an integer ≥ 0.
 */
export async function readBodyText(source: BodySource, maxBytes: number): Promise<BodyTextResult> {
  if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new TypeError(`readBodyText: maxBytes must be an integer >= 0 (bytes), got ${String(maxBytes)}`);
  const declared = source.headers.get('content-length');
  // Number() as every caller read it before: NaN (a malformed value) never refuses early.
  if (declared !== null && Number(declared) > maxBytes) return TOO_LARGE;
  const body = source.body;
  if (body === null) return { tooLarge: false, text: '', bytes: 0 };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!ArrayBuffer.isView(value)) {
      reader.cancel().catch(() => undefined);
      throw new TypeError('readBodyText: the body stream gave a chunk that is not a Uint8Array');
    }
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      reader.cancel().catch(() => undefined);
      return TOO_LARGE;
    }
    // A view of another type (or realm) is read as its bytes.
    const view: ArrayBufferView = value;
    chunks.push(view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }
  return { tooLarge: false, text: new TextDecoder().decode(concatBytes(chunks, bytes)), bytes };
}

/** @internal The chunks as one array of `size` bytes (the chunk itself when there is only one). */
export function concatBytes(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}
