import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as bridges from './bridges-entry.js';
import * as http from './http-entry.js';
import * as root from './index.js';

/** The root entry stays small: request instrumentation and the bridges are subpaths (issue 29). */
describe('entry points', () => {
  it('the root entry leaves the HTTP instrumentation and the bridges to their subpaths', () => {
    for (const name of ['instrumentFetch', 'metricsResponse', 'createHttpMetrics', 'instrumentCache', 'instrumentRateLimiter', 'instrumentResilience', 'instrumentHealth']) {
      expect(Object.keys(root)).not.toContain(name);
    }
    expect(Object.keys(root)).toEqual(expect.arrayContaining(['createRegistry', 'createMonitor', 'trackOperation', 'recordError', 'errorGroups', 'slowOperations']));
  });

  it('@armor/metrics/http and @armor/metrics/bridges export them', () => {
    expect(Object.keys(http).sort()).toEqual(['UNMATCHED_ROUTE', 'compileRoute', 'createHttpMetrics', 'instrumentFetch', 'metricsResponse', 'normalizeMethod', 'statusClass']);
    expect(Object.keys(bridges).sort()).toEqual(['instrumentCache', 'instrumentHealth', 'instrumentRateLimiter', 'instrumentResilience']);
  });

  it('package.json maps both subpaths, published and in the workspace', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, Record<string, unknown>>;
      publishConfig: { exports: Record<string, unknown> };
    };
    expect(pkg.exports['./http']?.['@armor/source']).toBe('./src/http-entry.ts');
    expect(pkg.exports['./bridges']?.['@armor/source']).toBe('./src/bridges-entry.ts');
    expect(pkg.publishConfig.exports['./http']).toEqual({ import: { types: './dist/http.d.ts', default: './dist/http.js' }, require: { types: './dist/http.d.cts', default: './dist/http.cjs' } });
    expect(pkg.publishConfig.exports['./bridges']).toEqual({ import: { types: './dist/bridges.d.ts', default: './dist/bridges.js' }, require: { types: './dist/bridges.d.cts', default: './dist/bridges.cjs' } });
  });
});
