/**
 * Every TypeScript block of the README type-checks under strict `nodenext` and runs with tsx
 * against the source (`checkReadme` of `@armor/test-utils`); the Redis block gets a real
 * redis-server through `REDIS_URL`.
 */
import { expectReadmeRuns, startRedis, type RedisServer } from '@armor/test-utils';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

it('every README code block type-checks under strict nodenext and runs', async () => {
  const outputs = await expectReadmeRuns(fileURLToPath(new URL('..', import.meta.url)), { env: { REDIS_URL: redis.url }, timeoutMs: 60_000, blocks: 7 });
  const out = outputs.join('\n');
  expect(out).toContain('42'); // the main composition, after two retries
  expect(out).toContain("200 { price: 12 } [ 10, 12 ] true"); // the one-shot helpers
  expect(out).toContain('connected after 3 attempts'); // top-level await retry in a script
  expect(out).toContain('charged closed'); // the Redis-shared breaker
  expect(out).toContain('did you mean "maxAttempts"'); // a misspelled option
  expect(out).toMatch(/open\s+half-open/); // the manual clock
  expect(out).toContain('200 2'); // retryIfResult on a 503 Response
}, 240_000);
