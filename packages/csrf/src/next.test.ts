/** `@armor/csrf/next` without Node: this file also runs in the edge runtime project (Web Crypto). */
import { describe, expect, it } from 'vitest';
import { withCsrf } from './next.js';

describe('@armor/csrf/next (Node and edge runtimes)', () => {
  it('an issued token passes with its cookie; without it the POST is 403 problem+json', async () => {
    const POST = withCsrf(() => new Response('saved'), { secret: 'edge-test-secret-that-is-32-bytes-or-more', getSessionId: () => 's1' });
    const { token, setCookie } = await POST.issue(new Request('https://app.example/form'));
    const cookie = setCookie.split(';')[0]!;
    const ok = await POST(new Request('https://app.example/save', { method: 'POST', headers: { cookie, 'x-csrf-token': token } }));
    expect(ok.status).toBe(200);
    const refused = await POST(new Request('https://app.example/save', { method: 'POST', headers: { cookie } }));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
  });
});
