import { fileURLToPath } from 'node:url';
import { expectReadmeRuns } from '@armor/test-utils';
import { expect, it } from 'vitest';

it('docs/guide.md: both compositions type-check under strict nodenext and run as documented', async () => {
  const [express, fetchHandler] = await expectReadmeRuns(fileURLToPath(new URL('.', import.meta.url)), { file: '../../docs/guide.md', blocks: 2, timeoutMs: 60_000 });
  const lines = express!.trim().split('\n').slice(-3);
  // created, invalid (400 with field paths), unknown todo (404), ready
  expect(lines[0]).toBe('201 400 404 200');
  // the three API calls are counted (probes and scrapes are not), both client errors are grouped, the limiter is on the dashboard
  expect(lines[1]).toBe('3 NOT_FOUND,VALIDATION_FAILED api');
  expect(lines[2]).toBe('true');
  expect(fetchHandler).toBe("200 404 429 default-src 'none';frame-ancestors 'none'\n");
});
