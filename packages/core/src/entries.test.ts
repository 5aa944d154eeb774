/**
 * The root entry carries only what most packages use (time, emitter, option checks, kinds); IP
 * parsing (`ipaddr.js`), the Redis guard and the body reader live in their own entries so
 * bundles that never parse an IP, call Redis or read a body leave them out (issue 29, size
 * budgets).
 */
import { describe, expect, it } from 'vitest';

const IP_NAMES = ['parseIp', 'normalizeIp', 'embeddedIpv4', 'ipPrefix', 'ipRange', 'ipInCidr'];
const REDIS_NAMES = ['createRedisGuard', 'isRedisOutage', 'RedisGuardError'];
const BODY_NAMES = ['readBodyText', 'readNodeBodyText'];

describe('entry points', () => {
  it('the root entry exports neither the IP parser, the Redis guard nor the body reader', async () => {
    const root: Record<string, unknown> = await import('@armor/core');
    for (const name of [...IP_NAMES, ...REDIS_NAMES, ...BODY_NAMES]) expect(root, name).not.toHaveProperty(name);
    expect(typeof root.checkOptions).toBe('function');
    expect(typeof root.Emitter).toBe('function');
  });
  it('@armor/core/ip and @armor/core/redis export them', async () => {
    const ip: Record<string, unknown> = await import('@armor/core/ip');
    const redis: Record<string, unknown> = await import('@armor/core/redis');
    for (const name of IP_NAMES) expect(typeof ip[name], name).toBe('function');
    for (const name of REDIS_NAMES) expect(typeof redis[name], name).toBe('function');
    expect((ip.normalizeIp as (s: string) => string)('::ffff:010.0.0.1')).toBe('10.0.0.1');
  });
  it('@armor/core/body exports the bounded body reader', async () => {
    const body: Record<string, unknown> = await import('@armor/core/body');
    for (const name of BODY_NAMES) expect(typeof body[name], name).toBe('function');
  });
});
