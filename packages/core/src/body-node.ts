/**
 * The Node-stream twin of `readBodyText`: the same bounded read over a Node
 * `http.IncomingMessage` (the `req` of Node, Express and Fastify), typed structurally so no Node
 * type reaches the portable build. Part of the `@armor/core/body` entry.
 *
 * @module
 */
import { concatBytes, TOO_LARGE, type BodyTextResult } from './body-web.js';

/**
 * What {@link readNodeBodyText} reads: a Node `http.IncomingMessage` (Express's and Fastify's
 * raw `req`), or any readable stream with the same events — described structurally, so
 * `@armor/core` needs no Node types.
 */
export interface NodeBodySource {
  /** The request headers (lower-case names); only `content-length` is read. */
  readonly headers: { readonly [name: string]: string | string[] | undefined };
  /** `true` once the stream emitted `end` (its body was already read). */
  readonly readableEnded?: boolean | undefined;
  /** Subscribes to `data` (a `Uint8Array`, or a string after `setEncoding`), `end`, `error`, `close`. */
  on(event: 'data' | 'end' | 'error' | 'close', listener: (...args: never[]) => void): unknown;
  /** Unsubscribes a listener added with `on`. */
  removeListener(event: 'data' | 'end' | 'error' | 'close', listener: (...args: never[]) => void): unknown;
  /** Lets the rest of the body flow (and be discarded) once reading stopped. */
  resume(): unknown;
}

/**
 * Reads a Node request body as UTF-8 text, at most `maxBytes` bytes of it — the same rules as
 * `readBodyText` for Web requests:
 *
 * - A declared `Content-Length` over `maxBytes` gives `{ tooLarge: true }` at once; the body is
 *   not read (Node discards it once you answer).
 * - Otherwise the bytes are counted as they arrive, whatever `Content-Length` claimed; the
 *   moment the count passes `maxBytes` the listeners are removed, the rest of the body flows on
 *   and is discarded (`resume()`, so the connection stays usable and your 413 reaches the
 *   client; answer with `Connection: close` to end a client that keeps sending), nothing more is
 *   kept, and the result is `{ tooLarge: true }`. A body of exactly `maxBytes` bytes is read.
 * - A body already read (the stream ended: `readableEnded`) reads as
 *   `{ tooLarge: false, text: '', bytes: 0 }` instead of waiting forever.
 * - String chunks (after `setEncoding`) count as their UTF-8 bytes. The bytes are decoded once,
 *   after the last chunk; the work is linear in the body's size.
 *
 * Rejects with the stream's `error`, or with an `Error` when the stream closes before its body
 * ended (the client went away).
 *
 * @param message - A Node `http.IncomingMessage` (Express/Fastify `req.raw`...) or any
 *   {@link NodeBodySource}.
 * @param maxBytes - The largest body read, in bytes: an integer ≥ 0.
 * @returns `{ tooLarge: false, text, bytes }`, or `{ tooLarge: true }` for a body over `maxBytes`.
 * @throws TypeError (as a rejection) naming `maxBytes` when it is not an integer ≥ 0.
 */
export function readNodeBodyText(message: NodeBodySource, maxBytes: number): Promise<BodyTextResult> {
  if (!Number.isInteger(maxBytes) || maxBytes < 0) return Promise.reject(new TypeError(`readNodeBodyText: maxBytes must be an integer >= 0 (bytes), got ${String(maxBytes)}`));
  const declared = message.headers['content-length'];
  if (typeof declared === 'string' && Number(declared) > maxBytes) return Promise.resolve(TOO_LARGE);
  if (message.readableEnded === true) return Promise.resolve({ tooLarge: false, text: '', bytes: 0 });
  return new Promise<BodyTextResult>((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    let encoder: TextEncoder | undefined;
    const stop = () => {
      message.removeListener('data', onData);
      message.removeListener('end', onEnd);
      message.removeListener('error', onError);
      message.removeListener('close', onClose);
    };
    function onData(chunk: Uint8Array | string) {
      const view = typeof chunk === 'string' ? (encoder ??= new TextEncoder()).encode(chunk) : chunk;
      bytes += view.byteLength;
      if (bytes > maxBytes) {
        stop();
        chunks.length = 0;
        message.resume();
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(view);
    }
    function onEnd() {
      stop();
      resolve({ tooLarge: false, text: new TextDecoder().decode(concatBytes(chunks, bytes)), bytes });
    }
    function onError(error: unknown) {
      stop();
      reject(error);
    }
    function onClose() {
      stop();
      reject(new Error('readNodeBodyText: the stream closed before its body ended'));
    }
    message.on('data', onData);
    message.on('end', onEnd);
    message.on('error', onError);
    message.on('close', onClose);
  });
}
