import { ConfigurationError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import {
  NONCE,
  applySecurityHeaders,
  buildCsp,
  compileSecurityHeaders,
  mergeSecurityHeaderOptions,
  cspNonce,
  securityHeaders,
} from './index.js';
import { cspReportHandler, parseCspReports, type CspViolation } from './reports.js';

const HELMET_CSP =
  "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests";

describe('securityHeaders defaults', () => {
  it('equal helmet 8 defaults (the Express test compares with helmet itself)', () => {
    expect(securityHeaders()).toEqual({
      'Content-Security-Policy': HELMET_CSP,
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Origin-Agent-Cluster': '?1',
      'Referrer-Policy': 'no-referrer',
      'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'X-DNS-Prefetch-Control': 'off',
      'X-Download-Options': 'noopen',
      'X-Frame-Options': 'SAMEORIGIN',
      'X-Permitted-Cross-Domain-Policies': 'none',
      'X-XSS-Protection': '0',
    });
  });

  it('a preset in a later layer replaces earlier layers (api → default brings CSP back)', () => {
    const merged = mergeSecurityHeaderOptions({ preset: 'api' }, { preset: 'default' });
    expect(new Headers(securityHeaders(merged)).get('content-security-policy')).toContain("default-src 'self'");
    const kept = mergeSecurityHeaderOptions({ preset: 'api' }, { xFrameOptions: 'SAMEORIGIN' });
    expect(new Headers(securityHeaders(kept)).get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    const off = mergeSecurityHeaderOptions({ preset: 'api' }, { contentSecurityPolicy: false });
    expect(new Headers(securityHeaders(off)).get('content-security-policy')).toBeNull();
  });

  // issue 18 #7: the api preset sent no CSP (OWASP REST guidance: default-src 'none'; frame-ancestors 'none')
  it("api preset: CSP default-src 'none'; frame-ancestors 'none', no-store, DENY, and no document-only headers", () => {
    const h = securityHeaders({ preset: 'api' });
    expect(h).toEqual({
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none';frame-ancestors 'none'",
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Referrer-Policy': 'no-referrer',
      'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    });
    // Each one can still be asked for on top of the preset.
    expect(securityHeaders({ preset: 'api', permissionsPolicy: true, xXssProtection: true })).toMatchObject({ 'Permissions-Policy': expect.stringContaining('camera=()'), 'X-XSS-Protection': '0' });
  });

  it('html preset adds a per-request nonce to script-src and Permissions-Policy', () => {
    const compiled = compileSecurityHeaders({ preset: 'html' });
    expect(compiled.needsNonce).toBe(true);
    const a = securityHeaders(compiled, { nonce: 'AAAA' });
    const b = securityHeaders(compiled, { nonce: 'BBBB' });
    expect(a['Content-Security-Policy']).toContain("script-src 'self' 'nonce-AAAA'");
    expect(b['Content-Security-Policy']).toContain("'nonce-BBBB'");
    expect(a['Permissions-Policy']).toBe('accelerometer=(), browsing-topics=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()');
  });

  it('options override the preset and each header can be turned off', () => {
    const h = securityHeaders({
      preset: 'api',
      xFrameOptions: false,
      strictTransportSecurity: { maxAge: 63_072_000, preload: true },
      referrerPolicy: ['no-referrer', 'strict-origin-when-cross-origin'],
      crossOriginEmbedderPolicy: 'require-corp',
      permissionsPolicy: { geolocation: ['self', 'https://maps.example'], fullscreen: ['*'] },
    });
    expect(h['X-Frame-Options']).toBeUndefined();
    expect(h['Strict-Transport-Security']).toBe('max-age=63072000; includeSubDomains; preload');
    expect(h['Referrer-Policy']).toBe('no-referrer,strict-origin-when-cross-origin');
    expect(h['Cross-Origin-Embedder-Policy']).toBe('require-corp');
    expect(h['Permissions-Policy']).toBe('geolocation=(self "https://maps.example"), fullscreen=*');
  });
});

describe('CSP builder', () => {
  it('merges directives over the defaults and removes those set to false', () => {
    const h = securityHeaders({
      contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'https://img.example'], 'upgrade-insecure-requests': false, 'connect-src': ["'self'", 'wss://rt.example'] } },
    });
    const csp = h['Content-Security-Policy']!;
    expect(csp).toContain("img-src 'self' https://img.example");
    expect(csp).toContain("connect-src 'self' wss://rt.example");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('strict-dynamic preset', () => {
    const compiled = compileSecurityHeaders({ contentSecurityPolicy: { strictDynamic: true, useDefaults: false } });
    expect(compiled.csp('n0nce')).toBe("script-src 'nonce-n0nce' 'strict-dynamic' https: 'unsafe-inline';object-src 'none';base-uri 'none'");
  });

  it('report-only with report-to adds Reporting-Endpoints and both report directives', () => {
    const h = securityHeaders({ contentSecurityPolicy: { reportOnly: true, reportTo: { url: 'https://app.example/csp' } } });
    expect(h['Content-Security-Policy']).toBeUndefined();
    expect(h['Content-Security-Policy-Report-Only']).toContain('report-uri https://app.example/csp;report-to csp-endpoint');
    expect(h['Reporting-Endpoints']).toBe('csp-endpoint="https://app.example/csp"');
  });

  it('buildCsp drops nonce markers without a nonce', () => {
    expect(buildCsp({ 'script-src': ["'self'", NONCE], sandbox: true })).toBe("script-src 'self';sandbox");
  });

  it('cspNonce: 128-bit base64, unique', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const n = cspNonce();
      expect(n).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      seen.add(n);
    }
    expect(seen.size).toBe(200);
  });
});

describe('bad options throw ConfigurationError naming the option', () => {
  it.each([
    [{ xFrameOptions: 'ALLOW-FROM x' }, 'xFrameOptions'],
    [{ referrerPolicy: 'nope' }, 'referrerPolicy'],
    [{ referrerPolicy: [] }, 'referrerPolicy'],
    [{ strictTransportSecurity: { maxAge: -1 } }, 'strictTransportSecurity.maxAge'],
    [{ strictTransportSecurity: { maxAge: 60, preload: true } }, 'strictTransportSecurity.preload'],
    [{ contentSecurityPolicy: { directives: { 'script-src': ["'self'; img-src *"] } } }, 'contentSecurityPolicy.directives.script-src'],
    [{ contentSecurityPolicy: { directives: { 'Bad Name': ["'self'"] } } }, 'contentSecurityPolicy.directives.Bad Name'],
    [{ contentSecurityPolicy: { directives: { 'img-src': 'self' } } }, 'contentSecurityPolicy.directives.img-src'],
    [{ contentSecurityPolicy: { reportTo: { url: 'javascript:alert(1)' } } }, 'contentSecurityPolicy.reportTo.url'],
    [{ permissionsPolicy: { camera: ['evil"origin'] } }, 'permissionsPolicy.camera'],
    [{ cacheControl: 'no-store\r\nSet-Cookie: a=b' }, 'cacheControl'],
    [{ preset: 'nope' }, 'preset'],
    // issue 24: preset names were looked up with `in`, so Object.prototype keys passed
    [{ preset: 'constructor' }, 'preset'],
    [{ preset: 'toString' }, 'preset'],
    [{ preset: '__proto__' }, 'preset'],
    [{ preset: 42 }, 'preset'],
    [{ originAgentCluster: 'yes' }, 'originAgentCluster'],
  ])('%j → %s', (options, option) => {
    let thrown: unknown;
    try {
      compileSecurityHeaders(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as ConfigurationError).option).toBe(option);
  });
});

describe('applySecurityHeaders', () => {
  it('sets headers on Headers and mutable Responses, and copies immutable ones', async () => {
    const headers = applySecurityHeaders(new Headers({ 'x-powered-by': 'x' }), { preset: 'api' });
    expect(headers.get('cache-control')).toBe('no-store');
    const response = applySecurityHeaders(new Response('ok', { headers: { 'X-Powered-By': 'Express' } }));
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.has('x-powered-by')).toBe(false);
    const immutable = Response.redirect('https://example.com/', 302);
    const copied = applySecurityHeaders(immutable, { preset: 'api' });
    expect(copied.status).toBe(302);
    expect(copied.headers.get('location')).toBe('https://example.com/');
    expect(copied.headers.get('cache-control')).toBe('no-store');
    expect(await copied.text()).toBe('');
  });
});

