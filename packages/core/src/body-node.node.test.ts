/**
 * `readNodeBodyText`: the bounded body read over a Node `IncomingMessage`, on a real
 * `node:http` server and real sockets (and on `node:stream` Readables for the byte-level cases).
 */
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readNodeBodyText, type BodyTextResult } from './body.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
});

/** A real server answering 413 / 200 from `readNodeBodyText(req, maxBytes)`; records the results. */
async function serve(maxBytes: number, before?: (req: IncomingMessage) => void | Promise<void>) {
  const results: (BodyTextResult | { error: string })[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      await before?.(req);
      try {
        const read = await readNodeBodyText(req, maxBytes);
        results.push(read);
        if (read.tooLarge) res.writeHead(413).end('too large');
        else res.writeHead(200).end(`${read.bytes}:${read.text}`);
      } catch (error) {
        results.push({ error: (error as Error).message });
        res.destroy();
      }
    })();
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, results };
}

/** POSTs `parts` (written one by one, chunked unless `headers` has content-length); the status and text. */
function post(port: number, parts: readonly (string | Uint8Array)[], headers: Record<string, string> = {}) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (const part of parts) req.write(part);
    req.end();
  });
}

describe('readNodeBodyText on a real HTTP server', () => {
  it('reads a body of exactly maxBytes bytes, and answers 413 for one byte more', async () => {
    const { port } = await serve(100);
    expect(await post(port, ['a'.repeat(60), 'a'.repeat(40)])).toEqual({ status: 200, text: `100:${'a'.repeat(100)}` });
    expect((await post(port, ['a'.repeat(60), 'a'.repeat(41)])).status).toBe(413);
  });

  it('a declared Content-Length over the limit is refused without reading the body', async () => {
    const { port, results } = await serve(100);
    const response = await post(port, ['x'.repeat(500)], { 'content-length': '500' });
    expect(response.status).toBe(413);
    expect(results).toEqual([{ tooLarge: true }]);
    // On a stream: nothing is read.
    let reads = 0;
    const stream = new Readable({
      read() {
        reads++;
        this.push(null);
      },
    });
    expect(await readNodeBodyText(Object.assign(stream, { headers: { 'content-length': '500' } }), 100)).toEqual({ tooLarge: true });
    expect(reads).toBe(0);
    expect(stream.listenerCount('data')).toBe(0);
  });

  it('a chunked body that keeps coming: 413 reaches the client while it is still sending (the rest is drained, the connection kept)', async () => {
    const { port, results } = await serve(1000);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ port, host: '127.0.0.1', method: 'POST' }, (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      req.on('error', reject);
      // Never ends on its own: a chunk every tick until the answer comes.
      const timer = setInterval(() => req.write('y'.repeat(200)), 1);
      req.on('close', () => clearInterval(timer));
    });
    expect(status).toBe(413);
    expect(results).toEqual([{ tooLarge: true }]);
  });

  it('counts UTF-8 bytes and decodes a character split across writes whole', async () => {
    const { port } = await serve(1000);
    const bytes = new TextEncoder().encode('é€😀');
    const response = await post(port, [bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4, 7), bytes.subarray(7)]);
    expect(response).toEqual({ status: 200, text: '9:é€😀' });
    const { port: small } = await serve(8);
    expect((await post(small, [bytes])).status).toBe(413);
  });

  it('string chunks (setEncoding) count as their UTF-8 bytes', async () => {
    const { port } = await serve(5, (req) => void req.setEncoding('utf8'));
    expect(await post(port, ['éé'])).toEqual({ status: 200, text: '4:éé' });
    expect((await post(port, ['ééé'])).status).toBe(413);
  });

  it('an empty body, and a body some middleware already read, read as empty (no hang)', async () => {
    const { port } = await serve(100);
    expect(await post(port, [])).toEqual({ status: 200, text: '0:' });
    const { port: consumed } = await serve(100, async (req) => {
      for await (const _ of req) void _;
    });
    expect(await post(consumed, ['already read'])).toEqual({ status: 200, text: '0:' });
  });

  it('rejects when the client goes away before its body ended', async () => {
    const { port, results } = await serve(10_000);
    const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', headers: { 'content-length': '5000' } });
    req.on('error', () => undefined);
    req.write('z'.repeat(100));
    await vi.waitFor(() => expect(req.socket?.bytesWritten ?? 0).toBeGreaterThan(0));
    req.destroy();
    await vi.waitFor(() => expect(results).toHaveLength(1));
    expect(results[0]).toHaveProperty('error');
  });
});

describe('readNodeBodyText on streams', () => {
  it('linear work over many tiny chunks: each byte copied once, one decode', async () => {
    const n = 20_000;
    const stream = Readable.from(Array.from({ length: n }, () => Uint8Array.of(0x62)), { objectMode: false });
    const message = Object.assign(stream, { headers: {} });
    const set = vi.spyOn(Uint8Array.prototype, 'set');
    const decode = vi.spyOn(TextDecoder.prototype, 'decode');
    try {
      expect(await readNodeBodyText(message, n)).toEqual({ tooLarge: false, text: 'b'.repeat(n), bytes: n });
      const copied = set.mock.calls.reduce((sum, [array]) => sum + (array as ArrayLike<number>).length, 0);
      expect(copied).toBeLessThanOrEqual(n);
      expect(decode).toHaveBeenCalledTimes(1);
    } finally {
      set.mockRestore();
      decode.mockRestore();
    }
  });

  it('stops keeping chunks past the limit and lets the rest flow (resume)', async () => {
    let produced = 0;
    const stream = new Readable({
      read() {
        produced++;
        this.push(produced <= 50 ? new Uint8Array(100) : null);
      },
    });
    const message = Object.assign(stream, { headers: {} });
    expect(await readNodeBodyText(message, 250)).toEqual({ tooLarge: true });
    expect(stream.listenerCount('data')).toBe(0);
    await finished(stream); // drained by resume()
    expect(produced).toBe(51);
  });

  it('rejects with the stream error', async () => {
    const stream = new Readable({ read() {} });
    const read = readNodeBodyText(Object.assign(stream, { headers: {} }), 10);
    stream.destroy(new Error('connection reset'));
    await expect(read).rejects.toThrow('connection reset');
  });

  it.each([-1, 1.5, Number.NaN, '10'])('rejects maxBytes %s with a TypeError naming it', async (maxBytes) => {
    await expect(readNodeBodyText(Object.assign(Readable.from([]), { headers: {} }), maxBytes as number)).rejects.toThrow(/maxBytes must be an integer >= 0/);
  });
});
