// @vitest-environment node
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { makeSnapshot } from '../test/fixtures.js';
import * as dashboard from './index.js';

describe('server-side rendering', () => {
  it('runs without window/document and renders every panel to HTML', () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    expect(typeof (globalThis as { document?: unknown }).document).toBe('undefined');
    const html = renderToString(<dashboard.MonitoringDashboard snapshot={makeSnapshot({ points: 8640, groups: 1000 })} />).replace(/<!-- -->/g, '');
    for (const panel of ['health', 'latency', 'throughput', 'error-rate', 'breakers', 'caches', 'rate-limits', 'errors', 'slow']) {
      expect(html).toContain(`data-panel="${panel}"`);
    }
    expect(html).toContain('<style>');
    expect(html).toContain('data-theme="system"');
    expect(html).toContain('Page 1 of 50');
    expect(html).toContain('<title id="');
    expect(html).toMatch(/<title id="[^"]+">Latency chart<\/title>/);
    expect(html).not.toContain('NaN');
  });

  it('source mode renders the loading state on the server (no fetch during render)', () => {
    let loads = 0;
    const html = renderToString(
      <dashboard.MonitoringDashboard
        source={{
          key: 'x',
          load: async () => {
            loads++;
            return makeSnapshot();
          },
        }}
      />,
    );
    expect(html).toContain('Loading snapshot…');
    expect(loads).toBe(0);
  });

  it('panels render standalone inside MonitoringTheme with a CSP nonce', () => {
    const html = renderToString(
      <dashboard.MonitoringTheme theme="dark" nonce="abc123">
        <dashboard.ErrorList snapshot={makeSnapshot()} />
      </dashboard.MonitoringTheme>,
    );
    expect(html).toContain('nonce="abc123"');
    expect(html).toContain('data-theme="dark"');
  });
});
