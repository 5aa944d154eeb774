/**
 * The one bounded body reader (`@armor/core/body`). Runs in Node and in the edge runtime. Every
 * stream here is a real `ReadableStream` whose underlying source counts its pulls and records
 * its cancellation.
 */
import { describe, expect, it, vi } from 'vitest';
import { readBodyText, type BodySource } from './body.js';

const encoder = new TextEncoder();

/** A real stream over the given chunks, counting pulls and recording cancel. */
function countedStream(chunks: readonly Uint8Array[]) {
  const state = { pulls: 0, cancelled: false, reason: undefined as unknown };
  let next = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulls++;
        if (next < chunks.length) controller.enqueue(chunks[next++]!);
        else controller.close();
      },
      cancel(reason) {
        state.cancelled = true;
        state.reason = reason;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

/** A real stream that never ends: a chunk of `size` bytes on every pull. */
function endlessStream(size: number) {
  const state = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulls++;
        controller.enqueue(new Uint8Array(size).fill(0x61));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

const source = (body: ReadableStream<Uint8Array> | null, contentLength?: string): BodySource => ({
  headers: new Headers(contentLength === undefined ? {} : { 'content-length': contentLength }),
  body,
});

const bytes = (n: number) => new Uint8Array(n).fill(0x61); // 'a' * n

describe('readBodyText', () => {
  it('reads a body of exactly maxBytes bytes, and refuses one byte more (Request bodies)', async () => {
    expect(await readBodyText(new Request('http://x/', { method: 'POST', body: 'a'.repeat(100) }), 100)).toEqual({ tooLarge: false, text: 'a'.repeat(100), bytes: 100 });
    expect(await readBodyText(new Request('http://x/', { method: 'POST', body: 'a'.repeat(101) }), 100)).toEqual({ tooLarge: true });
  });

  it('counts bytes, not characters, and without Content-Length: at the limit and one over', async () => {
    // 'é' is 2 bytes in UTF-8: 50 of them are 100 bytes.
    const at = countedStream([encoder.encode('é'.repeat(50))]);
    expect(await readBodyText(source(at.stream), 100)).toEqual({ tooLarge: false, text: 'é'.repeat(50), bytes: 100 });
    const over = countedStream([encoder.encode('é'.repeat(50)), bytes(1)]);
    expect(await readBodyText(source(over.stream), 100)).toEqual({ tooLarge: true });
    expect(over.state.cancelled).toBe(true);
  });

  it('a maxBytes of 0 reads only an empty body', async () => {
    expect(await readBodyText(source(countedStream([]).stream), 0)).toEqual({ tooLarge: false, text: '', bytes: 0 });
    expect(await readBodyText(source(countedStream([bytes(1)]).stream), 0)).toEqual({ tooLarge: true });
  });

  it('a declared Content-Length over the limit is refused before the stream is touched', async () => {
    const { stream, state } = countedStream([bytes(5)]);
    expect(await readBodyText(source(stream, '1000'), 50)).toEqual({ tooLarge: true });
    expect(state.pulls).toBe(0);
    expect(stream.locked).toBe(false);
    // Also on a Request (its headers are what a server adapter passed on).
    const request = new Request('http://x/', { method: 'POST', body: 'small', headers: { 'content-length': '1000' } });
    expect(await readBodyText(request, 50)).toEqual({ tooLarge: true });
    expect(request.bodyUsed).toBe(false);
  });

  it('a Content-Length smaller than the body does not let more than maxBytes through', async () => {
    const { stream, state } = countedStream([bytes(40), bytes(40), bytes(40)]);
    expect(await readBodyText(source(stream, '5'), 50)).toEqual({ tooLarge: true });
    expect(state.cancelled).toBe(true);
    expect(state.pulls).toBe(2);
  });

  it('a declared length at the limit, or malformed, still reads (and counts) the body', async () => {
    expect(await readBodyText(source(countedStream([bytes(50)]).stream, '50'), 50)).toEqual({ tooLarge: false, text: 'a'.repeat(50), bytes: 50 });
    expect(await readBodyText(source(countedStream([bytes(10)]).stream, 'abc'), 50)).toEqual({ tooLarge: false, text: 'a'.repeat(10), bytes: 10 });
    const lying = countedStream([bytes(60)]);
    expect(await readBodyText(source(lying.stream, 'abc'), 50)).toEqual({ tooLarge: true });
    expect(lying.state.cancelled).toBe(true);
  });

  it('cancels a stream that never ends as soon as it passes the limit', async () => {
    const { stream, state } = endlessStream(1000);
    expect(await readBodyText(source(stream), 10_000)).toEqual({ tooLarge: true });
    expect(state.cancelled).toBe(true);
    // 10 chunks fit, the 11th passes the limit: nothing is pulled after it.
    expect(state.pulls).toBe(11);
  });

  it('cancels the stream of a Request with a streamed body', async () => {
    const { stream, state } = endlessStream(1000);
    const request = new Request('http://x/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(await readBodyText(request, 2_500)).toEqual({ tooLarge: true });
    await vi.waitFor(() => expect(state.cancelled).toBe(true));
  });

  it('does not wait for a source that is slow to cancel', async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(bytes(100)),
      cancel: () => new Promise<void>(() => undefined), // never settles
    });
    expect(await readBodyText(source(stream), 150)).toEqual({ tooLarge: true });
  });

  it('decodes a multi-byte character split across chunks once, whole', async () => {
    const text = 'aé€😀z'; // 1 + 2 + 3 + 4 + 1 bytes
    const all = encoder.encode(text);
    // Every single byte its own chunk: each multi-byte character is split.
    const { stream } = countedStream([...all].map((b) => Uint8Array.of(b)));
    expect(await readBodyText(source(stream), all.length)).toEqual({ tooLarge: false, text, bytes: 11 });
    // Split in the middle of the 4-byte emoji only.
    const at = all.indexOf(0xf0) + 2;
    const two = countedStream([all.subarray(0, at), all.subarray(at)]);
    expect(await readBodyText(source(two.stream), 100)).toEqual({ tooLarge: false, text, bytes: 11 });
  });

  it('reads a missing or empty body as empty text', async () => {
    expect(await readBodyText(source(null), 10)).toEqual({ tooLarge: false, text: '', bytes: 0 });
    expect(await readBodyText(new Request('http://x/'), 10)).toEqual({ tooLarge: false, text: '', bytes: 0 });
    expect(await readBodyText(new Request('http://x/', { method: 'POST', body: '' }), 10)).toEqual({ tooLarge: false, text: '', bytes: 0 });
    expect(await readBodyText(source(countedStream([new Uint8Array(0), new Uint8Array(0)]).stream), 10)).toEqual({ tooLarge: false, text: '', bytes: 0 });
  });

  it('a declared Content-Length over the limit is refused even without a body (as before)', async () => {
    expect(await readBodyText(source(null, '11'), 10)).toEqual({ tooLarge: true });
  });

  it('reads a Response body too', async () => {
    expect(await readBodyText(new Response('{"ok":true}'), 100)).toEqual({ tooLarge: false, text: '{"ok":true}', bytes: 11 });
  });

  it('linear work over many tiny chunks: each chunk read once, each byte copied once, one decode', async () => {
    const n = 20_000;
    const { stream, state } = countedStream(Array.from({ length: n }, () => Uint8Array.of(0x62)));
    const set = vi.spyOn(Uint8Array.prototype, 'set');
    const decode = vi.spyOn(TextDecoder.prototype, 'decode');
    try {
      const read = await readBodyText(source(stream), n);
      expect(read).toEqual({ tooLarge: false, text: 'b'.repeat(n), bytes: n });
      const copied = set.mock.calls.reduce((sum, [array]) => sum + (array as ArrayLike<number>).length, 0);
      expect(copied).toBeLessThanOrEqual(n);
      expect(decode).toHaveBeenCalledTimes(1);
    } finally {
      set.mockRestore();
      decode.mockRestore();
    }
    expect(state.pulls).toBe(n + 1); // n chunks, then the close
  });

  it('rejects with the stream error, and for a chunk that is not bytes', async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.error(new Error('connection reset')),
    });
    await expect(readBodyText(source(failing), 10)).rejects.toThrow('connection reset');
    const strings = new ReadableStream({ start: (controller) => controller.enqueue('not bytes') }) as unknown as ReadableStream<Uint8Array>;
    await expect(readBodyText(source(strings), 10)).rejects.toThrow(/not a Uint8Array/);
  });

  it('reads a chunk that is another view of bytes (a DataView) as its bytes', async () => {
    const hi = encoder.encode('xhi!').buffer;
    const stream = new ReadableStream({ start: (c) => (c.enqueue(new DataView(hi, 1, 2)), c.enqueue(new DataView(hi, 3, 1)), c.close()) }) as unknown as ReadableStream<Uint8Array>;
    expect(await readBodyText(source(stream), 3)).toEqual({ tooLarge: false, text: 'hi!', bytes: 3 });
  });

  it('a body already read rejects with the runtime error', async () => {
    const request = new Request('http://x/', { method: 'POST', body: 'once' });
    await request.text();
    await expect(readBodyText(request, 10)).rejects.toThrow(TypeError);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10', undefined])('rejects maxBytes %s with a TypeError naming it', async (maxBytes) => {
    await expect(readBodyText(source(null), maxBytes as number)).rejects.toThrow(/maxBytes must be an integer >= 0/);
  });
});
