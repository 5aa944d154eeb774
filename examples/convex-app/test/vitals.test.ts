import { describe, expect, it } from 'vitest';
import { pageOf, routeTemplateOf } from '../src/routes';
import { vitalsEndpoint } from '../src/vitals';

describe('the UI reports its web vitals', () => {
  it('to the deployment’s HTTP actions origin (.convex.site), or VITE_CONVEX_SITE_URL', () => {
    expect(vitalsEndpoint('https://happy-otter-123.convex.cloud')).toBe('https://happy-otter-123.convex.site/vitals');
    expect(vitalsEndpoint('https://happy-otter-123.convex.cloud/')).toBe('https://happy-otter-123.convex.site/vitals');
    expect(vitalsEndpoint('http://127.0.0.1:3210', 'http://127.0.0.1:3211')).toBe('http://127.0.0.1:3211/vitals');
    expect(vitalsEndpoint('https://happy-otter-123.convex.cloud', 'https://api.example.com')).toBe('https://api.example.com/vitals');
    // A self-hosted URL without a site URL: nowhere known to send to, so nothing is sent.
    expect(vitalsEndpoint('http://127.0.0.1:3210')).toBeUndefined();
    expect(vitalsEndpoint('https://evil.example/x.convex.cloud')).toBeUndefined();
  });

  it('under route templates, never raw URLs', () => {
    expect(routeTemplateOf(new URL('https://app.example/'))).toBe('/');
    expect(routeTemplateOf(new URL('https://app.example/#/'))).toBe('/');
    expect(routeTemplateOf(new URL('https://app.example/?ref=mail#/admin'))).toBe('/admin');
    expect(routeTemplateOf(new URL('https://app.example/#/admin/anything?key=secret'))).toBe('/admin');
    expect(routeTemplateOf(new URL('https://app.example/#/somewhere-else'))).toBe('/');
    expect(pageOf(new URL('https://app.example/#/administrator'))).toBe('comments');
  });
});
