/**
 * Every TypeScript block of the README type-checks under strict `nodenext` and runs with tsx
 * against the source (`checkReadme` of `@armor/test-utils`); the Redis block gets a real
 * redis-server through `REDIS_URL`.
 */
import { fileURLToPath } from 'node:url';
import { expectReadmeRuns, startRedis, type RedisServer } from '@armor/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

it('every README code block type-checks under strict nodenext and runs', async () => {
  const [usage, failSafe, negative, shared, expressBlock] = await expectReadmeRuns(fileURLToPath(new URL('..', import.meta.url)), { env: { REDIS_URL: redis.url }, timeoutMs: 60_000, blocks: 5 });
  expect(usage).toContain("1 { id: 'u1', name: 'user u1' }");
  expect(usage).toContain("batch [ '1', '2', '3' ]");
  expect(usage).toMatch(/\n30\n/);
  expect(failSafe).toContain("{ eur: 1.08 } 1");
  expect(failSafe).toContain('served rates from grace: rates API down');
  expect(failSafe).toContain('true\nfast this time');
  expect(negative).toContain("[ { id: 'a' }, { id: 'b' }, undefined ]\n2");
  expect(negative).toMatch(/^null\ntrue\nfalse\n/);
  expect(shared).toContain('true true');
  expect(shared).toContain("roles: Set(1) { 'admin' }");
  expect(expressBlock).toContain("batchUsers [ '1', '2', '3' ]");
  expect(expressBlock).toContain("[ { id: '1' }, { id: '2' }, { id: '3' } ]");
}, 240_000);
