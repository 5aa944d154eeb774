/** `@armor/security-headers/next` without Node: this file also runs in the edge runtime project. */
import { describe, expect, it } from 'vitest';
import { getCspNonce, withSecurityHeaders } from './next.js';

describe('@armor/security-headers/next (Node and edge runtimes)', () => {
  it('the nonce the handler reads is the one in the CSP, fresh per request', async () => {
    const GET = withSecurityHeaders((request: Request) => new Response(`<script nonce="${getCspNonce(request)}"></script>`), { preset: 'html' });
    const nonces = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const res = await GET(new Request('https://app.example/'));
      const nonce = /'nonce-([^']+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1];
      expect(await res.text()).toBe(`<script nonce="${nonce}"></script>`);
      nonces.add(nonce!);
    }
    expect(nonces.size).toBe(2);
  });

  it('a response with immutable headers is copied', async () => {
    const GET = withSecurityHeaders(() => Response.redirect('https://app.example/elsewhere', 302));
    const res = await GET(new Request('https://app.example/'));
    expect(res.status).toBe(302);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
