/** `@armor/rate-limit/next` without Node: this file also runs in the edge runtime project. */
import { describe, expect, it } from 'vitest';
import { rateLimitProxy, withRateLimit } from './next.js';

describe('@armor/rate-limit/next (Node and edge runtimes)', () => {
  it('limits by the address Next appends to X-Forwarded-For; the 429 is problem+json with IETF headers', async () => {
    const GET = withRateLimit(() => new Response('ok'), { algorithm: 'fixed-window', limit: 1, windowMs: 60_000 });
    const request = () => new Request('https://app.example/api', { headers: { 'x-forwarded-for': '203.0.113.7' } });
    const first = await GET(request());
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit')).toMatch(/r=0/);
    const second = await GET(request());
    expect(second.status).toBe(429);
    expect(second.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await GET(new Request('https://app.example/api', { headers: { 'x-forwarded-for': '198.51.100.1' } }))).status).toBe(200);
  });

  it('a request without X-Forwarded-For is an unknown client (400), never a shared key', async () => {
    const check = rateLimitProxy({ algorithm: 'fixed-window', limit: 5, windowMs: 60_000 });
    expect((await check(new Request('https://app.example/'))).response?.status).toBe(400);
  });
});
