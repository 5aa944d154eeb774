import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type Running } from './harness.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = 'admin-key-for-compression-tests-0123456789';

/** A raw request over a socket (fetch would decode the body and hide what went over the wire). */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { authorization: `Bearer ${ADMIN}`, ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Issue 20, item 6: the /monitoring page's script (~265 KB) went out uncompressed. */
describe('compressed dashboard assets', () => {
  let r: Running;
  let script: string;
  beforeAll(async () => {
    const assets = `${appDir}/dist/dashboard/assets`;
    const built = existsSync(assets) && readdirSync(assets).some((f) => f.endsWith('.js.br'));
    if (!built) execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'dashboard/vite.config.ts'], { cwd: appDir, stdio: 'pipe' });
    r = await start('pglite', { env: { ADMIN_API_KEY: ADMIN } });
    const page = await get(`${r.base}/monitoring/`, {});
    expect(page.status).toBe(200);
    // The largest script: React's vendor chunk (preloaded by the page).
    script = /href="([^"]+\/vendor-[^"]+\.js)"/.exec(page.body.toString())![1]!;
  }, 300_000);
  afterAll(() => r?.stop());

  it('sends the page script brotli-compressed, gzip-compressed or plain, as the client accepts', async () => {
    const plain = await get(`${r.base}${script}`, { 'accept-encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    expect(plain.body.length).toBeGreaterThan(150_000);

    const none = await get(`${r.base}${script}`, {});
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body.equals(plain.body)).toBe(true);

    const br = await get(`${r.base}${script}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^(?:text|application)\/javascript/);
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers['cache-control']).toBe('public, max-age=3600');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);

    const gz = await get(`${r.base}${script}`, { 'accept-encoding': 'br;q=0, gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.length).toBeLessThan(plain.body.length / 3);
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);

    const page = await get(`${r.base}/monitoring/`, { 'accept-encoding': 'br' });
    expect(page.headers['content-encoding']).toBe('br');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(brotliDecompressSync(page.body).toString()).toContain(script);
  });

  it('still requires the admin key, and never serves outside the dashboard directory', async () => {
    const anonymous = await new Promise<number>((resolve, reject) => http.get(`${r.base}${script}`, { headers: { 'accept-encoding': 'br' } }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject));
    expect(anonymous).toBe(401);
    const escape = await get(`${r.base}/monitoring/..%2f..%2fpackage.json`, { 'accept-encoding': 'br, gzip' });
    expect(escape.headers['content-encoding']).toBeUndefined();
    expect(escape.body.toString()).not.toContain('"dependencies"');
  });
});