describe('CSP violation reports', () => {
  const legacy = {
    'csp-report': {
      'document-uri': 'https://app.example/page',
      'violated-directive': 'script-src-elem',
      'effective-directive': 'script-src-elem',
      'original-policy': "script-src 'self'",
      'blocked-uri': 'inline',
      'line-number': 12,
      'source-file': 'https://app.example/page',
      'script-sample': 'alert(1)',
      disposition: 'enforce',
      'status-code': 200,
    },
  };
  const modern = [
    {
      type: 'csp-violation',
      age: 10,
      url: 'https://app.example/page',
      user_agent: 'Mozilla/5.0',
      body: { documentURL: 'https://app.example/page', effectiveDirective: 'img-src', blockedURL: 'https://evil.example/x.png', disposition: 'report', originalPolicy: "img-src 'self'", statusCode: 200 },
    },
    { type: 'deprecation', body: {} },
  ];

  it('parses the legacy report-uri format', () => {
    expect(parseCspReports(legacy)).toEqual([
      {
        documentUrl: 'https://app.example/page',
        effectiveDirective: 'script-src-elem',
        blockedUrl: 'inline',
        disposition: 'enforce',
        originalPolicy: "script-src 'self'",
        sourceFile: 'https://app.example/page',
        lineNumber: 12,
        sample: 'alert(1)',
        statusCode: 200,
      },
    ]);
  });

  it('parses the Reporting API format and ignores other report types', () => {
    const parsed = parseCspReports(JSON.stringify(modern));
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({ effectiveDirective: 'img-src', blockedUrl: 'https://evil.example/x.png', disposition: 'report', userAgent: 'Mozilla/5.0' });
  });

  it.each([null, 42, '{', '[]', { 'csp-report': 'x' }, [{ type: 'csp-violation', body: null }], { 'csp-report': {} }])('malformed %j → []', (input) => {
    expect(parseCspReports(input)).toEqual([]);
  });

  it('cspReportHandler answers 204/405/413 and passes violations', async () => {
    const got: CspViolation[][] = [];
    const handle = cspReportHandler((v) => {
      got.push(v);
    }, { maxBytes: 2000 });
    const ok = await handle(new Request('https://app.example/csp', { method: 'POST', headers: { 'content-type': 'application/csp-report' }, body: JSON.stringify(legacy) }));
    expect(ok.status).toBe(204);
    expect(got[0]?.[0]?.effectiveDirective).toBe('script-src-elem');
    expect((await handle(new Request('https://app.example/csp'))).status).toBe(405);
    const big = await handle(new Request('https://app.example/csp', { method: 'POST', body: 'x'.repeat(5000) }));
    expect(big.status).toBe(413);
  });
});

describe('kernel option checks', () => {
  it('unknown options (top level, CSP, HSTS) name the closest known one', () => {
    expect(() => securityHeaders({ xFrameOption: 'DENY' } as never)).toThrow(/Unknown option "xFrameOption".*did you mean "xFrameOptions"/);
    expect(() => securityHeaders({ contentSecurityPolicy: { directive: {} } } as never)).toThrow(/did you mean "directives"/);
    expect(() => securityHeaders({ strictTransportSecurity: { maxage: 5 } } as never)).toThrow(/did you mean "maxAge"/);
  });
});
