import { fileURLToPath } from 'node:url';
import { expectReadmeRuns } from '@armor/test-utils';
import { expect, it } from 'vitest';

it('docs/guide.md: every composition type-checks under strict nodenext and runs as documented', async () => {
  const [express, fetchHandler, hono, fastify, next] = await expectReadmeRuns(fileURLToPath(new URL('.', import.meta.url)), { file: '../../docs/guide.md', blocks: 5, timeoutMs: 60_000 });
  const lines = express!.trim().split('\n').slice(-3);
  // created, invalid (400 with field paths), unknown todo (404), ready
  expect(lines[0]).toBe('201 400 404 200');
  // the three API calls are counted (probes and scrapes are not), both client errors are grouped, the limiter is on the dashboard
  expect(lines[1]).toBe('3 NOT_FOUND,VALIDATION_FAILED api');
  expect(lines[2]).toBe('true');
  expect(fetchHandler).toBe("200 404 429 default-src 'none';frame-ancestors 'none'\n");
  // Hono: created, invalid, created (the 400 counted too), ready; the 3rd counted request is a 429 with headers; a 4xx labelled by template
  expect(hono).toBe('201 400 201 200 429 nosniff\ntrue\n');
  // Fastify: the opted-out route and the probe are not limited
  expect(fastify).toBe('201 400 201 200 200 429 application/problem+json; charset=utf-8\n');
  // Next: created, invalid, limited (with the api preset's headers); metrics by template
  expect(next).toBe('201 400 429 no-store true\n');
});
