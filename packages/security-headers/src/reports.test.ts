/**
 * `cspReportHandler`'s body limit (`maxBytes`, in bytes) holds however the body arrives: it
 * reads through the kernel's bounded reader (`@armor/core/body`), so a body without
 * `Content-Length` (or with a wrong one) is cut off while it streams, and the limit counts
 * bytes, not characters. Runs in Node and in the edge runtime, on real `ReadableStream`s.
 */
import { describe, expect, it } from 'vitest';
import { cspReportHandler, type CspViolation } from './reports.js';

const URL = 'https://app.example/csp';

/** A real stream of `count` chunks of `size` bytes, counting pulls and recording cancel. */
function countedStream(count: number, size: number) {
  const state = { pulls: 0, cancelled: false };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulls++;
        if (sent++ < count) controller.enqueue(new Uint8Array(size).fill(0x20));
        else controller.close();
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

const post = (body: BodyInit, headers: Record<string, string> = {}) => new Request(URL, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);

describe('cspReportHandler body limit', () => {
  it('stops reading a streamed body without Content-Length once it passes maxBytes (cancelled, 413)', async () => {
    const { stream, state } = countedStream(1000, 1000); // 1 MB offered, 2 kB allowed
    const handle = cspReportHandler(() => undefined, { maxBytes: 2000 });
    expect((await handle(post(stream))).status).toBe(413);
    expect(state.pulls).toBeLessThanOrEqual(4);
    expect(state.cancelled).toBe(true);
  });

  it('a Content-Length smaller than the body does not lift the limit', async () => {
    const { stream, state } = countedStream(1000, 1000);
    const handle = cspReportHandler(() => undefined, { maxBytes: 2000 });
    expect((await handle(post(stream, { 'content-length': '10' }))).status).toBe(413);
    expect(state.pulls).toBeLessThanOrEqual(4);
    expect(state.cancelled).toBe(true);
  });

  it('maxBytes counts bytes (UTF-8), not characters', async () => {
    const got: CspViolation[][] = [];
    const handle = cspReportHandler((v) => void got.push(v), { maxBytes: 2000 });
    // 1,500 characters of 2 bytes each: 3,000+ bytes.
    const body = JSON.stringify({ 'csp-report': { 'document-uri': `https://app.example/${'é'.repeat(1500)}`, 'effective-directive': 'img-src', 'blocked-uri': 'data' } });
    expect(body.length).toBeLessThanOrEqual(2000);
    expect((await handle(post(body))).status).toBe(413);
    expect(got).toEqual([]);
  });

  it('reads a body of exactly maxBytes bytes (multi-byte characters decoded whole)', async () => {
    const got: CspViolation[][] = [];
    const report = (path: string) => JSON.stringify({ 'csp-report': { 'document-uri': `https://app.example/${path}`, 'effective-directive': 'img-src', 'blocked-uri': 'data' } });
    const size = new TextEncoder().encode(report('')).length;
    const body = report('€'.repeat(100)); // 3 bytes each
    const handle = cspReportHandler((v) => void got.push(v), { maxBytes: size + 300 });
    expect((await handle(post(body))).status).toBe(204);
    expect(got[0]?.[0]?.documentUrl).toBe(`https://app.example/${'€'.repeat(100)}`);
    const over = cspReportHandler(() => undefined, { maxBytes: size + 299 });
    expect((await over(post(body))).status).toBe(413);
  });

  it.each([-1, 1.5, Number.NaN, '2000'])('refuses maxBytes %s at construction, naming the option', (maxBytes) => {
    expect(() => cspReportHandler(() => undefined, { maxBytes: maxBytes as number })).toThrow(/maxBytes/);
  });
});
