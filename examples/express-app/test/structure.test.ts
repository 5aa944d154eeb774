import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const src = (path: string) => readFileSync(fileURLToPath(new URL(`../src/${path}`, import.meta.url)), 'utf8');

/**
 * Issue 20, item 5: `src/app.ts` held infrastructure, authentication, handlers, routes and
 * shutdown in ~570 lines. Each job now has its module; app.ts only composes them (the
 * behaviour suites — contract, hostile, browser, monitoring — are unchanged and pass).
 */
it('splits the service by job: services, auth middleware, rate limits, API routes, browser routes; app.ts composes', () => {
  const app = src('app.ts');
  expect(app.split('\n').length).toBeLessThan(200);
  for (const [file, factory] of [
    ['services.ts', 'createServices'],
    ['http/authenticate.ts', 'authentication'],
    ['http/rate-limits.ts', 'rateLimits'],
    ['routes/api.ts', 'apiRouter'],
    ['routes/browser.ts', 'browserRouter'],
    ['routes/operations.ts', 'operations'],
  ] as const) {
    expect(src(file), file).toMatch(new RegExp(`export (?:async )?function ${factory}\\(`));
    expect(app, `app.ts uses ${factory}`).toMatch(new RegExp(`\\b${factory}\\(`));
  }
  // No route handlers, SQL or key verification left in the composition root.
  expect(app).not.toMatch(/\b(?:api|app)\.(?:post|delete)\(/);
  expect(app).not.toMatch(/createApiKeyVerifier|db\.transaction|repos\.\w+\.\w+\(/);
});
