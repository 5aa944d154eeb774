import { isArmorError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import { reportWebVitals, type WebVitalsClientOptions } from './web-vitals-client.js';

const route = (url: URL) => url.pathname;

describe('reportWebVitals options', () => {
  const bad: [unknown, string][] = [
    [undefined, 'options'],
    [null, 'options'],
    [{ route }, 'endpoint'],
    [{ endpoint: '', route }, 'endpoint'],
    [{ endpoint: '/vitals' }, 'route'],
    [{ endpoint: '/vitals', route: '/x' }, 'route'],
    [{ endpoint: '/vitals', route, sampleRate: 1.5 }, 'sampleRate'],
    [{ endpoint: '/vitals', route, sampleRate: -0.1 }, 'sampleRate'],
    [{ endpoint: '/vitals', route, sampleRate: Number.NaN }, 'sampleRate'],
    [{ endpoint: '/vitals', route, sampleRate: '0.5' }, 'sampleRate'],
    [{ endpoint: '/vitals', route, reportSoftNavs: 'yes' }, 'reportSoftNavs'],
    [{ endpoint: '/vitals', route, random: 0.5 }, 'random'],
    [{ endpoint: '/vitals', route, samplerate: 0.5 }, 'samplerate'],
  ];
  it.each(bad)('%j → ConfigurationError naming %s', (options, option) => {
    let error: unknown;
    try {
      reportWebVitals(options as WebVitalsClientOptions);
    } catch (e) {
      error = e;
    }
    expect(isArmorError(error) && error.code).toBe('CONFIGURATION_ERROR');
    expect((error as Error).message).toContain(option);
  });

  it('outside a browser (no document) it observes nothing and sends nothing', () => {
    let drawn = 0;
    const reporter = reportWebVitals({ endpoint: '/vitals', route, random: () => (drawn++, 0) });
    expect(reporter.sampled).toBe(false);
    expect(reporter.pending()).toBe(0);
    expect(reporter.flush()).toBe(false);
    expect(drawn).toBe(0);
  });
});
