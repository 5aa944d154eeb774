/**
 * Every TypeScript block of the README type-checks under strict `nodenext` and runs with tsx
 * against the source (`checkReadme` of `@armor/test-utils`); the Redis block gets a real
 * redis-server through `REDIS_URL`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expectReadmeRuns, startRedis, type RedisServer } from '@armor/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

it('every README code block type-checks under strict nodenext and runs', async () => {
  const [usage, redisBlock, expressBlock, waitFor, convex, transactional] = await expectReadmeRuns(fileURLToPath(new URL('..', import.meta.url)), { env: { REDIS_URL: redis.url }, timeoutMs: 60_000, blocks: 6 });
  expect(usage).toMatch(/^200 "default";r=99;t=\d+\n$/);
  expect(redisBlock).toBe('true 59\n');
  expect(expressBlock).toBe(`${Array(10).fill(201).join(' ')} 429\n`);
  expect(waitFor).toMatch(/^7 calls in \d+ ms\n$/);
  expect(convex).toBe('');
  expect(transactional).toBe('true false\n');
  // The README's client import is the named one (the default import does not type-check under nodenext).
  expect(readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')).toContain("import { Redis } from 'ioredis'");
}, 240_000);
